"""The mapping of a feedback file: which column holds what, and how to read its values.

A mapping is YAML (``--mapping MAP.yaml``), a shipped preset (``--preset qualtrics``), or
a preset named in the YAML (``preset: qualtrics``) plus the user's own fields, which win.
The user's fields are checked by pydantic; every error names the field and the line of
the user's file (``map.yaml:7: questions.nps: …``), as strategy files do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from kano.adapters.strategy_code.source import (
    DocumentError,
    LoadedYaml,
    StrategyFileInvalid,
    format_loc,
    load_yaml,
)
from kano.domain.feedback.answers import SCALES
from kano.domain.shared.errors import InvalidInput, KanoError

Question = Literal["nps", "csat", "ces", "rating", "comment"]
QUESTIONS: tuple[str, ...] = (*SCALES, "comment")
ColumnName = Annotated[str, Field(min_length=1, max_length=500)]
PRESETS_PACKAGE = "kano.adapters.importers.feedback_file.presets"


class MappingInvalid(KanoError):
    """The mapping cannot be used; each error names the field and, in a file, its line."""

    def __init__(self, source: str, errors: Sequence[DocumentError]) -> None:
        self.source = source
        self.errors = sorted(set(errors))
        lines = "\n".join(_render(error, source) for error in self.errors)
        count = len(self.errors)
        super().__init__(f"{count} error{'s' if count != 1 else ''} in mapping {source}:\n{lines}")


def _render(error: DocumentError, source: str) -> str:
    """``map.yaml:7: questions.nps: …``; fields given on the command line have no line."""
    if error.line == 0:
        return f"{error.path}: {error.message}"
    return error.render(source)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Columns(_Strict):
    """Header names of the columns that describe the response (all optional)."""

    response_id: ColumnName | None = Field(
        default=None, description="The tool's response id: re-imports skip rows already imported."
    )
    customer_email: ColumnName | None = None
    customer_external_id: ColumnName | None = None
    customer_name: ColumnName | None = None
    submitted_at: ColumnName | None = None
    language: ColumnName | None = None
    touchpoint: ColumnName | None = Field(
        default=None, description="Touchpoint keys (default: the survey's)."
    )
    survey: ColumnName | None = Field(default=None, description="Survey keys (default: `survey`).")


class FileMapping(_Strict):
    """What ``kano feedback import`` needs to know about a file."""

    preset: str | None = None
    survey: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    channel: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=32)] = "import"
    skip_rows: Annotated[int, Field(ge=0, le=1000)] = Field(
        default=0, description="Rows above the header rows to ignore (a title line)."
    )
    header_rows: Annotated[int, Field(ge=1, le=20)] = 1
    names_row: Annotated[int, Field(ge=1, le=20)] = Field(
        default=1, description="Which header row (1 = the first) holds the column names."
    )
    delimiter: Annotated[str, Field(min_length=1, max_length=1)] | None = Field(
        default=None, description="CSV delimiter; guessed from the file when left out."
    )
    encoding: str = "utf-8-sig"
    sheet: str | None = Field(default=None, description="XLSX sheet (default: the first).")
    columns: Columns = Columns()
    questions: dict[Question, ColumnName] = Field(default_factory=dict)
    values: dict[Question, dict[str, int]] = Field(
        default_factory=dict, description="Scale texts to scores, per question."
    )
    answer_code_prefix: str | None = Field(
        default=None, description="Answer codes that carry the score after a prefix (A7 → 7)."
    )
    leading_number: bool = Field(default=False, description="Read '10 - Extremely likely' as 10.")
    date_formats: list[str] = Field(
        default_factory=lambda: ["iso"], min_length=1, description="strptime formats or `iso`."
    )
    timezone: str = Field(default="UTC", description="Zone of timestamps that carry none.")

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        import codecs

        try:
            codecs.lookup(value)
        except LookupError:
            raise ValueError(f"unknown encoding {value!r}") from None
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (use e.g. UTC, Europe/Budapest)"
            ) from None
        return value

    @field_validator("date_formats")
    @classmethod
    def _formats_have_fields(cls, value: list[str]) -> list[str]:
        for text in value:
            if text != "iso" and "%" not in text:
                raise ValueError(f"{text!r} is neither `iso` nor a strptime format (%m/%d/%Y …)")
        return value

    @field_validator("values")
    @classmethod
    def _values_of_scores(cls, value: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
        if "comment" in value:
            raise ValueError("comment is free text; it has no value map")
        return value

    @model_validator(mode="after")
    def _names_row_is_a_header_row(self) -> FileMapping:
        if self.names_row > self.header_rows:
            raise ValueError(
                f"names_row {self.names_row} is not one of the {self.header_rows} header rows"
            )
        return self


@dataclass(frozen=True)
class LoadedMapping:
    """A checked mapping and where its fields came from (for error messages)."""

    mapping: FileMapping
    source: str
    lines: dict[tuple[str | int, ...], int] = field(default_factory=dict)
    from_command_line: frozenset[str] = frozenset()
    # columns the user named (a preset's columns may be missing from a file: a Google
    # Form that collects no e-mail has no "Email Address" column)
    user_columns: frozenset[str] = frozenset()

    def error(self, loc: Sequence[str | int], message: str) -> MappingInvalid:
        """An error about the field at ``loc``, on its line when the user's file has it."""
        return MappingInvalid(self.source, [self._document_error(tuple(loc), message)])

    def _document_error(self, loc: tuple[str | int, ...], message: str) -> DocumentError:
        path = format_loc(loc)
        if len(loc) == 2 and loc[0] == "questions" and loc[1] in self.from_command_line:
            return DocumentError(0, f"--question {loc[1]}", message)
        line = self.lines.get(loc)
        while line is None and loc:
            loc = loc[:-1]
            line = self.lines.get(loc)
        return DocumentError(line or 0, path, message)


def preset_names() -> list[str]:
    return sorted(
        entry.name.removesuffix(".yaml")
        for entry in resources.files(PRESETS_PACKAGE).iterdir()
        if entry.name.endswith(".yaml") and not entry.name.startswith("_")
    )


def _packaged(name: str) -> dict[str, Any]:
    text = resources.files(PRESETS_PACKAGE).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    data = load_yaml(text, f"preset {name}").data
    assert isinstance(data, dict)
    return data


def _preset_data(name: str, field_name: str) -> dict[str, Any]:
    if name not in preset_names():
        raise InvalidInput(
            field_name, f"no preset {name!r}; use one of {', '.join(preset_names())}"
        )
    return _packaged(name)


def _merged(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` on top of ``base``; mappings merge one level down (columns, values)."""
    result = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(result.get(key), Mapping):
            result[key] = _merged(result[key], value)
        else:
            result[key] = value
    return result


def parse_questions(options: Sequence[str]) -> dict[str, str]:
    """``["nps=Q1", "comment=Q2"]`` → ``{"nps": "Q1", "comment": "Q2"}``."""
    parsed: dict[str, str] = {}
    for option in options:
        name, sep, column = option.partition("=")
        name, column = name.strip(), column.strip()
        if not sep or not column:
            raise InvalidInput("--question", f"{option!r}: write QUESTION=COLUMN, e.g. nps=Q1")
        if name not in QUESTIONS:
            raise InvalidInput("--question", f"{name!r} is not one of {', '.join(QUESTIONS)}")
        parsed[name] = column
    return parsed


def load_mapping(
    mapping_file: Path | None = None,
    preset: str | None = None,
    questions: Sequence[str] = (),
    survey: str | None = None,
) -> LoadedMapping:
    """The mapping from a file and/or a preset, with ``--question``/``--survey`` on top."""
    user: dict[str, Any] = {}
    source = "(command line)"
    loaded = LoadedYaml({})
    if mapping_file is not None:
        source = str(mapping_file)
        try:
            text = mapping_file.read_text(encoding="utf-8")
        except OSError as error:
            raise InvalidInput("--mapping", f"cannot read {mapping_file}: {error}") from error
        try:
            loaded = load_yaml(text, source)
        except StrategyFileInvalid as error:
            raise MappingInvalid(source, error.errors) from None
        if not isinstance(loaded.data, dict):
            raise MappingInvalid(
                source, [DocumentError(1, "", "the mapping must be a YAML mapping")]
            )
        user = loaded.data
    elif preset is None:
        raise InvalidInput("--mapping", "give a mapping file (--mapping MAP.yaml) or --preset NAME")
    preset_name = preset or user.get("preset")
    base: dict[str, Any] = _packaged("_scales")  # common scale texts, under everything
    if preset_name is not None:
        if not isinstance(preset_name, str):
            raise MappingInvalid(source, [loaded.error(("preset",), "must be a preset name")])
        try:
            base = _merged(base, _preset_data(preset_name, "--preset" if preset else "preset"))
        except InvalidInput as error:
            if preset:
                raise
            raise MappingInvalid(source, [loaded.error(("preset",), error.message)]) from None
        base = _merged(base, {"preset": preset_name})
    merged = _merged(base, user)
    cli_questions = parse_questions(questions)
    if cli_questions:
        merged["questions"] = {**merged.get("questions", {}), **cli_questions}
    if survey is not None:
        merged["survey"] = survey
    try:
        mapping = FileMapping.model_validate(merged)
    except ValidationError as error:
        result = LoadedMapping(FileMapping(), source, loaded.lines, frozenset(cli_questions))
        problems = [
            result._document_error(tuple(item["loc"]), item["msg"].removeprefix("Value error, "))
            for item in error.errors()
        ]
        raise MappingInvalid(source, problems) from None
    named = user.get("columns")
    result = LoadedMapping(
        mapping,
        source,
        loaded.lines,
        frozenset(cli_questions),
        frozenset(named) if isinstance(named, dict) else frozenset(),
    )
    if not mapping.questions:
        raise result.error(
            ("questions",),
            "map at least one question to a column (questions: {nps: Q1} or --question nps=Q1)",
        )
    user_values = user.get("values")
    for name in user_values if isinstance(user_values, dict) else ():
        if name not in mapping.questions:
            raise result.error(("values", name), f"{name} is not mapped under questions")
    return result
