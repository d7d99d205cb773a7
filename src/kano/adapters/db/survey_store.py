"""Surveys with their definitions, and responses answered against a definition.

The builder page reads and saves definitions here (audited); the public link page, the
widget and staff entry hand their answers to :func:`submit_answers`, which goes through
``feedback_intake.accept_response`` (customer, response, its answers that have no score
column, acknowledgement outbox, case), all in the caller's transaction. The REST API
checks its answers against :func:`definitions_of`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Text, cast, func, select
from sqlalchemy.orm import Session

from kano.adapters import json_codec
from kano.adapters.db.accounts import audit
from kano.adapters.db.feedback_intake import Accepted, Submission, accept_response
from kano.adapters.db.orm import (
    FeedbackResponse,
    OutboxMessageRow,
    ResponseAnswerRow,
    Survey,
    SurveyDefinitionRow,
    Touchpoint,
    utcnow,
)
from kano.adapters.db.quotas import settle_quotas_for
from kano.domain.feedback.survey_status import SurveyStatus
from kano.domain.feedback.surveys import (
    CHOICE_TYPES,
    KEY_PATTERN,
    ExtraAnswer,
    KanoCategory,
    SurveyAnswers,
    SurveyDefinition,
    checked_definition,
    text_in,
)
from kano.domain.shared.errors import InvalidInput, NotFound

NAME_MAX_LENGTH = 200


@dataclass(frozen=True)
class SurveyLine:
    key: str
    name: str
    touchpoint: str | None
    questions: int
    touchpoint_name: str | None = None
    """The touchpoint as the journey map names it (the list shows it; the key is for
    the CLI and the API)."""
    status: str = SurveyStatus.OPEN


@dataclass(frozen=True)
class DefinedSurvey:
    row: Survey
    touchpoint: str | None
    definition: SurveyDefinition

    @property
    def closed(self) -> bool:
        return self.row.status == SurveyStatus.CLOSED


def surveys_of(session: Session, workspace_id: int) -> list[SurveyLine]:
    rows = session.execute(
        select(Survey.key, Survey.name, Touchpoint.key, SurveyDefinitionRow.definition,
               Touchpoint.name, Survey.status)
        .outerjoin(Touchpoint, (Touchpoint.id == Survey.touchpoint_id)
                   & (Touchpoint.workspace_id == workspace_id))
        .outerjoin(SurveyDefinitionRow, (SurveyDefinitionRow.survey_id == Survey.id)
                   & (SurveyDefinitionRow.workspace_id == workspace_id))
        .where(Survey.workspace_id == workspace_id)
        .order_by(Survey.key)
    ).all()
    return [SurveyLine(key, name, touchpoint, len((definition or {}).get("questions", [])),
                       touchpoint_name, status)
            for key, name, touchpoint, definition, touchpoint_name, status in rows]


def touchpoints_of(session: Session, workspace_id: int) -> list[tuple[str, str]]:
    return [(key, name) for key, name in session.execute(
        select(Touchpoint.key, Touchpoint.name)
        .where(Touchpoint.workspace_id == workspace_id).order_by(Touchpoint.key)
    )]


def defined_survey(session: Session, workspace_id: int, key: str) -> DefinedSurvey:
    """The survey with its definition (no questions yet: an empty one), or NotFound."""
    row = session.scalars(
        select(Survey).where(Survey.workspace_id == workspace_id, Survey.key == key)
    ).first()
    if row is None:
        raise NotFound("survey", key)
    stored = session.scalars(
        select(SurveyDefinitionRow.definition).where(
            SurveyDefinitionRow.workspace_id == workspace_id,
            SurveyDefinitionRow.survey_id == row.id,
        )
    ).first()
    touchpoint = None
    if row.touchpoint_id is not None:
        touchpoint = session.scalars(select(Touchpoint.key).where(
            Touchpoint.workspace_id == workspace_id, Touchpoint.id == row.touchpoint_id)).first()
    definition = checked_definition(stored) if stored else SurveyDefinition(())
    return DefinedSurvey(row, touchpoint, definition)


def _touchpoint_id(session: Session, workspace_id: int, key: str | None) -> int | None:
    if not key:
        return None
    found = session.scalars(select(Touchpoint.id).where(
        Touchpoint.workspace_id == workspace_id, Touchpoint.key == key)).first()
    if found is None:
        raise InvalidInput("touchpoint", f"no touchpoint {key!r} in this workspace")
    return found


def _name(name: str) -> str:
    name = name.strip()
    if not 0 < len(name) <= NAME_MAX_LENGTH:
        raise InvalidInput("name", f"write a name of 1 to {NAME_MAX_LENGTH} characters")
    return name


def create_survey(session: Session, workspace_id: int, key: str, name: str,
                  touchpoint: str | None, actor: str, user_id: int | None) -> Survey:
    if not KEY_PATTERN.match(key):
        raise InvalidInput("key", "use 1–40 lower-case letters, digits, - or _")
    exists = session.scalar(select(func.count()).select_from(Survey).where(
        Survey.workspace_id == workspace_id, Survey.key == key))
    if exists:
        raise InvalidInput("key", f"the survey {key!r} exists already")
    row = Survey(workspace_id=workspace_id, key=key, name=_name(name),
                 touchpoint_id=_touchpoint_id(session, workspace_id, touchpoint))
    session.add(row)
    session.flush()
    audit(session, workspace_id, actor, "create", "survey", key,
          {"name": row.name, "touchpoint": touchpoint}, user_id=user_id)
    return row


def save_survey(session: Session, workspace_id: int, key: str, *, name: str,
                touchpoint: str | None, definition: SurveyDefinition, actor: str,
                user_id: int | None, remove_quotas: bool = False) -> list[str]:
    """Rename, re-link and replace the questions of a survey, audited (the caller commits).

    A definition that removes a question or option a quota counts raises
    ``QuotasLoseAnswer`` naming the quotas, or with ``remove_quotas`` deletes them
    (``quotas.settle_quotas_for``); the names of the quotas deleted."""
    survey = defined_survey(session, workspace_id, key)
    removed = settle_quotas_for(session, workspace_id, key, survey.definition, definition,
                                remove_quotas=remove_quotas, actor=actor, user_id=user_id)
    row = survey.row
    row.name = _name(name)
    row.touchpoint_id = _touchpoint_id(session, workspace_id, touchpoint)
    stored = session.scalars(select(SurveyDefinitionRow).where(
        SurveyDefinitionRow.workspace_id == workspace_id,
        SurveyDefinitionRow.survey_id == row.id)).first()
    document = definition.to_dict()
    if stored is None:
        session.add(SurveyDefinitionRow(workspace_id=workspace_id, survey_id=row.id,
                                        definition=document, updated_at=utcnow()))
    else:
        stored.definition = document
        stored.updated_at = utcnow()
    audit(session, workspace_id, actor, "update", "survey", key,
          {"name": row.name, "touchpoint": touchpoint,
           "questions": [q.key for q in definition.questions]}, user_id=user_id)
    return removed


def set_survey_status(session: Session, workspace_id: int, key: str, status: SurveyStatus, *,
                      actor: str, user_id: int | None) -> bool:
    """Close or reopen the survey, audited ("close" / "reopen"); False when it was so
    already (nothing written). NotFound: no such survey. The caller commits."""
    row = defined_survey(session, workspace_id, key).row
    if row.status == status:
        return False
    row.status = status.value
    audit(session, workspace_id, actor,
          "close" if status is SurveyStatus.CLOSED else "reopen", "survey", key,
          {"status": status.value}, user_id=user_id)
    return True


def seed_demo_definitions(session: Session, workspace_id: int) -> int:
    """Give the demo surveys their questions (those without a definition); how many."""
    # Imported here: importing kano.demo runs its package, whose generator loads numpy,
    # scipy and pyarrow -- a cost every server start would pay for this one demo step.
    from kano.demo.survey_definitions import DEMO_SURVEY_DEFINITIONS

    rows = session.execute(
        select(Survey.id, Survey.key)
        .outerjoin(SurveyDefinitionRow, SurveyDefinitionRow.survey_id == Survey.id)
        .where(Survey.workspace_id == workspace_id, SurveyDefinitionRow.id.is_(None))
    ).all()
    added = 0
    for survey_id, key in rows:
        document = DEMO_SURVEY_DEFINITIONS.get(key)
        if document is None:
            continue
        session.add(SurveyDefinitionRow(
            workspace_id=workspace_id, survey_id=survey_id,
            definition=checked_definition(document).to_dict(), updated_at=utcnow()))
        added += 1
    return added


def definitions_of(
    session: Session, workspace_id: int, survey_keys: Collection[str]
) -> dict[str, SurveyDefinition | None]:
    """Each of ``survey_keys`` that names a survey of the workspace, with its definition
    (None: no questions of its own, so the fixed score keys), in one query: what API
    answers are checked against. A key missing here names no survey."""
    keys = sorted(set(survey_keys))
    if not keys:
        return {}
    rows = session.execute(
        select(Survey.key, cast(SurveyDefinitionRow.definition, Text))
        .outerjoin(SurveyDefinitionRow, (SurveyDefinitionRow.survey_id == Survey.id)
                   & (SurveyDefinitionRow.workspace_id == workspace_id))
        .where(Survey.workspace_id == workspace_id, Survey.key.in_(keys))
    ).all()
    return {key: _parsed_definition(document) for key, document in rows}


_PARSED: dict[str, SurveyDefinition | None] = {}  # stored JSON text → its definition
_PARSED_MAX = 512
_UNPARSED = object()


def _parsed_definition(document: str | None) -> SurveyDefinition | None:
    """The definition stored as ``document``, parsed once per process and text: every
    API request checks its answers against it, and parsing and checking the demo's
    survey cost ~5 % of a bulk request's server CPU (py-spy). Keyed by the stored text
    itself, so an edited survey is a new key and never read stale."""
    if document is None:
        return None
    known = _PARSED.get(document, _UNPARSED)
    if known is not _UNPARSED:
        return known  # type: ignore[return-value]
    raw = json_codec.loads(document)
    definition = checked_definition(raw) if raw else None
    parsed = definition if definition is not None and definition.questions else None
    if len(_PARSED) >= _PARSED_MAX:
        _PARSED.clear()
    _PARSED[document] = parsed
    return parsed


def answers_of(session: Session, workspace_id: int, response_id: int) -> list[ExtraAnswer]:
    """One response's answers beyond the score columns, in the order they were stored."""
    rows = session.execute(
        select(ResponseAnswerRow.question, ResponseAnswerRow.value,
               ResponseAnswerRow.kano_category)
        .where(ResponseAnswerRow.workspace_id == workspace_id,
               ResponseAnswerRow.response_id == response_id)
        .order_by(ResponseAnswerRow.id)
    ).all()
    return [ExtraAnswer(question, value, KanoCategory(category) if category else None)
            for question, value, category in rows]


@dataclass(frozen=True)
class AnswerLine:
    """One extra answer of a response as a page shows it."""

    question: str  # the question's text in the page's language; its key once it is gone
    kind: str  # "choice", "text" or "kano"
    values: tuple[str, ...]  # choice labels; the text; a Kano pair's two answer keys
    kano_category: str | None = None


def answer_lines(session: Session, workspace_id: int, response_id: int,
                 language: str) -> list[AnswerLine]:
    """The response's answers beyond the score columns, labelled by its survey's current
    questions in ``language`` (a question since removed shows its key, a choice since
    removed its key): two queries, none when the response has no such answers."""
    answers = answers_of(session, workspace_id, response_id)
    if not answers:
        return []
    document = session.scalar(
        select(SurveyDefinitionRow.definition)
        .join(FeedbackResponse, (FeedbackResponse.survey_id == SurveyDefinitionRow.survey_id)
              & (FeedbackResponse.workspace_id == workspace_id))
        .where(SurveyDefinitionRow.workspace_id == workspace_id,
               FeedbackResponse.id == response_id)
    )
    definition = checked_definition(document) if document else SurveyDefinition(())
    lines = []
    for answer in answers:
        question = definition.question(answer.question)
        text = text_in(question.text, language) if question else answer.question
        if answer.kano_category is not None:
            functional, _, dysfunctional = answer.value.partition("/")
            lines.append(AnswerLine(text, "kano", (functional, dysfunctional),
                                    answer.kano_category.value))
        elif question is not None and question.type in CHOICE_TYPES:
            labels = {c.key: text_in(c.label, language) for c in question.choices}
            keys = answer.value.split(",")
            lines.append(AnswerLine(text, "choice", tuple(labels.get(k, k) for k in keys)))
        else:
            lines.append(AnswerLine(text, "text", (answer.value,)))
    return lines


@dataclass(frozen=True)
class Respondent:
    email: str | None = None
    external_id: str | None = None
    name: str | None = None


def submit_answers(session: Session, workspace_id: int, survey_key: str, channel: str,
                   answers: SurveyAnswers, *, language: str | None, email_enabled: bool,
                   respondent: Respondent | None = None,
                   refuse_when_full: bool = False) -> Accepted:
    """One response, with its answers beyond the score columns, through the intake.

    ``refuse_when_full``: the public link page and the widget (collection channels) are
    refused by a full quota (``QuotaFull``; the caller rolls back); staff entry records
    what a customer said elsewhere and is counted, never refused."""
    who = respondent or Respondent()
    accepted = accept_response(session, workspace_id, Submission(
        survey=survey_key, channel=channel, answers=answers.scores,
        customer_email=who.email, customer_external_id=who.external_id,
        customer_name=who.name, language=language, extra=answers.extra,
    ), email_enabled=email_enabled, refuse_when_full=refuse_when_full)
    return accepted


def acknowledgement_emailed(session: Session, workspace_id: int, response_id: int) -> bool:
    """Whether the response's acknowledgement e-mail is in the outbox: the thank-you page
    promises a confirmation only then (no mail server, no address, or an opted-out
    customer: none is sent)."""
    return session.scalar(select(OutboxMessageRow.id).where(
        OutboxMessageRow.workspace_id == workspace_id,
        OutboxMessageRow.response_id == response_id,
        OutboxMessageRow.kind == "email",
        OutboxMessageRow.purpose == "acknowledgement").limit(1)) is not None


@dataclass(frozen=True)
class AnswerCounts:
    responses: int
    choices: dict[str, dict[str, int]]  # question → choice key → answers
    kano: dict[str, dict[str, int]]  # question → Kano category → answers


def answer_counts(session: Session, workspace_id: int, survey_id: int,
                  questions: Collection[str]) -> AnswerCounts:
    """How the survey's responses answered ``questions`` (its choice questions and Kano
    pairs)."""
    responses = session.scalar(select(func.count()).select_from(FeedbackResponse).where(
        FeedbackResponse.workspace_id == workspace_id,
        FeedbackResponse.survey_id == survey_id)) or 0
    rows = session.execute(
        select(ResponseAnswerRow.question, ResponseAnswerRow.value,
               ResponseAnswerRow.kano_category, func.count())
        .join(FeedbackResponse, (FeedbackResponse.id == ResponseAnswerRow.response_id)
              & (FeedbackResponse.workspace_id == workspace_id))
        .where(ResponseAnswerRow.workspace_id == workspace_id,
               FeedbackResponse.survey_id == survey_id,
               ResponseAnswerRow.question.in_(list(questions)))
        .group_by(ResponseAnswerRow.question, ResponseAnswerRow.value,
                  ResponseAnswerRow.kano_category)
    ).all()
    choices: dict[str, dict[str, int]] = {}
    kano: dict[str, dict[str, int]] = {}
    for question, value, category, count in rows:
        if category is not None:
            by_category = kano.setdefault(question, {})
            by_category[category] = by_category.get(category, 0) + count
            continue
        by_choice = choices.setdefault(question, {})
        for key in value.split(","):
            by_choice[key] = by_choice.get(key, 0) + count
    return AnswerCounts(int(responses), choices, kano)
