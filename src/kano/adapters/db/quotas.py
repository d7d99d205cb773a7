"""Survey quotas in the app database: their management (audited) and their counters.

The rules (what matches, which channels are refused, why recording channels are not) are
in :mod:`kano.domain.feedback.quotas`. Here:

- **Counting exactly under concurrency.** Each quota is one row with a ``filled`` counter,
  updated in the same transaction as the response it counts. A collection channel takes
  its place with ``UPDATE survey_quotas SET filled = filled + 1 WHERE id = :id AND
  filled < response_limit``: on PostgreSQL a second transaction racing for the last
  place waits for the first one's row lock and then re-checks the condition against the
  committed row, finds it full and updates nothing (the caller rolls back and stores
  nothing); SQLite has one writer at a time. Places are taken in quota id order, so two
  responses that match the same two quotas cannot deadlock. Recording channels (API,
  bulk, staff entry, import) add to the counters without a condition: they are counted,
  never refused (refusing would lose feedback the customer already gave).
- **A survey without quotas costs nothing extra**: the single intake learns whether the
  survey has quotas from the query that finds the survey, the set-based intake from the
  query that finds the batch's surveys; only then are quotas read (one query) and updated
  (one UPDATE per quota per response, or per quota per batch).
- **An answer quota** (one option of a choice question) matches on the response's extra
  answers, which every intake has in hand already: no query more per response or batch.
- **A new quota starts at the responses that match it already** (counted once, when it is
  created; a response being stored in that same instant by a transaction that did not
  see the quota yet may be missed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, ScalarSelect, func, literal, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from kano.adapters.db.accounts import audit
from kano.adapters.db.orm import (
    Customer,
    FeedbackResponse,
    ResponseAnswerRow,
    Segment,
    Survey,
    SurveyDefinitionRow,
    SurveyQuotaRow,
    Touchpoint,
)
from kano.domain.feedback.quotas import (
    Quota,
    QuotaCondition,
    QuotaFull,
    QuotasLoseAnswer,
    ResponseFacts,
    answer_asked,
    checked_answer,
    checked_channel,
    checked_language,
    checked_limit,
    checked_name,
    matching,
)
from kano.domain.feedback.surveys import SurveyDefinition, checked_definition
from kano.domain.shared.errors import InvalidInput, NotFound


def _quota(row: SurveyQuotaRow) -> Quota:
    return Quota(row.id, row.name, row.response_limit, row.filled, QuotaCondition(
        row.channel, row.language, row.segment_id, row.touchpoint_id, row.question_key,
        row.option_key))


def quotas_of(session: Session, workspace_id: int,
              survey_ids: Sequence[int]) -> dict[int, list[Quota]]:
    """The quotas of each survey (surveys without any are left out), one query."""
    found: dict[int, list[Quota]] = {}
    if not survey_ids:
        return found
    for row in session.scalars(
        select(SurveyQuotaRow)
        .where(SurveyQuotaRow.workspace_id == workspace_id,
               SurveyQuotaRow.survey_id.in_(sorted(set(survey_ids))))
        .order_by(SurveyQuotaRow.id)
    ):
        found.setdefault(row.survey_id, []).append(_quota(row))
    return found


def quota_count_of(survey_id: ColumnElement[int] | InstrumentedAttribute[int]
                   ) -> ScalarSelect[int]:
    """A scalar subquery: how many quotas the survey has (for the query that finds it)."""
    return (
        select(func.count(SurveyQuotaRow.id))
        .where(SurveyQuotaRow.survey_id == survey_id)
        .scalar_subquery()
    )


# --- counting ---------------------------------------------------------------------------


def take_places(session: Session, quotas: Sequence[Quota], response: ResponseFacts, *,
                refuse_when_full: bool) -> None:
    """Count one response against every quota it matches, in the caller's transaction.

    ``refuse_when_full`` (collection channels): raises :class:`QuotaFull` naming the
    first quota with no place left; the caller must roll back (places taken before it in
    this call are part of the transaction)."""
    matched = matching(quotas, response)
    if not matched:
        return
    if not refuse_when_full:
        session.execute(
            update(SurveyQuotaRow)
            .where(SurveyQuotaRow.id.in_([q.id for q in matched]))
            .values(filled=SurveyQuotaRow.filled + 1)
            .execution_options(synchronize_session=False)
        )
        return
    for quota in matched:  # id order: see the module docstring
        result = session.execute(
            update(SurveyQuotaRow)
            .where(SurveyQuotaRow.id == quota.id,
                   SurveyQuotaRow.filled < SurveyQuotaRow.response_limit)
            .values(filled=SurveyQuotaRow.filled + 1)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise QuotaFull(quota.name)


def add_counts(session: Session, counts: Mapping[int, int]) -> None:
    """Add a batch's responses to the quotas they match: one UPDATE per quota."""
    for quota_id, count in sorted(counts.items()):
        session.execute(
            update(SurveyQuotaRow)
            .where(SurveyQuotaRow.id == quota_id)
            .values(filled=SurveyQuotaRow.filled + count)
            .execution_options(synchronize_session=False)
        )


def segments_of(session: Session, workspace_id: int,
                customer_ids: Sequence[int | None]) -> dict[int, int]:
    """The segment of each of these customers that has one, one query."""
    wanted = sorted({c for c in customer_ids if c is not None})
    if not wanted:
        return {}
    found: dict[int, int] = {}
    for start in range(0, len(wanted), 5000):
        for customer_id, segment_id in session.execute(
            select(Customer.id, Customer.segment_id).where(
                Customer.workspace_id == workspace_id,
                Customer.id.in_(wanted[start:start + 5000]),
                Customer.segment_id.is_not(None))
        ):
            if segment_id is not None:
                found[customer_id] = segment_id
    return found


def customer_segment(session: Session, workspace_id: int, external_id: str) -> int | None:
    """The segment of the customer with this external id (None: none, or no such one)."""
    return session.scalar(select(Customer.segment_id).where(
        Customer.workspace_id == workspace_id, Customer.external_id == external_id))


# --- management ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QuotaLine:
    """A quota as the builder page, the API and the CLI show it."""

    id: int
    survey: str
    name: str
    limit: int
    filled: int
    channel: str | None
    language: str | None
    segment: str | None
    touchpoint: str | None
    created_at: datetime
    question: str | None = None
    option: str | None = None
    """With ``question``: only responses that chose this option of it count."""
    orphaned: bool = False
    """The survey no longer asks its answer (the question or option was removed before
    the builder guarded it): it never matches again."""

    @property
    def full(self) -> bool:
        return self.filled >= self.limit

    @property
    def share(self) -> float:
        return min(1.0, self.filled / self.limit) if self.limit > 0 else 1.0


def _survey(session: Session, workspace_id: int, survey_key: str) -> Survey:
    survey = session.scalars(select(Survey).where(
        Survey.workspace_id == workspace_id, Survey.key == survey_key)).first()
    if survey is None:
        raise NotFound("survey", survey_key)
    return survey


def _lines(session: Session, workspace_id: int, survey: Survey,
           quota_id: int | None = None) -> list[QuotaLine]:
    query = (
        select(SurveyQuotaRow, Segment.key, Touchpoint.key)
        .outerjoin(Segment, (Segment.id == SurveyQuotaRow.segment_id)
                   & (Segment.workspace_id == workspace_id))
        .outerjoin(Touchpoint, (Touchpoint.id == SurveyQuotaRow.touchpoint_id)
                   & (Touchpoint.workspace_id == workspace_id))
        .where(SurveyQuotaRow.workspace_id == workspace_id,
               SurveyQuotaRow.survey_id == survey.id)
        .order_by(SurveyQuotaRow.id)
    )
    if quota_id is not None:
        query = query.where(SurveyQuotaRow.id == quota_id)
    rows = session.execute(query).all()
    definition = (_definition(session, workspace_id, survey)
                  if any(row.question_key is not None for row, _, _ in rows) else None)
    return [
        QuotaLine(row.id, survey.key, row.name, row.response_limit, row.filled, row.channel,
                  row.language, segment, touchpoint, row.created_at, row.question_key,
                  row.option_key, orphaned=definition is not None and not answer_asked(
                      definition, row.question_key, row.option_key))
        for row, segment, touchpoint in rows
    ]


def quota_lines(session: Session, workspace_id: int, survey_key: str) -> list[QuotaLine]:
    """The survey's quotas in the order they were added (NotFound: no such survey)."""
    return _lines(session, workspace_id, _survey(session, workspace_id, survey_key))


def quota_line(session: Session, workspace_id: int, survey_key: str,
               quota_id: int) -> QuotaLine:
    lines = _lines(session, workspace_id, _survey(session, workspace_id, survey_key), quota_id)
    if not lines:
        raise NotFound("quota", quota_id)
    return lines[0]


def touchpoint_channels(session: Session, workspace_id: int) -> list[str]:
    """The channels of the workspace's touchpoints (a quota may name one of them)."""
    return sorted(session.scalars(select(Touchpoint.channel).distinct().where(
        Touchpoint.workspace_id == workspace_id)))


def segments_of_workspace(session: Session, workspace_id: int) -> list[tuple[str, str]]:
    """(key, name) of the workspace's segments, by key."""
    return [(key, name) for key, name in session.execute(
        select(Segment.key, Segment.name).where(Segment.workspace_id == workspace_id)
        .order_by(Segment.key))]


def _segment_id(session: Session, workspace_id: int, key: str | None) -> int | None:
    if key is None or not key.strip():
        return None
    found = session.scalar(select(Segment.id).where(
        Segment.workspace_id == workspace_id, Segment.key == key.strip()))
    if found is None:
        raise InvalidInput("segment", f"no segment {key.strip()!r} in this workspace")
    return found


def _touchpoint_id(session: Session, workspace_id: int, key: str | None) -> int | None:
    if key is None or not key.strip():
        return None
    found = session.scalar(select(Touchpoint.id).where(
        Touchpoint.workspace_id == workspace_id, Touchpoint.key == key.strip()))
    if found is None:
        raise InvalidInput("touchpoint", f"no touchpoint {key.strip()!r} in this workspace")
    return found


def _matching_responses(session: Session, workspace_id: int, survey_id: int,
                        condition: QuotaCondition) -> int:
    """How many stored responses of the survey match the condition (a new quota's fill)."""
    query = select(func.count(FeedbackResponse.id)).where(
        FeedbackResponse.workspace_id == workspace_id, FeedbackResponse.survey_id == survey_id)
    if condition.channel is not None:
        query = query.where(FeedbackResponse.channel == condition.channel)
    if condition.language is not None:
        query = query.where(FeedbackResponse.language == condition.language)
    if condition.touchpoint_id is not None:
        query = query.where(FeedbackResponse.touchpoint_id == condition.touchpoint_id)
    if condition.question is not None and condition.option is not None:
        # a single choice is the option, a multi choice the options joined by ","
        listed = literal(",") + ResponseAnswerRow.value + literal(",")
        query = query.where(select(ResponseAnswerRow.id).where(
            ResponseAnswerRow.workspace_id == workspace_id,
            ResponseAnswerRow.response_id == FeedbackResponse.id,
            ResponseAnswerRow.question == condition.question,
            listed.contains(f",{condition.option},", autoescape=True)).exists())
    if condition.segment_id is not None:
        query = query.join(Customer, (Customer.id == FeedbackResponse.customer_id)
                           & (Customer.workspace_id == workspace_id)).where(
            Customer.segment_id == condition.segment_id)
    return int(session.scalar(query) or 0)


def _definition(session: Session, workspace_id: int, survey: Survey) -> SurveyDefinition:
    stored = session.scalar(select(SurveyDefinitionRow.definition).where(
        SurveyDefinitionRow.workspace_id == workspace_id,
        SurveyDefinitionRow.survey_id == survey.id))
    return checked_definition(stored) if stored else SurveyDefinition(())


def _name_taken(session: Session, survey_id: int, name: str, other_than: int | None) -> bool:
    query = select(func.count(SurveyQuotaRow.id)).where(
        SurveyQuotaRow.survey_id == survey_id, SurveyQuotaRow.name == name)
    if other_than is not None:
        query = query.where(SurveyQuotaRow.id != other_than)
    return bool(session.scalar(query))


def add_quota(session: Session, workspace_id: int, survey_key: str, *, name: str,
              limit: object, channel: str | None = None, language: str | None = None,
              segment: str | None = None, touchpoint: str | None = None,
              question: str | None = None, option: str | None = None,
              actor: str, user_id: int | None = None) -> QuotaLine:
    """A new quota on the survey, filled with the matching responses stored so far;
    audited (the caller commits). Each bad field raises InvalidInput naming it;
    ``question`` and ``option`` (both or neither) name one answer of the survey."""
    survey = _survey(session, workspace_id, survey_key)
    name = checked_name(name)
    limit = checked_limit(limit)
    channel = checked_channel(channel, touchpoint_channels(session, workspace_id)
                              if channel else ())
    language = checked_language(language)
    answer = checked_answer(_definition(session, workspace_id, survey), question, option)
    condition = QuotaCondition(channel, language, _segment_id(session, workspace_id, segment),
                               _touchpoint_id(session, workspace_id, touchpoint),
                               *(answer or (None, None)))
    if _name_taken(session, survey.id, name, None):
        raise InvalidInput("name", f"the survey has a quota named {name!r} already")
    row = SurveyQuotaRow(
        workspace_id=workspace_id, survey_id=survey.id, name=name, response_limit=limit,
        filled=_matching_responses(session, workspace_id, survey.id, condition),
        channel=condition.channel, language=condition.language,
        segment_id=condition.segment_id, touchpoint_id=condition.touchpoint_id,
        question_key=condition.question, option_key=condition.option)
    session.add(row)
    session.flush()
    audit(session, workspace_id, actor, "create", "survey-quota", f"{survey_key}/{row.id}",
          {"name": name, "limit": limit, "filled": row.filled, "channel": channel,
           "language": language, "segment": segment or None,
           "touchpoint": touchpoint or None, "question": condition.question,
           "option": condition.option}, user_id=user_id)
    return quota_line(session, workspace_id, survey_key, row.id)


def _row(session: Session, workspace_id: int, survey: Survey, quota_id: int) -> SurveyQuotaRow:
    row = session.scalars(select(SurveyQuotaRow).where(
        SurveyQuotaRow.workspace_id == workspace_id, SurveyQuotaRow.survey_id == survey.id,
        SurveyQuotaRow.id == quota_id)).first()
    if row is None:
        raise NotFound("quota", quota_id)
    return row


def change_quota(session: Session, workspace_id: int, survey_key: str, quota_id: int, *,
                 name: str | None = None, limit: object = None, actor: str,
                 user_id: int | None = None) -> QuotaLine:
    """Rename a quota or change its limit (its condition stays: delete and add another);
    audited (the caller commits)."""
    survey = _survey(session, workspace_id, survey_key)
    row = _row(session, workspace_id, survey, quota_id)
    before = {"name": row.name, "limit": row.response_limit}
    if name is not None:
        name = checked_name(name)
        if _name_taken(session, survey.id, name, row.id):
            raise InvalidInput("name", f"the survey has a quota named {name!r} already")
        row.name = name
    if limit is not None:
        row.response_limit = checked_limit(limit)
    session.flush()
    audit(session, workspace_id, actor, "update", "survey-quota", f"{survey_key}/{row.id}",
          {"before": before, "after": {"name": row.name, "limit": row.response_limit}},
          user_id=user_id)
    return quota_line(session, workspace_id, survey_key, row.id)


def delete_quota(session: Session, workspace_id: int, survey_key: str, quota_id: int, *,
                 actor: str, user_id: int | None = None) -> None:
    survey = _survey(session, workspace_id, survey_key)
    row = _row(session, workspace_id, survey, quota_id)
    audit(session, workspace_id, actor, "delete", "survey-quota", f"{survey_key}/{row.id}",
          {"name": row.name, "limit": row.response_limit, "filled": row.filled},
          user_id=user_id)
    session.delete(row)
    session.flush()


def settle_quotas_for(session: Session, workspace_id: int, survey_key: str,
                      old: SurveyDefinition, new: SurveyDefinition, *, remove_quotas: bool,
                      actor: str, user_id: int | None = None) -> list[str]:
    """Before the survey's definition goes from ``old`` to ``new``: the quotas whose
    answer ``old`` asks and ``new`` no longer does would never match again, so
    :class:`QuotasLoseAnswer` names them, unless ``remove_quotas`` (the user confirmed),
    which deletes them (audited). Their names, in the order they were added."""
    lost = [line for line in quota_lines(session, workspace_id, survey_key)
            if answer_asked(old, line.question, line.option)
            and not answer_asked(new, line.question, line.option)]
    if lost and not remove_quotas:
        raise QuotasLoseAnswer([line.name for line in lost])
    for line in lost:
        delete_quota(session, workspace_id, survey_key, line.id, actor=actor,
                     user_id=user_id)
    return [line.name for line in lost]
