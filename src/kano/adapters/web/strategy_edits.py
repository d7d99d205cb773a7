"""The edits the strategy pages make to objectives, cause–effect links and check-ins.

Each checks who may make it first — the API's rule (``may_change_owned``): admins change
everything, managers and analysts what they own, links only admins — and refuses with
``EditForbidden``; then checks its input, writes the rows and an audit entry in the
caller's session (the route commits), and refuses with ``EditRejected`` naming the form
field and a message marked for the catalogues, so the page can say what to fix in the
reader's language. Every lookup is filtered by the workspace id: an id from another tenant
is "not found" (``LookupError``). Measures and perspectives: ``scorecard_edits``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kano.adapters.db.accounts import audit
from kano.adapters.db.orm import (
    CauseEffectLinkRow,
    CheckInRow,
    KeyResultRow,
    ObjectiveRow,
    OkrObjectiveRow,
    PerspectiveRow,
    ScorecardRow,
    utcnow,
)
from kano.adapters.web.routes.navigation import N_
from kano.domain.okr.model import KeyResultKind
from kano.domain.shared.errors import InvalidInput
from kano.domain.workspaces import Role, may_change_everything, may_change_owned

TITLE_MAX = 300
TEXT_MAX = 20_000
LAG_MAX_MONTHS = 60
NUMBER_LIMIT = 1e15  # as the API's numbers: no score or progress can overflow
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class EditRejected(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message  # an N_-marked text: translate it where it is shown


class EditForbidden(Exception):
    """The editor's role does not allow this change: ``needs`` is ``owner`` (a manager's
    change to what someone else owns) or ``admin`` (the strategy's structure)."""

    def __init__(self, needs: str) -> None:
        super().__init__(needs)
        self.needs = needs


@dataclass(frozen=True)
class Editor:
    """Who edits: their role decides what they may change, their e-mail goes to the audit log."""

    workspace_id: int
    user_id: int
    email: str
    role: Role

    def require_admin(self) -> None:
        if not may_change_everything(self.role):
            raise EditForbidden("admin")

    def require_owner(self, owner_user_id: int | None) -> None:
        if not may_change_owned(self.role, self.user_id, [owner_user_id]):
            raise EditForbidden("owner")


def clean_text(value: str, field: str, *, required: bool, limit: int) -> str | None:
    text = value.strip()
    if not text:
        if required:
            raise EditRejected(field, N_("Please fill this in."))
        return None
    if len(text) > limit:
        raise EditRejected(field, N_("This text is too long."))
    if _CONTROL.search(text.replace("\n", "").replace("\t", "").replace("\r", "")):
        raise EditRejected(field, N_("This text contains invisible control characters."))
    return text


def parse_number(text: str, field: str) -> float:
    """A number as people type it: "37.5" or "37,5" (Russian and Hungarian write a comma),
    with spaces as thousands separators; bounded like the API's numbers."""
    try:
        value = float(text.strip().replace("\u00a0", "").replace(" ", "").replace(",", "."))
    except ValueError:
        raise EditRejected(field, N_("Enter a number.")) from None
    if not -NUMBER_LIMIT <= value <= NUMBER_LIMIT:  # also refuses nan and infinities
        raise EditRejected(field, N_("Enter a number."))
    return value


def key_from_title(title: str, fallback: str) -> str:
    """A stable key for strategy as code: ASCII letters, digits and dashes."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:48].strip("-")
    return slug or fallback


def _unused_key(db: Session, workspace_id: int, base: str) -> str:
    taken = set(db.scalars(select(ObjectiveRow.key).where(
        ObjectiveRow.workspace_id == workspace_id, ObjectiveRow.key.like(f"{base}%")
    )))
    key, number = base, 2
    while key in taken:
        key, number = f"{base}-{number}", number + 1
    return key


def create_objective(
    db: Session, editor: Editor, *, perspective_id: int, title: str,
    customer_voice: str = "", description: str = "",
) -> ObjectiveRow:
    perspective = db.scalar(select(PerspectiveRow).where(
        PerspectiveRow.id == perspective_id, PerspectiveRow.workspace_id == editor.workspace_id
    ))
    if perspective is None:
        raise EditRejected("perspective_id", N_("Choose one of the perspectives."))
    clean_title = clean_text(title, "title", required=True, limit=TITLE_MAX)
    assert clean_title is not None
    last = db.scalar(select(func.max(ObjectiveRow.position)).where(
        ObjectiveRow.workspace_id == editor.workspace_id,
        ObjectiveRow.perspective_id == perspective.id,
    ))
    row = ObjectiveRow(  # the new objective is its author's: managers edit what they own
        workspace_id=editor.workspace_id,
        owner_user_id=editor.user_id,
        perspective_id=perspective.id,
        key=_unused_key(db, editor.workspace_id, key_from_title(clean_title, "objective")),
        title=clean_title,
        customer_voice=clean_text(customer_voice, "customer_voice", required=False,
                                  limit=TITLE_MAX),
        description=clean_text(description, "description", required=False, limit=TEXT_MAX),
        position=(last + 1) if last is not None else 0,
    )
    db.add(row)
    db.flush()
    audit(db, editor.workspace_id, editor.email, "create", "objective", row.id,
          {"key": row.key, "title": row.title, "perspective": perspective.key},
          user_id=editor.user_id)
    return row


def update_objective(
    db: Session, editor: Editor, objective_id: int, *, title: str, customer_voice: str = "",
) -> ObjectiveRow:
    """Reword an objective the editor owns (its key stays, so strategy files still match)."""
    row = db.scalar(select(ObjectiveRow).where(
        ObjectiveRow.id == objective_id, ObjectiveRow.workspace_id == editor.workspace_id
    ))
    if row is None:
        raise LookupError(objective_id)
    editor.require_owner(row.owner_user_id)
    values = {
        "title": clean_text(title, "title", required=True, limit=TITLE_MAX),
        "customer_voice": clean_text(customer_voice, "customer_voice", required=False,
                                     limit=TITLE_MAX),
    }
    apply_audited_changes(db, editor, row, values, "objective")
    return row


def apply_audited_changes(
    db: Session, editor: Editor, row: Any, values: dict[str, Any], entity: str
) -> None:
    """Set ``values`` on ``row`` and write what changed (from → to) to the audit log
    under the row's key; nothing when nothing changed."""
    changes = {name: {"from": getattr(row, name), "to": value}
               for name, value in values.items() if getattr(row, name) != value}
    if changes:
        for name, value in values.items():
            setattr(row, name, value)
        db.flush()
        audit(db, editor.workspace_id, editor.email, "update", entity, row.id,
              {"key": row.key, **changes}, user_id=editor.user_id)


def add_link(
    db: Session, editor: Editor, *, scorecard_id: int, cause_id: int, effect_id: int,
    hypothesis: str = "", lag_months: int = 0,
) -> CauseEffectLinkRow:
    """Link two objectives of one scorecard (the caller has checked they belong to it).
    Links are the strategy map's structure: admins only, as in the API."""
    editor.require_admin()
    if cause_id == effect_id:
        raise EditRejected("effect_id", N_("An objective cannot drive itself."))
    if not 0 <= lag_months <= LAG_MAX_MONTHS:
        raise EditRejected("lag_months", N_("The lag is a number of months from 0 to 60."))
    exists = db.scalar(select(CauseEffectLinkRow.id).where(
        CauseEffectLinkRow.workspace_id == editor.workspace_id,
        CauseEffectLinkRow.scorecard_id == scorecard_id,
        CauseEffectLinkRow.cause_id == cause_id,
        CauseEffectLinkRow.effect_id == effect_id,
    ))
    if exists is not None:
        raise EditRejected("effect_id", N_("These objectives are already linked."))
    row = CauseEffectLinkRow(
        workspace_id=editor.workspace_id, scorecard_id=scorecard_id, cause_id=cause_id,
        effect_id=effect_id, lag_months=lag_months,
        hypothesis=clean_text(hypothesis, "hypothesis", required=False, limit=TEXT_MAX),
    )
    db.add(row)
    db.flush()
    audit(db, editor.workspace_id, editor.email, "create", "cause_effect_link", row.id,
          {"cause_id": cause_id, "effect_id": effect_id, "lag_months": lag_months},
          user_id=editor.user_id)
    return row


def _apply_value(kr: KeyResultRow, value: float) -> None:
    """Move the key result to the checked-in value, the way its kind counts progress."""
    kind = KeyResultKind(kr.kind)
    if kind is KeyResultKind.MILESTONE:
        if value != int(value) or not 0 <= value <= kr.milestones_total:
            raise EditRejected("value", N_("Enter how many milestones are done."))
        kr.milestones_done = int(value)
    elif kind is KeyResultKind.YES_NO:
        kr.done = value >= 1
    else:
        kr.current = value
    try:
        kr.to_domain()
    except InvalidInput as invalid:
        raise EditRejected("value", N_("This value does not fit the key result.")) from invalid


def record_check_in(
    db: Session, editor: Editor, *, key_result_id: int, value: float, confidence: int,
    comment: str = "",
) -> tuple[KeyResultRow, CheckInRow]:
    kr = db.scalar(select(KeyResultRow).where(
        KeyResultRow.id == key_result_id, KeyResultRow.workspace_id == editor.workspace_id
    ))
    if kr is None:
        raise LookupError(key_result_id)
    editor.require_owner(db.scalar(select(OkrObjectiveRow.owner_user_id).where(
        OkrObjectiveRow.id == kr.okr_objective_id
    )))
    if not 0 <= confidence <= 10:
        raise EditRejected("confidence", N_("Confidence is a whole number from 0 to 10."))
    text = clean_text(comment, "comment", required=False, limit=TEXT_MAX)
    _apply_value(kr, value)
    check_in = CheckInRow(
        workspace_id=editor.workspace_id, key_result_id=kr.id, at=utcnow(), value=value,
        confidence=confidence, comment=text, author_user_id=editor.user_id,
    )
    db.add(check_in)
    db.flush()
    audit(db, editor.workspace_id, editor.email, "create", "check_in", check_in.id,
          {"key_result": kr.key, **check_in.audit_snapshot()}, user_id=editor.user_id)
    return kr, check_in


def delete_objective(db: Session, editor: Editor, objective_id: int) -> str:
    """Delete an objective the editor owns (its measures, values and links go with it);
    returns the key of its scorecard, where the page goes next."""
    found = db.execute(
        select(ObjectiveRow, ScorecardRow.key)
        .join(PerspectiveRow, PerspectiveRow.id == ObjectiveRow.perspective_id)
        .join(ScorecardRow, ScorecardRow.id == PerspectiveRow.scorecard_id)
        .where(ObjectiveRow.id == objective_id, ObjectiveRow.workspace_id == editor.workspace_id)
    ).first()
    if found is None:
        raise LookupError(objective_id)
    row, scorecard_key = found
    editor.require_owner(row.owner_user_id)
    audit(db, editor.workspace_id, editor.email, "delete", "objective", row.id,
          {"key": row.key, "title": row.title}, user_id=editor.user_id)
    db.delete(row)
    db.flush()
    return str(scorecard_key)


def delete_link(db: Session, editor: Editor, link_id: int) -> None:
    """Remove a cause–effect link (admins only, as adding one)."""
    row = db.scalar(select(CauseEffectLinkRow).where(
        CauseEffectLinkRow.id == link_id, CauseEffectLinkRow.workspace_id == editor.workspace_id
    ))
    if row is None:
        raise LookupError(link_id)
    editor.require_admin()
    audit(db, editor.workspace_id, editor.email, "delete", "cause_effect_link", row.id,
          {"cause_id": row.cause_id, "effect_id": row.effect_id}, user_id=editor.user_id)
    db.delete(row)
    db.flush()
