"""From file rows to checked submissions, or to the list of every row's problems.

Columns are found by header name (see :func:`plan_for`); each data row becomes a
:class:`~kano.adapters.db.feedback_intake.Submission` whose answers went through
:func:`~kano.domain.feedback.answers.checked_answers`, like every other channel's. Problems
do not stop the reading: every row is checked and every problem kept, with the row number
and the column header the user sees.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from kano.adapters.db.feedback_intake import Submission
from kano.adapters.importers.feedback_file.mapping import (
    QUESTIONS,
    DocumentError,
    LoadedMapping,
    MappingInvalid,
)
from kano.adapters.importers.feedback_file.readers import Cell, Table
from kano.domain.feedback.answers import LANGUAGES, SCALES, Answers, checked_answers
from kano.domain.shared.errors import InvalidInput

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LEADING_NUMBER = re.compile(r"^\s*(-?\d+(?:[.,]\d+)?)")
KEY_PREFIX = "feedback-import"
# strptime formats that fromisoformat reads the same, with the exact text they accept
ISO_SHAPES = {
    "%Y-%m-%d %H:%M:%S": re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"),
    "%Y-%m-%dT%H:%M:%S": re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d"),
    "%Y-%m-%d %H:%M": re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d"),
    "%Y-%m-%d": re.compile(r"\d{4}-\d\d-\d\d"),
}
EXTERNAL_ID_MAX = 64
NAME_MAX = 200
EMAIL_MAX = 320


@dataclass(frozen=True, order=True)
class RowError:
    """One problem: the row as numbered in the file, the column's header, the reason."""

    row: int
    column: str
    reason: str


@dataclass(frozen=True)
class ParsedRow:
    row: int
    submission: Submission
    key: str  # idempotency key: the same row of the same file gets the same key
    digest: str  # hash of the row's cells


@dataclass(frozen=True)
class Plan:
    """Column indexes (and headers) for each mapped field, and how to read values."""

    fields: dict[str, tuple[int, str]]  # "customer_email" → (index, header)
    questions: dict[str, tuple[int, str]]  # "nps" → (index, header)
    survey: str | None
    channel: str
    values: dict[str, dict[str, int]]  # question → casefolded text → score
    answer_code_prefix: str | None
    leading_number: bool
    parse_time: Callable[[Cell], datetime]
    names_row: int = 1


def _find(headers: list[list[str]], names_row: int, wanted: str) -> int | None:
    """The column whose header is ``wanted``: in the names row, else in another header row,
    else ignoring case and surrounding spaces."""
    names = headers[names_row - 1]
    if wanted in names:
        return names.index(wanted)
    for header in headers:
        if wanted in header:
            return header.index(wanted)
    folded = wanted.strip().casefold()
    for header in [names, *headers]:
        for index, text in enumerate(header):
            if text.strip().casefold() == folded:
                return index
    return None


def plan_for(table: Table, loaded: LoadedMapping) -> Plan:
    """Resolve every mapped column against the file's headers; any missing one is a
    mapping error naming its field (``questions.nps: no column 'Q9' …``)."""
    mapping = loaded.mapping
    names = [name for name in table.headers[mapping.names_row - 1] if name]
    shown = ", ".join(repr(name) for name in names[:40]) + (" …" if len(names) > 40 else "")
    errors: list[DocumentError] = []
    resolved: dict[tuple[str, str], tuple[int, str]] = {}
    wanted = [("columns", name, column) for name, column in mapping.columns if column is not None]
    wanted += [("questions", name, column) for name, column in mapping.questions.items()]
    for group, name, column in wanted:
        index = _find(table.headers, mapping.names_row, column)
        if index is None and group == "columns" and name not in loaded.user_columns:
            continue  # a preset's column this export does not have
        if index is None:
            error = loaded.error((group, name), f"no column {column!r} in the file; it has {shown}")
            errors.extend(error.errors)
        else:
            resolved[(group, name)] = (index, column)
    if errors:
        raise MappingInvalid(loaded.source, errors)
    if mapping.survey is None and mapping.columns.survey is None:
        raise InvalidInput("--survey", "name the survey the responses answer (or `survey:`)")
    return Plan(
        fields={name: place for (group, name), place in resolved.items() if group == "columns"},
        questions={
            name: place for (group, name), place in resolved.items() if group == "questions"
        },
        survey=mapping.survey,
        channel=mapping.channel,
        values={
            question: {text.strip().casefold(): score for text, score in table_.items()}
            for question, table_ in mapping.values.items()
        },
        answer_code_prefix=mapping.answer_code_prefix,
        leading_number=mapping.leading_number,
        parse_time=time_parser(mapping.date_formats, mapping.timezone),
        names_row=mapping.names_row,
    )


def time_parser(formats: Sequence[str], zone_name: str) -> Callable[[Cell], datetime]:
    """A function from a cell to naive UTC; raises ValueError naming the formats tried."""
    zone = ZoneInfo(zone_name)
    utc = zone_name == "UTC"

    def to_utc(moment: datetime) -> datetime:
        if moment.tzinfo is None:
            if utc:
                return moment
            moment = moment.replace(tzinfo=zone)
        return moment.astimezone(UTC).replace(tzinfo=None)

    def parse(cell: Cell) -> datetime:
        if isinstance(cell, datetime):  # an XLSX date cell
            return to_utc(cell)
        text = str(cell).strip()
        for form in formats:
            try:
                if form == "iso":
                    return to_utc(datetime.fromisoformat(text))
                shape = ISO_SHAPES.get(form)
                if shape is not None and shape.fullmatch(text):  # strptime is 10× slower
                    return to_utc(datetime.fromisoformat(text))
                return to_utc(datetime.strptime(text, form))
            except ValueError:
                continue
        raise ValueError(f"{text!r} is not a date in the format {' or '.join(formats)}")

    return parse


def _text(cell: Cell) -> str | None:
    if cell is None:
        return None
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    text = str(cell).strip()
    return text or None


def _score(plan: Plan, question: str, cell: Cell) -> Any:
    """The number in ``cell`` (None when blank); ValueError when no rule reads it."""
    if cell is None or isinstance(cell, int | float):
        return cell
    text = str(cell).strip()
    if not text:
        return None
    mapped = plan.values.get(question)
    if mapped:
        score = mapped.get(text.casefold())
        if score is not None:
            return score
    prefix = plan.answer_code_prefix
    if prefix and text.startswith(prefix) and text[len(prefix) :].isdigit():
        return int(text[len(prefix) :])
    try:
        return int(text)
    except ValueError:
        pass
    if plan.leading_number and (match := LEADING_NUMBER.match(text)):
        return float(match.group(1).replace(",", "."))
    try:
        return float(text.replace(",", "."))
    except ValueError:
        low, high = SCALES[question]
        raise ValueError(
            f"{text!r} is not a score from {low} to {high}; map it under values.{question}"
        ) from None


@lru_cache(maxsize=256)
def _language(text: str | None) -> str | None:
    """``HU``, ``en-GB``, ``ru_RU`` → hu, en, ru (a file holds few distinct values)."""
    if text is None:
        return None
    code = re.split(r"[-_]", text.strip().lower(), maxsplit=1)[0]
    if code not in LANGUAGES:
        raise ValueError(
            f"{text!r} is not one of the languages {', '.join(LANGUAGES)} "
            "(map no language column to import the responses without one)"
        )
    return code


def row_key(survey: str, response_id: str | None, digest: str, occurrence: int) -> str:
    """The idempotency key of a row: its response id when the file has one, else the hash
    of its cells (and how many identical rows came before it)."""
    if response_id is not None:
        key = f"{KEY_PREFIX}:{survey}:id:{response_id}"
        if len(key) <= 255:
            return key
        response_id = hashlib.sha256(response_id.encode()).hexdigest()
        return f"{KEY_PREFIX}:{survey}:idh:{response_id}"
    return f"{KEY_PREFIX}:{survey}:row:{digest[:48]}:{occurrence}"


def _cell(record: list[Cell], place: tuple[int, str] | None) -> Cell:
    """The cell of a mapped column (rows shorter than the mapping are padded first)."""
    return record[place[0]] if place is not None else None


class _RowReader:
    """Reads one row into a submission, noting each problem with its column header."""

    def __init__(
        self,
        plan: Plan,
        touchpoints: Collection[str] | None,
        surveys: Collection[str] | None,
    ) -> None:
        self.plan = plan
        self.touchpoints = touchpoints
        self.surveys = surveys
        self.seen_ids: dict[str, int] = {}
        # response id → its first row in the whole file (a re-check of one row, with the
        # file's other rows read already): a later row with that id is a duplicate
        self.first_rows: dict[str, int] | None = None
        self.problems: list[RowError] = []
        self.number = 0

    def problem(self, column: str, reason: str) -> None:
        self.problems.append(RowError(self.number, column, reason))

    def answers(self, record: list[Cell]) -> Answers | None:
        raw: dict[str, Any] = {}
        questions = self.plan.questions
        for question, place in questions.items():
            value = record[place[0]]
            if question == "comment":
                raw[question] = _text(value)
                continue
            try:
                raw[question] = _score(self.plan, question, value)
            except ValueError as error:
                self.problem(place[1], str(error))
        if self.problems:
            return None
        try:
            return checked_answers(raw)
        except InvalidInput:
            pass
        for question, place in questions.items():  # say what is wrong with each
            try:
                checked_answers({question: raw.get(question)}, "answers")
            except InvalidInput as error:
                if error.field != "answers":  # a blank question alone is no problem
                    self.problem(place[1], error.message)
        if not self.problems:
            answered = ", ".join(header for _, header in questions.values())
            self.problem(answered, "no answer in any question column")
        return None

    def customer(self, record: list[Cell]) -> tuple[str | None, str | None, str | None]:
        fields = self.plan.fields
        email = _text(_cell(record, fields.get("customer_email")))
        if email is not None and (len(email) > EMAIL_MAX or not EMAIL.match(email)):
            self.problem(fields["customer_email"][1], f"{email!r} is not an e-mail address")
        external_id = _text(_cell(record, fields.get("customer_external_id")))
        if external_id is not None and len(external_id) > EXTERNAL_ID_MAX:
            self.problem(
                fields["customer_external_id"][1], f"longer than {EXTERNAL_ID_MAX} characters"
            )
        name = _text(_cell(record, fields.get("customer_name")))
        return email, external_id, name[:NAME_MAX] if name is not None else None

    def submitted_at(self, record: list[Cell]) -> datetime | None:
        place = self.plan.fields.get("submitted_at")
        if place is None:
            return None
        value = _cell(record, place)
        if _text(value) is None:
            self.problem(place[1], "no date")
            return None
        try:
            return self.plan.parse_time(value)
        except ValueError as error:
            self.problem(place[1], str(error))
            return None

    def keys(self, record: list[Cell]) -> tuple[str | None, str | None, str | None]:
        """Language, touchpoint and survey of the row."""
        fields = self.plan.fields
        language = None
        if (place := fields.get("language")) is not None:
            try:
                language = _language(_text(_cell(record, place)))
            except ValueError as error:
                self.problem(place[1], str(error))
        touchpoint = None
        if (place := fields.get("touchpoint")) is not None:
            touchpoint = _text(_cell(record, place))
            known = self.touchpoints
            if touchpoint is not None and known is not None and touchpoint not in known:
                self.problem(place[1], f"no touchpoint {touchpoint!r} in this workspace")
        survey = self.plan.survey
        place = fields.get("survey")
        if place is not None:
            survey = _text(_cell(record, place)) or survey
        column = place[1] if place is not None else "survey"
        if survey is None:
            self.problem(column, "no survey key")
        elif self.surveys is not None and survey not in self.surveys:
            self.problem(column, f"no survey {survey!r} in this workspace")
        return language, touchpoint, survey

    def response_id(self, record: list[Cell]) -> str | None:
        place = self.plan.fields.get("response_id")
        if place is None:
            return None
        response_id = _text(_cell(record, place))
        if response_id is None:
            self.problem(place[1], "no response id")
        elif self.first_rows is not None:
            first = self.first_rows.get(response_id, self.number)
            if first < self.number:
                self.problem(place[1], f"response id {response_id!r} is also on row {first}")
        elif (first := self.seen_ids.get(response_id)) is not None:
            self.problem(place[1], f"response id {response_id!r} is also on row {first}")
        else:
            self.seen_ids[response_id] = self.number
        return response_id


def _joined(record: list[Cell]) -> str:
    """The row's cells as one text, for its hash (CSV cells are all text already)."""
    try:
        return "\x1f".join(record)
    except TypeError:
        return "\x1f".join("" if cell is None else str(cell) for cell in record)


def nul_problems(table: Table, plan: Plan, number: int, record: list[Cell]) -> list[RowError]:
    """A problem for each cell of the row holding a NUL character."""
    headers = table.headers[plan.names_row - 1]
    problems = []
    for index, cell in enumerate(record):
        if isinstance(cell, str) and "\x00" in cell:
            column = headers[index] if index < len(headers) else f"column {index + 1}"
            problems.append(
                RowError(number, column or f"column {index + 1}", "contains a NUL character")
            )
    return problems


def parse_rows(
    table: Table,
    plan: Plan,
    touchpoints: Collection[str] | None = None,
    surveys: Collection[str] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> tuple[list[ParsedRow], list[RowError], int]:
    """Every row as a submission, or its problems; also the count of blank rows skipped.

    ``touchpoints`` and ``surveys`` are the workspace's keys, so an unknown one is a row
    problem rather than a failure half-way through storing.
    """
    parsed: list[ParsedRow] = []
    errors: list[RowError] = []
    blank = 0
    seen_digests: dict[str, int] = {}
    reader = _RowReader(plan, touchpoints, surveys)
    places = [*plan.fields.values(), *plan.questions.values()]
    width = 1 + max((index for index, _ in places), default=0)
    step = 5_000
    for done, (number, record) in enumerate(table.rows, start=1):
        if on_progress is not None and done % step == 0:
            on_progress(step)
        if not any(record) and all(cell is None or cell == "" for cell in record):
            blank += 1  # (any() first: it is quick, but 0 is falsy and not blank)
            continue
        if len(record) < width:  # a short row: its missing cells are blank
            record = [*record, *([None] * (width - len(record)))]
        reader.number, reader.problems = number, []
        joined = _joined(record)
        if "\x00" in joined:  # PostgreSQL cannot store it; say where rather than fail later
            errors.extend(nul_problems(table, plan, number, record))
            continue
        answers = reader.answers(record)
        email, external_id, name = reader.customer(record)
        submitted_at = reader.submitted_at(record)
        language, touchpoint, survey = reader.keys(record)
        response_id = reader.response_id(record)
        if reader.problems or answers is None or survey is None:
            errors.extend(reader.problems)
            continue
        digest = hashlib.sha256(joined.encode()).hexdigest()
        occurrence = seen_digests.get(digest, 0)
        seen_digests[digest] = occurrence + 1
        submission = Submission(
            survey=survey,
            channel=plan.channel,
            answers=answers,
            customer_email=email,
            customer_external_id=external_id,
            customer_name=name,
            submitted_at=submitted_at,
            language=language,
            touchpoint=touchpoint,
        )
        key = row_key(survey, response_id, digest, occurrence)
        parsed.append(ParsedRow(number, submission, key, digest))
    if on_progress is not None:
        on_progress(len(table.rows) % step)
    return parsed, errors, blank


__all__ = ["QUESTIONS", "ParsedRow", "Plan", "RowError", "parse_rows", "plan_for", "row_key"]
