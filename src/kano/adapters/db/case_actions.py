"""Changing a case of the closed loop: the one way the API and the web UI move a case along,
tag its root causes, add a note, route it to a team and give it an owner (a person). Every
change is a ``CaseEventRow`` (the audit trail); the caller commits.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kano.adapters.db.loop_closing import queue_loop_closed_messages
from kano.adapters.db.orm import CaseEventRow, CaseRow, Membership, Team, User, utcnow
from kano.domain.feedback.cases import CaseStatus, check_transition
from kano.domain.shared.errors import InvalidInput, NotFound
from kano.domain.workspaces import Role, role_allows

# A root-cause tag is any short text but a comma (the form's separator): "ox:delivery-defects",
# "Billing issue". The API's schema (``schemas/cases.RootCause``) holds the same rule for its
# JSON body; ``root_cause_tags`` is what both the API and the web form store, each tag in the
# workspace's spelling of it (``root_causes_in_use``): tags that differ only in case or
# spacing are one tag (``root_cause_key``), so cases with the same cause count together.
MAX_ROOT_CAUSE = 64
MAX_ROOT_CAUSES = 20
TAG_SEPARATORS = re.compile(r"[,\r\n]")
MAX_MESSAGE = 5_000
# Who may own a case: whoever may work one (the web UI's ``can_edit``, managers and up).
CASE_WORKER_ROLE = Role.MANAGER


def case_of(session: Session, workspace_id: int, case_id: int) -> CaseRow:
    row = session.scalars(
        select(CaseRow).where(CaseRow.workspace_id == workspace_id, CaseRow.id == case_id)
    ).first()
    if row is None:
        raise NotFound("case", case_id)
    return row


def _event(row: CaseRow, kind: str, actor: str, at: datetime, **fields: object) -> CaseEventRow:
    return CaseEventRow(workspace_id=row.workspace_id, case_id=row.id, at=at, kind=kind,
                        actor=actor, **fields)


def update_case(
    session: Session,
    row: CaseRow,
    actor: str,
    *,
    status: str | None = None,
    root_causes: Sequence[str] | None = None,
    note: str | None = None,
    message: str | None = None,
    email_enabled: bool = False,
    at: datetime | None = None,
) -> None:
    """Status moves new → in_progress → resolved → loop_closed (a resolved case may be
    reopened to in_progress); the first move out of ``new`` counts as the first response.
    Closing the loop takes ``message``, what changed, which goes to the customer
    (``loop_closing``; e-mail only when ``email_enabled``) and stays on the status event.
    Raises ``InvalidInput`` for a move the rules do not allow.

    ``at`` is when the change happened (default: now); the demo records its case history
    with it (``kano.demo.case_history``), so its events and SLA fields read as if worked
    then.

    Root causes are stored as ``root_cause_tags`` tidies them, each in the spelling the
    workspace's other cases already use (``"billing issue"`` is stored as ``"Billing
    issue"`` when other cases carry that); a tag only this case carries may be respelled."""
    now = utcnow() if at is None else at
    if root_causes is not None:
        spelled = {root_cause_key(use.tag): use.tag
                   for use in root_causes_in_use(session, row.workspace_id, except_case=row.id)}
        root_causes = [spelled.get(root_cause_key(tag), tag)
                       for tag in root_cause_tags(root_causes)]
    closing = status == CaseStatus.LOOP_CLOSED.value and row.status != status
    message = message.strip() if message is not None else None
    if message is not None and not closing:
        raise InvalidInput("message", "goes to the customer when the loop is closed: send it "
                           "with status loop_closed")
    if status is not None and status != row.status:
        wanted = CaseStatus(status)
        check_transition(CaseStatus(row.status), wanted)
        detail: dict[str, object] = {"from": row.status, "to": wanted.value}
        if closing:
            if not message:
                raise InvalidInput("message", "tell the customer what changed: closing the "
                                   "loop sends them this message")
            if len(message) > MAX_MESSAGE:
                raise InvalidInput("message", f"at most {MAX_MESSAGE} characters")
            tags = list(root_causes) if root_causes is not None else list(row.root_causes or [])
            detail["message"] = message
            detail["told"] = queue_loop_closed_messages(
                session, row, message, tags, email_enabled=email_enabled, at=now
            )
        session.add(_event(row, "status", actor, now, detail=detail))
        row.status = wanted.value
        if row.first_responded_at is None:
            row.first_responded_at = now
        if wanted is CaseStatus.RESOLVED:
            row.resolved_at = now
        if wanted is CaseStatus.LOOP_CLOSED:
            row.loop_closed_at = now
    if root_causes is not None and list(root_causes) != (row.root_causes or []):
        session.add(_event(row, "root_causes", actor, now,
                           detail={"from": row.root_causes or [], "to": list(root_causes)}))
        row.root_causes = list(root_causes)
    if note is not None:
        session.add(_event(row, "note", actor, now, note=note))


def root_cause_key(tag: str) -> str:
    """What makes two tags one tag: the same words whatever their case and spacing
    (``"Billing  issue"`` and ``"billing ISSUE"`` → ``"billing issue"``)."""
    return " ".join(tag.split()).casefold()


@dataclass(frozen=True)
class RootCauseUse:
    """A root-cause tag of the workspace and how many of its cases carry it."""

    tag: str
    cases: int


def root_causes_in_use(
    session: Session, workspace_id: int, *, except_case: int | None = None
) -> list[RootCauseUse]:
    """The root-cause tags the workspace's cases carry (but ``except_case``), each once
    whatever its spellings (``root_cause_key``), with how many cases carry it; the most
    used first, then in alphabetical order. A tag reads in its most used spelling, the
    oldest case's on a tie: since migration 0029 each workspace holds one spelling per
    tag, so this only matters for data written around that rule."""
    query = select(CaseRow.root_causes).where(
        CaseRow.workspace_id == workspace_id, CaseRow.root_causes.is_not(None))
    if except_case is not None:
        query = query.where(CaseRow.id != except_case)
    spellings: dict[str, Counter[str]] = {}
    for tags in session.scalars(query.order_by(CaseRow.id)):
        of_case = {root_cause_key(tag): tag for tag in reversed(tags or [])
                   if isinstance(tag, str) and tag.strip()}
        for key, tag in of_case.items():
            spellings.setdefault(key, Counter())[tag] += 1
    uses = [RootCauseUse(spelled.most_common(1)[0][0], spelled.total())
            for spelled in spellings.values()]
    return sorted(uses, key=lambda use: (-use.cases, use.tag.casefold()))


def root_cause_tags(tags: Iterable[str]) -> list[str]:
    """The tags as stored: each trimmed, its inner whitespace collapsed to one space, empty
    ones dropped, and of tags that differ only in case the first kept as the user spelled
    it (``["Billing  issue", "billing issue"]`` → ``["Billing issue"]``). Raises
    ``InvalidInput("root_causes", …)`` for a tag holding a comma or a control character,
    one longer than 64 characters, or more than 20 tags."""
    kept: list[str] = []
    seen: set[str] = set()
    for given in tags:
        tag = " ".join(given.split())
        if not tag:
            continue
        if "," in tag or not tag.isprintable():
            raise InvalidInput("root_causes", f"{tag!r} is not a tag: no commas or control "
                               "characters")
        if len(tag) > MAX_ROOT_CAUSE:
            raise InvalidInput("root_causes", f"{tag!r} is longer than {MAX_ROOT_CAUSE} "
                               "characters")
        if root_cause_key(tag) in seen:
            continue
        seen.add(root_cause_key(tag))
        kept.append(tag)
    if len(kept) > MAX_ROOT_CAUSES:
        raise InvalidInput("root_causes", f"at most {MAX_ROOT_CAUSES} tags")
    return kept


def parse_root_causes(text: str) -> list[str]:
    """The tags typed in the web form: separated by commas or new lines, each may hold
    spaces (``ox:delivery-delay, Billing issue`` → two tags); see ``root_cause_tags``."""
    return root_cause_tags(TAG_SEPARATORS.split(text))


def assign_cases(
    session: Session, workspace_id: int, case_ids: Sequence[int], team_key: str, actor: str
) -> int:
    """Route these cases to a team (an ``assigned`` event each); returns how many moved."""
    team = session.scalars(
        select(Team).where(Team.workspace_id == workspace_id, Team.key == team_key)
    ).first()
    if team is None:
        raise InvalidInput("team", f"no team {team_key!r} in this workspace")
    rows = session.scalars(
        select(CaseRow).where(CaseRow.workspace_id == workspace_id, CaseRow.id.in_(case_ids))
    ).all()
    now = utcnow()
    moved = 0
    for row in rows:
        if row.owner_team_id == team.id:
            continue
        session.add(_event(row, "assigned", actor, now,
                           detail={"from": row.owner_team_id, "to": team.id, "team": team.key}))
        row.owner_team_id = team.id
        moved += 1
    return moved


def may_work_cases(role: str) -> bool:
    """Whether a member with this role works cases, and so may own one."""
    try:
        return role_allows(Role(role), CASE_WORKER_ROLE)
    except ValueError:  # a role this version does not know works nothing
        return False


def case_worker(session: Session, workspace_id: int, email: str) -> User:
    """The member with this e-mail who may own a case here: an active account whose role
    in *this* workspace is manager or above. A viewer, a member of another workspace only,
    an account that cannot sign in or an unknown address is refused with
    ``InvalidInput("owner", …)`` — a case must not go to someone who cannot work it."""
    address = email.strip().lower()
    found = session.execute(
        select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.workspace_id == workspace_id, func.lower(User.email) == address)
    ).first()
    if found is None or not found[0].is_active:
        raise InvalidInput("owner", f"{address!r} is not a member of this workspace who can "
                           "sign in")
    user, role = found
    if not may_work_cases(role):
        raise InvalidInput("owner", f"{address!r} is a {role}: only managers and above work "
                           "cases")
    return user


def assign_owner(
    session: Session,
    workspace_id: int,
    case_ids: Sequence[int],
    owner_email: str | None,
    actor: str,
    at: datetime | None = None,
) -> int:
    """Give these cases an owner, the person who works them (``None`` unassigns); an
    ``owner`` event each, ``{"from": email | None, "to": email | None}``, for the cases
    whose owner changes. Ids of another workspace's cases are ignored (as in
    ``assign_cases``). Returns how many cases changed hands."""
    owner = None if owner_email is None else case_worker(session, workspace_id, owner_email)
    rows = session.scalars(
        select(CaseRow).where(CaseRow.workspace_id == workspace_id, CaseRow.id.in_(case_ids))
        .order_by(CaseRow.id)
    ).all()
    target = None if owner is None else owner.id
    changing = [row for row in rows if row.owner_user_id != target]
    previous = {row.owner_user_id for row in changing} - {None}
    emails: dict[int, str] = {}
    if previous:
        emails = {user_id: email for user_id, email in session.execute(
            select(User.id, User.email).where(User.id.in_(previous)))}
    now = utcnow() if at is None else at
    for row in changing:
        was = None if row.owner_user_id is None else emails.get(row.owner_user_id)
        session.add(_event(row, "owner", actor, now,
                           detail={"from": was, "to": None if owner is None else owner.email}))
        row.owner_user_id = target
    return len(changing)
