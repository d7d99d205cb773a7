"""E-mail invitations to a survey: who is invited, who is skipped and why, one reminder.

``invite`` picks the contacts (a segment, a list of external ids / e-mails, or everyone),
skips those who opted out of contact, have no e-mail address, whose answer would meet a
full quota of the survey ("quota full", ``kano.domain.feedback.quotas``), or were invited
to any survey within the fatigue window, and for each of the others writes an invitation row
and its e-mail to the outbox in the caller's transaction (so an invitation exists if and
only if its e-mail will go out). Each e-mail carries a link with a signed token naming
the invitation's random nonce; ``claim_answer`` lets exactly one response through it.

``queue_due_reminders`` (a ``kano worker`` job) gives every invitation that is still
unanswered after its workspace's reminder delay, and whose first e-mail went out, exactly
one reminder: a conditional UPDATE of ``reminded_at`` is the claim, and the reminder's
outbox dedupe key is unique besides. A reminder whose answer would meet a full quota
waits until the quota has room.

The fatigue window and the reminder delay are each workspace's
(``feedback_settings.invitation_policy``; the server's ``KANO_SURVEY_FATIGUE_DAYS`` and
``KANO_SURVEY_REMINDER_DAYS`` where a workspace set none).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, insert, or_, select, update
from sqlalchemy.orm import Session, aliased

from kano.adapters.db.accounts import audit
from kano.adapters.db.feedback_settings import reminder_days_by_workspace
from kano.adapters.db.orm import (
    Customer,
    InvitationRow,
    OutboxMessageRow,
    Segment,
    Survey,
    SurveyDefinitionRow,
    SurveyQuotaRow,
    utcnow,
)
from kano.adapters.db.quotas import quotas_of
from kano.adapters.db.segments import customers_in_segment
from kano.adapters.db.survey_store import defined_survey
from kano.adapters.messaging.invitation import invitation_text
from kano.domain.feedback.answers import LANGUAGES
from kano.domain.feedback.bounces import email_undeliverable
from kano.domain.feedback.invitation_policy import InvitationPolicy as InvitationPolicy
from kano.domain.feedback.quotas import Quota, ResponseFacts, first_full
from kano.domain.feedback.survey_status import SurveyClosed, SurveyStatus
from kano.domain.feedback.surveys import text_in
from kano.domain.shared.errors import InvalidInput, NotFound

LinkFor = Callable[[str, str], str]
"""``link_for(nonce, language)``: the full public URL of an invitation."""

MAX_CONTACTS = 50_000
BATCH = 1_000
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
REMINDER_BATCH = 500


@dataclass(frozen=True)
class Contact:
    external_id: str
    email: str | None


@dataclass(frozen=True)
class Skip:
    contact: str
    reason: str


@dataclass
class InviteReport:
    survey: str
    dry_run: bool
    invited: list[Contact] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "survey": self.survey,
            "dry_run": self.dry_run,
            "invited": len(self.invited),
            "skipped": len(self.skipped),
            "invitations": [
                {"external_id": c.external_id, "email": c.email} for c in self.invited
            ],
            "skips": [{"contact": s.contact, "reason": s.reason} for s in self.skipped],
        }


def _contacts(
    session: Session,
    workspace_id: int,
    segment: str | None,
    identifiers: Sequence[str] | None,
    report: InviteReport,
) -> list[Customer]:
    query = select(Customer).where(Customer.workspace_id == workspace_id)
    if segment is not None and identifiers is not None:
        raise InvalidInput("segment", "choose a segment or a list of customers, not both")
    if segment is not None:
        chosen = session.execute(
            select(Segment.id, Segment.source).where(
                Segment.workspace_id == workspace_id, Segment.key == segment
            )
        ).first()
        if chosen is None:
            raise InvalidInput("segment", f"no segment {segment!r} in this workspace")
        if chosen.source == "manual":
            query = query.where(Customer.segment_id == chosen.id)
        else:  # a rule or computed segment: its members at the last refresh
            query = query.where(Customer.id.in_(customers_in_segment(workspace_id, segment)))
    wanted: list[str] = []
    if identifiers is not None:
        wanted = list(dict.fromkeys(i.strip() for i in identifiers if i.strip()))
        if any(CONTROL.search(i) for i in wanted):
            raise InvalidInput("customers", "external ids and e-mails hold no control characters")
        if not wanted:
            raise InvalidInput("customers", "name at least one customer (external id or e-mail)")
        if len(wanted) > MAX_CONTACTS:
            raise InvalidInput("customers", f"at most {MAX_CONTACTS} customers at a time")
        query = query.where(or_(Customer.external_id.in_(wanted), Customer.email.in_(wanted)))
    # Lock the contacts (PostgreSQL) so two concurrent runs cannot both invite one of them.
    found = list(session.scalars(query.order_by(Customer.id).with_for_update()))
    if len(found) > MAX_CONTACTS:
        raise InvalidInput("segment", f"at most {MAX_CONTACTS} customers at a time")
    if identifiers is not None:
        known = {c.external_id for c in found} | {c.email for c in found if c.email}
        report.skipped.extend(Skip(i, "unknown customer") for i in wanted if i not in known)
    return found


def _language(customer: Customer) -> str:
    language = (customer.attributes or {}).get("language")
    return language if isinstance(language, str) and language in LANGUAGES else "en"


def invite(
    session: Session,
    workspace_id: int,
    survey_key: str,
    link_for: LinkFor,
    policy: InvitationPolicy,
    *,
    segment: str | None = None,
    customers: Sequence[str] | None = None,
    dry_run: bool = False,
    actor: str = "kano",
    user_id: int | None = None,
    now: datetime | None = None,
) -> InviteReport:
    """Invite the chosen contacts to the survey (the caller commits); who was skipped and
    why. ``dry_run`` decides and reports the same, and writes nothing."""
    now = now or utcnow()
    if CONTROL.search(survey_key) or (segment is not None and CONTROL.search(segment)):
        raise InvalidInput("survey" if CONTROL.search(survey_key) else "segment",
                           "holds control characters")
    try:
        survey = defined_survey(session, workspace_id, survey_key)
    except NotFound as error:
        raise InvalidInput("survey", f"no survey {survey_key!r} in this workspace") from error
    if not survey.definition.questions:
        raise InvalidInput("survey", f"the survey {survey_key!r} has no questions yet")
    if survey.closed:
        raise SurveyClosed("survey", survey_key)
    report = InviteReport(survey=survey_key, dry_run=dry_run)
    contacts = _contacts(session, workspace_id, segment, customers, report)
    full = _full_quotas(session, workspace_id, survey.row.id)
    last_invited = _last_invitations(
        session, workspace_id, [c.id for c in contacts], now - timedelta(days=policy.fatigue_days)
    )
    addresses: set[str] = set()
    chosen: list[Customer] = []
    for customer in contacts:
        if not customer.consent_contact:
            report.skipped.append(Skip(customer.external_id, "opted out of contact"))
        elif not customer.email:
            report.skipped.append(Skip(customer.external_id, "no e-mail address"))
        elif email_undeliverable(customer.email, customer.undeliverable_email):
            report.skipped.append(Skip(customer.external_id, "e-mail bounced"))
        elif full and first_full(full, ResponseFacts(
                "email", _language(customer), customer.segment_id, survey.row.touchpoint_id)):
            report.skipped.append(Skip(customer.external_id, "quota full"))
        elif customer.id in last_invited:
            day = last_invited[customer.id].date().isoformat()
            report.skipped.append(Skip(
                customer.external_id,
                f"invited on {day}, within the {policy.fatigue_days}-day fatigue window",
            ))
        elif customer.email.lower() in addresses:
            report.skipped.append(Skip(customer.external_id, "same e-mail as another contact"))
        else:
            addresses.add(customer.email.lower())
            chosen.append(customer)
            report.invited.append(Contact(customer.external_id, customer.email))
    if dry_run:
        return report
    for start in range(0, len(chosen), BATCH):
        _send_invitations(session, workspace_id, survey.row, survey.definition.title,
                          chosen[start:start + BATCH], link_for, now)
    audit(session, workspace_id, actor, "invite", "survey", survey_key,
          {"invited": len(report.invited), "skipped": len(report.skipped),
           "segment": segment}, user_id=user_id)
    return report


def _full_quotas(session: Session, workspace_id: int, survey_id: int) -> list[Quota]:
    """The survey's full quotas that stop invitations (on every channel or on e-mail): a
    contact whose answer would count against one is skipped, "quota full" (their answer
    would be refused). One query."""
    quotas = quotas_of(session, workspace_id, [survey_id]).get(survey_id, [])
    return [q for q in quotas if q.full and q.stops_invitations]


def _last_invitations(
    session: Session, workspace_id: int, customer_ids: list[int], since: datetime
) -> dict[int, datetime]:
    """Each contact's latest invitation (to any survey) after ``since``."""
    latest: dict[int, datetime] = {}
    for start in range(0, len(customer_ids), 1000):
        chunk = customer_ids[start:start + 1000]
        latest.update(session.execute(
            select(InvitationRow.customer_id, func.max(InvitationRow.invited_at))
            .where(
                InvitationRow.workspace_id == workspace_id,
                InvitationRow.customer_id.in_(chunk),
                InvitationRow.invited_at > since,
            )
            .group_by(InvitationRow.customer_id)
        ).all())
    return latest


def subject_title(title: Mapping[str, str] | None, language: str, name: str) -> str:
    """What an invitation's subject calls the survey: its title for respondents in the
    contact's language (else English), else its name when it has no title."""
    return text_in(title or {}, language) or name


def _send_invitations(session: Session, workspace_id: int, survey: Survey,
                      title: Mapping[str, str], customers: list[Customer], link_for: LinkFor,
                      now: datetime) -> None:
    """The e-mails (outbox) and invitation rows of a batch: two multi-row inserts."""
    messages: list[dict[str, object]] = []
    invitations: list[dict[str, object]] = []
    for customer in customers:
        assert customer.email is not None
        nonce = secrets.token_hex(16)
        language = _language(customer)
        text = invitation_text(subject_title(title, language, survey.name), customer.name,
                               link_for(nonce, language), language)
        messages.append({
            "workspace_id": workspace_id, "kind": "email", "purpose": "invitation",
            "dedupe_key": f"invitation-{nonce}", "recipient": customer.email,
            "payload": {"subject": text.subject, "body": text.body, "language": language}})
        invitations.append({
            "workspace_id": workspace_id, "survey_id": survey.id, "customer_id": customer.id,
            "email": customer.email, "language": language, "nonce": nonce, "invited_at": now})
    message_ids = session.scalars(
        insert(OutboxMessageRow).returning(OutboxMessageRow.id, sort_by_parameter_order=True),
        messages,
    ).all()
    for invitation, message_id in zip(invitations, message_ids, strict=True):
        invitation["message_id"] = message_id
    session.execute(insert(InvitationRow), invitations)


# --- answering through an invitation -------------------------------------------------


@dataclass(frozen=True)
class OpenInvitation:
    id: int
    customer_external_id: str
    language: str
    answered: bool


def find_invitation(
    session: Session, workspace_id: int, survey_id: int, nonce: str
) -> OpenInvitation | None:
    row = session.execute(
        select(InvitationRow.id, Customer.external_id, InvitationRow.language,
               InvitationRow.response_id)
        .join(Customer, Customer.id == InvitationRow.customer_id)
        .where(InvitationRow.workspace_id == workspace_id, InvitationRow.survey_id == survey_id,
               InvitationRow.nonce == nonce)
    ).first()
    if row is None:
        return None
    return OpenInvitation(row[0], row[1], row[2], row[3] is not None)


def claim_answer(session: Session, invitation_id: int, response_id: int,
                 now: datetime | None = None) -> bool:
    """Record the invitation's answer; False when another answer got there first (the
    caller then rolls back). On PostgreSQL a concurrent claim waits for this one's
    transaction and then finds ``response_id`` set."""
    result = session.execute(
        update(InvitationRow)
        .where(InvitationRow.id == invitation_id, InvitationRow.response_id.is_(None))
        .values(response_id=response_id, answered_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


# --- the reminder ----------------------------------------------------------------------


def _invited_long_enough_ago(session: Session, default_days: int,
                             now: datetime) -> ColumnElement[bool]:
    """Invited at least the workspace's reminder delay ago: one condition per distinct
    delay that workspaces set (few), the server default for every other workspace."""
    own = {ws: days for ws, days in reminder_days_by_workspace(session).items()
           if days != default_days}
    by_days: dict[int, list[int]] = {}
    for workspace_id, days in own.items():
        by_days.setdefault(days, []).append(workspace_id)
    default = InvitationRow.invited_at <= now - timedelta(days=default_days)
    if own:
        default = and_(InvitationRow.workspace_id.not_in(list(own)), default)
    return or_(default, *(
        and_(InvitationRow.workspace_id.in_(workspaces),
             InvitationRow.invited_at <= now - timedelta(days=days))
        for days, workspaces in sorted(by_days.items())
    ))


def queue_due_reminders(session: Session, link_for_workspace: Callable[[int, str], LinkFor],
                        defaults: InvitationPolicy, now: datetime | None = None) -> int:
    """Queue the one reminder of every due invitation (all workspaces); how many.

    Due: unanswered, not reminded, invited at least the workspace's reminder delay ago
    (``defaults.reminder_days`` unless the workspace set its own), its first e-mail sent
    (not failed, not still queued), the contact still consenting.
    """
    now = now or utcnow()
    first = aliased(OutboxMessageRow)
    due = session.execute(
        select(InvitationRow.id, InvitationRow.workspace_id, InvitationRow.nonce,
               InvitationRow.language, InvitationRow.email, Survey.key, Survey.name,
               Customer.name, SurveyDefinitionRow.definition)
        .join(first, first.id == InvitationRow.message_id)
        .join(Survey, Survey.id == InvitationRow.survey_id)
        .outerjoin(SurveyDefinitionRow, SurveyDefinitionRow.survey_id == Survey.id)
        .join(Customer, Customer.id == InvitationRow.customer_id)
        .where(
            InvitationRow.reminded_at.is_(None),
            InvitationRow.answered_at.is_(None),
            Survey.status == SurveyStatus.OPEN,  # a closed survey takes no answers
            _invited_long_enough_ago(session, defaults.reminder_days, now),
            first.status == "sent",
            Customer.consent_contact.is_(True),
            or_(  # no reminder to an address that bounced since (see bounces.py)
                Customer.undeliverable_email.is_(None),
                func.lower(Customer.undeliverable_email) != func.lower(InvitationRow.email),
            ),
            ~_meets_a_full_quota(),
        )
        .order_by(InvitationRow.id)
        .limit(REMINDER_BATCH)
    ).all()
    if not due:
        return 0
    # The claim: only rows still unreminded and unanswered come back (a concurrent worker
    # or answer that got there first leaves them out).
    claimed = set(session.scalars(
        update(InvitationRow)
        .where(InvitationRow.id.in_([row[0] for row in due]),
               InvitationRow.reminded_at.is_(None), InvitationRow.answered_at.is_(None))
        .values(reminded_at=now)
        .returning(InvitationRow.id)
        .execution_options(synchronize_session=False)
    ).all())
    mine = [row for row in due if row[0] in claimed]
    if not mine:
        return 0
    messages = []
    for (_invitation_id, workspace_id, nonce, language, email, key, survey_name, name,
         document) in mine:
        link = link_for_workspace(workspace_id, key)(nonce, language)
        title = subject_title((document or {}).get("title"), language, survey_name)
        text = invitation_text(title, name, link, language, reminder=True)
        messages.append({
            "workspace_id": workspace_id, "kind": "email", "purpose": "invitation-reminder",
            "dedupe_key": f"invitation-reminder-{nonce}", "recipient": email,
            "payload": {"subject": text.subject, "body": text.body, "language": language}})
    message_ids = session.scalars(
        insert(OutboxMessageRow).returning(OutboxMessageRow.id, sort_by_parameter_order=True),
        messages,
    ).all()
    session.execute(
        update(InvitationRow),
        [{"id": row[0], "reminder_message_id": message_id}
         for row, message_id in zip(mine, message_ids, strict=True)],
    )
    queued = len(mine)
    return queued


def _meets_a_full_quota() -> ColumnElement[bool]:
    """SQL for "the answer to this invitation would meet a full quota that stops
    invitations" (the link page would refuse it, so the reminder would only annoy):
    ``QuotaCondition.matches`` for an e-mail answer in the invitation's language from the
    customer's segment at the survey's touchpoint, in SQL, so such invitations never fill
    a batch of due reminders. Its tests: tests/integration/invitations/test_invitation_quotas.py."""
    quota = SurveyQuotaRow
    return (
        select(quota.id)
        .where(
            quota.survey_id == InvitationRow.survey_id,
            quota.filled >= quota.response_limit,
            quota.question_key.is_(None),  # Quota.stops_invitations: not an answer quota
            or_(quota.channel.is_(None), quota.channel == "email"),  # INVITATION_CHANNELS
            or_(quota.language.is_(None), quota.language == InvitationRow.language),
            or_(quota.segment_id.is_(None), quota.segment_id == Customer.segment_id),
            or_(quota.touchpoint_id.is_(None), quota.touchpoint_id == Survey.touchpoint_id),
        )
        .exists()
    )


# --- status ------------------------------------------------------------------------------

STATUSES = ("queued", "sent", "reminded", "answered", "bounced", "failed")


def invitation_status(answered: bool, reminded: bool, first_status: str | None,
                      reminder_status: str | None) -> str:
    """answered > bounced (the relay returned the e-mail) > failed (it could not be
    delivered) > reminded > sent > queued (the e-mail still in the outbox)."""
    if answered:
        return "answered"
    if first_status == "bounced" or reminder_status == "bounced":
        return "bounced"
    if first_status == "failed" or reminder_status == "failed":
        return "failed"
    if reminded:
        return "reminded"
    return "sent" if first_status == "sent" else "queued"


@dataclass(frozen=True)
class InvitationLine:
    id: int
    survey: str
    customer: str
    email: str
    invited_at: datetime
    reminded_at: datetime | None
    answered_at: datetime | None
    response_id: int | None
    status: str
    error: str | None


def invitations_of(session: Session, workspace_id: int, *, survey: str | None = None,
                   customer: str | None = None, limit: int = 200,
                   after_id: int | None = None) -> list[InvitationLine]:
    """Newest first; with ``after_id`` (the API's pages) those with a greater id, in id
    order."""
    first = aliased(OutboxMessageRow)
    reminder = aliased(OutboxMessageRow)
    query = (
        select(InvitationRow, Survey.key, Customer.external_id, first.status, first.last_error,
               reminder.status, reminder.last_error)
        .join(Survey, Survey.id == InvitationRow.survey_id)
        .join(Customer, Customer.id == InvitationRow.customer_id)
        .outerjoin(first, first.id == InvitationRow.message_id)
        .outerjoin(reminder, reminder.id == InvitationRow.reminder_message_id)
        .where(InvitationRow.workspace_id == workspace_id)
    )
    if survey is not None:
        query = query.where(Survey.key == survey)
    if customer is not None:
        query = query.where(Customer.external_id == customer)
    if after_id is not None:
        query = query.where(InvitationRow.id > after_id).order_by(InvitationRow.id)
    else:
        query = query.order_by(InvitationRow.invited_at.desc(), InvitationRow.id.desc())
    rows = session.execute(query.limit(limit)).all()
    return [
        InvitationLine(
            id=row.id, survey=key, customer=external_id, email=row.email,
            invited_at=row.invited_at, reminded_at=row.reminded_at,
            answered_at=row.answered_at, response_id=row.response_id,
            status=invitation_status(row.response_id is not None, row.reminded_at is not None,
                                     first_status, reminder_status),
            error=first_error or reminder_error,
        )
        for row, key, external_id, first_status, first_error, reminder_status, reminder_error
        in rows
    ]
