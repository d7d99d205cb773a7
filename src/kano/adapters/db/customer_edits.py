"""Changing a customer (SPEC 2.2): the one function the API and the web form call.

The change is checked by :mod:`kano.domain.customers.edits`, resolved inside the workspace
(a segment by its key, an external id that no other customer of the workspace has),
applied to the row locked for the transaction (PostgreSQL: a bounce marking the customer
at the same moment waits for it), and audited with the values before and after; the
caller commits.

Audit entries use the customer's external id as it was before the change, like the
``email-bounced`` entries of :mod:`kano.adapters.db.bounces`:

- ``update``: ``{"id": …, "changes": {field: {"from": old, "to": new}}}``; when the new
  address lifts (or brings back) the bounce mark, ``email_undeliverable`` is among the
  changes too.
- ``email-deliverable``: the bounce mark lifted without a new address
  (``{"email", "bounced_email", "bounced_at"}``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kano.adapters.db.accounts import audit
from kano.adapters.db.orm import Customer, Segment
from kano.adapters.db.segments import move_manual_membership
from kano.domain.customers.edits import checked_changes, merged_attributes
from kano.domain.feedback.bounces import email_undeliverable
from kano.domain.shared.errors import InvalidInput, KanoError, NotFound

_COLUMNS = ("external_id", "name", "email", "segment_id", "region", "industry",
            "consent_contact", "attributes")


class ExternalIdTaken(KanoError):
    """Another customer of the workspace has this external id (a conflict, not bad input)."""

    def __init__(self, external_id: str) -> None:
        super().__init__(f"external_id: {external_id!r} is the external id of another customer "
                         "in this workspace")
        self.field = "external_id"
        self.external_id = external_id


@dataclass(frozen=True)
class CustomerEdit:
    customer: Customer
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)
    """``{field: {"from": old, "to": new}}`` of what really changed."""
    mark_lifted: bool = False
    """``email_deliverable`` forgot a bounced address."""


def locked_customer(session: Session, workspace_id: int, customer_id: int) -> Customer:
    found = session.scalars(
        select(Customer)
        .where(Customer.workspace_id == workspace_id, Customer.id == customer_id)
        .with_for_update()
        .execution_options(populate_existing=True)  # as locked, not as read before
    ).first()
    if found is None:
        raise NotFound("customer", customer_id)
    return found


def _segment_id(session: Session, workspace_id: int, key: str | None) -> int | None:
    if key is None:
        return None
    found = session.execute(select(Segment.id, Segment.source).where(
        Segment.workspace_id == workspace_id, Segment.key == key)).first()
    if found is None:
        raise InvalidInput("segment_key", f"no segment {key!r} in this workspace")
    if found.source != "manual":
        raise InvalidInput("segment_key", f"segment {key!r} is {found.source}: its members "
                           "are computed, not filed by hand")  # fmt: skip
    return int(found.id)


def _segment_key(session: Session, workspace_id: int, segment_id: int | None) -> str | None:
    if segment_id is None:
        return None
    return session.scalar(select(Segment.key).where(
        Segment.workspace_id == workspace_id, Segment.id == segment_id))


def edit_customer(session: Session, workspace_id: int, customer_id: int,
                  raw: Mapping[str, object], *, actor: str,
                  user_id: int | None) -> CustomerEdit:
    """Apply the fields of ``raw`` that are sent; InvalidInput names a bad field,
    ExternalIdTaken a clash, NotFound a customer of no (or another) workspace."""
    values = checked_changes(raw)
    customer = locked_customer(session, workspace_id, customer_id)
    lift = values.pop("email_deliverable", False)
    if "segment_key" in values:
        values["segment_id"] = _segment_id(session, workspace_id, values.pop("segment_key"))
    if "attributes" in values:
        values["attributes"] = merged_attributes(customer.attributes, values["attributes"])
    new_external_id = values.get("external_id")
    if new_external_id is not None and new_external_id != customer.external_id:
        taken = session.scalar(select(Customer.id).where(
            Customer.workspace_id == workspace_id, Customer.external_id == new_external_id,
            Customer.id != customer.id))
        if taken is not None:
            raise ExternalIdTaken(new_external_id)

    audit_key = customer.external_id
    undeliverable_before = email_undeliverable(customer.email, customer.undeliverable_email)
    segment_before = customer.segment_id
    changes: dict[str, dict[str, Any]] = {}
    for name in _COLUMNS:
        if name not in values:
            continue
        old, new = getattr(customer, name), values[name]
        if name == "attributes":
            old = old or {}
        if old != new:
            changes[name] = {"from": old, "to": new}
            setattr(customer, name, new)
    if "segment_id" in changes:  # the audit shows the keys people know, not row ids
        del changes["segment_id"]
        move_manual_membership(session, workspace_id, customer.id, segment_before,
                               customer.segment_id)  # fmt: skip
        changes["segment_key"] = {
            "from": _segment_key(session, workspace_id, segment_before),
            "to": _segment_key(session, workspace_id, customer.segment_id),
        }

    lifted = False
    bounced_email, bounced_at = customer.undeliverable_email, customer.email_bounced_at
    if lift and bounced_email is not None:
        customer.undeliverable_email = None
        customer.email_bounced_at = None
        lifted = True
    undeliverable_after = email_undeliverable(customer.email, customer.undeliverable_email)
    if changes and undeliverable_after != undeliverable_before and not lifted:
        changes["email_undeliverable"] = {"from": undeliverable_before,
                                          "to": undeliverable_after}
    try:
        session.flush()
    except IntegrityError as error:  # a concurrent request took the external id
        raise ExternalIdTaken(str(values.get("external_id"))) from error
    if changes:
        audit(session, workspace_id, actor, "update", "customer", audit_key,
              {"id": customer.id, "changes": changes}, user_id=user_id)
    if lifted:
        audit(session, workspace_id, actor, "email-deliverable", "customer", audit_key,
              {"id": customer.id, "email": customer.email, "bounced_email": bounced_email,
               "bounced_at": bounced_at.isoformat() if bounced_at else None},
              user_id=user_id)
    return CustomerEdit(customer, changes, lifted)
