"""Writing the special-requirements register: create, change, delete, import a file.

Every write resolves the customer (external id) and the owner (a member's e-mail) inside
the workspace, is audited with the values before and after, and leaves the commit to the
caller. ``import_requirements`` checks every row first and stores all or none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kano.adapters.db.accounts import audit
from kano.adapters.db.orm import Customer, Membership, SpecialRequirementRow, User, utcnow
from kano.adapters.db.views.requirements import RequirementLine, requirements
from kano.domain.feedback.requirements import FIELDS, RequirementDraft, checked_requirement
from kano.domain.shared.errors import InvalidInput, NotFound


def _customer_id(session: Session, workspace_id: int, external_id: str, prefix: str) -> int:
    found = session.scalar(select(Customer.id).where(
        Customer.workspace_id == workspace_id, Customer.external_id == external_id))
    if found is None:
        raise InvalidInput(prefix + "customer", f"no customer {external_id!r} in this workspace")
    return found


def _owner_id(session: Session, workspace_id: int, email: str | None, prefix: str) -> int | None:
    if email is None:
        return None
    found = session.scalar(
        select(User.id).join(Membership, Membership.user_id == User.id)
        .where(Membership.workspace_id == workspace_id,
               func.lower(User.email) == email.lower())
    )
    if found is None:
        raise InvalidInput(prefix + "owner", f"{email!r} is not a member of this workspace")
    return found


def _values(session: Session, workspace_id: int, draft: RequirementDraft,
            prefix: str = "") -> dict[str, object]:
    return {
        "customer_id": _customer_id(session, workspace_id, draft.customer, prefix),
        "kind": draft.kind.value,
        "text": draft.text,
        "status": draft.status.value,
        "owner_user_id": _owner_id(session, workspace_id, draft.owner, prefix),
        "product_key": draft.product,
        "process_key": draft.process,
        "review_on": draft.review_on,
    }


def _snapshot(line: RequirementLine) -> dict[str, object]:
    return {"customer": line.customer, "kind": line.kind, "text": line.text,
            "status": line.status, "owner": line.owner, "product": line.product,
            "process": line.process,
            "review_on": line.review_on.isoformat() if line.review_on else None}


def get_requirement(session: Session, workspace_id: int, requirement_id: int) -> RequirementLine:
    found = requirements(session, workspace_id, requirement_id=requirement_id, limit=1)
    if not found:
        raise NotFound("requirement", requirement_id)
    return found[0]


def create_requirement(session: Session, workspace_id: int, raw: Mapping[str, object], *,
                       actor: str, user_id: int | None) -> RequirementLine:
    draft = checked_requirement(raw)
    now = utcnow()
    row = SpecialRequirementRow(workspace_id=workspace_id, created_at=now, updated_at=now,
                                **_values(session, workspace_id, draft))
    session.add(row)
    session.flush()
    line = get_requirement(session, workspace_id, row.id)
    audit(session, workspace_id, actor, "create", "requirement", row.id,
          {"after": _snapshot(line)}, user_id=user_id)
    return line


def update_requirement(session: Session, workspace_id: int, requirement_id: int,
                       changes: Mapping[str, object], *, actor: str,
                       user_id: int | None) -> RequirementLine:
    """Change the given fields (a field set to null is cleared, where it may be)."""
    before = get_requirement(session, workspace_id, requirement_id)
    merged: dict[str, object] = {**_snapshot(before), **changes}
    draft = checked_requirement(merged)
    row = session.get(SpecialRequirementRow, requirement_id)
    assert row is not None and row.workspace_id == workspace_id
    for name, value in _values(session, workspace_id, draft).items():
        setattr(row, name, value)
    row.updated_at = utcnow()
    session.flush()
    after = get_requirement(session, workspace_id, requirement_id)
    audit(session, workspace_id, actor, "update", "requirement", requirement_id,
          {"before": _snapshot(before), "after": _snapshot(after)}, user_id=user_id)
    return after


def delete_requirement(session: Session, workspace_id: int, requirement_id: int, *,
                       actor: str, user_id: int | None) -> None:
    before = get_requirement(session, workspace_id, requirement_id)
    row = session.get(SpecialRequirementRow, requirement_id)
    session.delete(row)
    audit(session, workspace_id, actor, "delete", "requirement", requirement_id,
          {"before": _snapshot(before)}, user_id=user_id)


# --- file import -------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int  # as a spreadsheet shows it: the header is row 1
    field: str
    reason: str


@dataclass
class ImportResult:
    rows: int = 0
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def import_requirements(session: Session, workspace_id: int,
                        rows: Sequence[Mapping[str, str]], *, actor: str,
                        dry_run: bool = False) -> ImportResult:
    """Check every row (first row of data is row 2), then store all of them or none. The
    columns are the requirement's fields: customer, kind, text, status, owner, product,
    process, review_on."""
    result = ImportResult(rows=len(rows))
    checked: list[dict[str, object]] = []
    for number, raw in enumerate(rows, start=2):
        cleaned = {k.strip().lower(): (v if v is None else str(v))
                   for k, v in raw.items() if k is not None}
        cleaned = {k: v for k, v in cleaned.items() if k in FIELDS or (v or "").strip()}
        try:
            draft = checked_requirement(cleaned)
            checked.append(_values(session, workspace_id, draft))
        except InvalidInput as error:
            result.errors.append(RowError(number, error.field, error.message))
    if result.errors or dry_run:
        return result
    now = utcnow()
    session.add_all([SpecialRequirementRow(workspace_id=workspace_id, created_at=now,
                                           updated_at=now, **values) for values in checked])
    session.flush()
    result.imported = len(checked)
    audit(session, workspace_id, actor, "import", "requirement", None,
          {"rows": result.imported})
    return result
