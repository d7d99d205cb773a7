"""Customer 360: find a customer, then see them whole — profile and contacts, RFM segment
and client-matrix cell with their history, CLV, churn risk with its reasons, feedback,
cases and orders — and, for owners, admins and managers, change the profile.

The app database gives the profile and the records; the warehouse gives the analyses (the
same :mod:`kano.analytics.value.views` as the value pages, the CLI and the API), computed
when the page opens — two to four seconds on the demo company for the first customer, then
kept until the warehouse changes (``page_figures``), so that the next customer's page takes
a fraction of a second and does not open the warehouse.

Changes go through :func:`kano.adapters.db.customer_edits.edit_customer`, as the API's do
(CSRF-checked, audited). A problem shows the page again (422) with the message next to
the field. A bounced address shows a badge with a button that lifts the mark.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from kano.adapters.db.customer_edits import ExternalIdTaken, edit_customer
from kano.adapters.db.orm import Segment
from kano.adapters.db.segments import MembershipSpan, segment_history
from kano.adapters.db.views.customer_profile import Profile, customer_profile, quarter_ends
from kano.adapters.db.views.requirements import customer_requirements
from kano.adapters.web.deps import CsrfChecked, DbSession, SignedInPage, SignedInPageContext, Web
from kano.adapters.web.labels import product_names_of
from kano.adapters.web.page_figures import WarehouseVisit
from kano.adapters.web.routes.cases import STATUS_LABELS as CASE_STATUS_LABELS
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.routes.value import value_memo, workspace_currency
from kano.adapters.web.strategy_access import no_workspace, not_found, refuse_edit
from kano.adapters.web.warehouse_reads import on_kept_warehouse
from kano.domain.customers.edits import CUSTOMER_EDITORS
from kano.domain.shared.errors import InvalidInput, NotFound

router = APIRouter()

MAX_ID = 2**63 - 1
FORM_FIELDS = ("name", "external_id", "email", "segment_key", "region", "industry",
               "attributes")
FIELD_PROBLEMS = {
    "name": N_("Enter a name of at most 200 characters."),
    "external_id": N_("Enter an external id of at most 64 characters."),
    "email": N_("Enter an e-mail address such as name@example.com."),
    "segment_key": N_("Choose one of the workspace's segments."),
    "region": N_("Enter at most 64 characters."),
    "industry": N_("Enter at most 64 characters."),
    "attributes": N_("One attribute per line, as name: value (names of at most 64 "
                     "characters)."),
}
EXTERNAL_ID_TAKEN = N_("Another customer of this workspace has this external id.")


def may_edit(page: SignedInPageContext) -> bool:
    return page.workspace is not None and page.workspace.role in CUSTOMER_EDITORS


def _attribute_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def as_line(key: str, value: Any) -> bool:
    """Whether the attribute reads back unchanged from a ``name: value`` line: a name
    without ':' and a value on one line, neither with surrounding spaces. Others are
    shown apart and kept as they are."""
    text = _attribute_text(value)
    return (
        bool(key) and key == key.strip() and ":" not in key and text == text.strip()
        and not any(c in key + text for c in "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
    )


def attributes_text(attributes: dict[str, Any] | None) -> str:
    return "\n".join(f"{key}: {_attribute_text(value)}"
                     for key, value in (attributes or {}).items() if as_line(key, value))


def _kept_apart(attributes: dict[str, Any] | None) -> list[tuple[str, str]]:
    return [(key, _attribute_text(value)) for key, value in (attributes or {}).items()
            if not as_line(key, value)]


def _form_of(profile: Profile) -> dict[str, str]:
    customer = profile.customer
    return {
        "name": customer.name, "external_id": customer.external_id,
        "email": customer.email or "", "segment_key": profile.segment_key or "",
        "region": customer.region or "", "industry": customer.industry or "",
        "attributes": attributes_text(customer.attributes),
        "consent_contact": "1" if customer.consent_contact else "",
    }


def _segments(db: Session, workspace_id: int) -> list[tuple[str, str]]:
    return [(key, name) for key, name in db.execute(
        select(Segment.key, Segment.name).where(Segment.workspace_id == workspace_id)
        .order_by(Segment.name, Segment.key))]


def _history(db: Session, workspace_id: int, customer_id: int) -> list[MembershipSpan]:
    """The customer's segment spans: the current ones first, then the newest."""
    spans = segment_history(db, workspace_id, customer_id)
    return sorted(spans, key=lambda s: (s.valid_to is not None, -s.valid_from.timestamp()))


def _profile_page(page: SignedInPageContext, web: Web, db: Session, customer_id: int, *,
                  form: dict[str, str] | None = None, error: dict[str, str] | None = None,
                  status_code: int = 200) -> Response:
    assert page.workspace is not None
    workspace_id = page.workspace.id
    if not 0 < customer_id <= MAX_ID:
        return not_found(page, "customers")
    profile = customer_profile(db, workspace_id, customer_id)
    if profile is None:
        return not_found(page, "customers")

    def analyses(visit: WarehouseVisit) -> Any:
        # Imported here: the value models load sklearn/scipy, which start-up must not pay.
        from kano.analytics.value.inputs import ValueReader
        from kano.analytics.value.views import customer_value

        end = visit.figure(("value", "data end"),
                           lambda: ValueReader(visit.backend, workspace_id).data_end().date())
        # The analyses cover every customer and are kept: a warm visit opens no warehouse.
        return customer_value(visit.backend_on_use, workspace_id, customer_id,
                              segment=profile.segment_key,
                              is_account=profile.customer.kind == "account",
                              history=quarter_ends(end), memo=value_memo(visit))  # fmt: skip

    value, problem = on_kept_warehouse(web, workspace_id, analyses, page.gettext)
    editable = may_edit(page)
    requirements = customer_requirements(db, workspace_id, customer_id)
    products = product_names_of(db, workspace_id,  # one look-up for orders and requirements
                                [o["product"] for o in profile.orders]
                                + [r.product for r in requirements])
    return page.render("customers/profile.html", status_code=status_code, active="customers",
                       profile=profile, customer=profile.customer, value=value,
                       problem=problem, requirements=requirements, **products,
                       can_edit=editable, form=form or _form_of(profile), error=error,
                       kept_apart=_kept_apart(profile.customer.attributes),
                       segments=_segments(db, workspace_id) if editable else [],
                       case_statuses=CASE_STATUS_LABELS,
                       segment_history=_history(db, workspace_id, customer_id),
                       currency=workspace_currency(page))  # fmt: skip


@router.get("/customers/{customer_id}")
def customer_page(page: SignedInPage, web: Web, db: DbSession, customer_id: int) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    return _profile_page(page, web, db, customer_id)


def _form_values(form: FormData) -> dict[str, str]:
    values = {}
    for name in FORM_FIELDS:
        value = form.get(name)
        values[name] = value if isinstance(value, str) else ""
    values["consent_contact"] = "1" if form.get("consent_contact") else ""
    return values


def attribute_changes(text: str, current: dict[str, Any] | None) -> dict[str, Any]:
    """The lines of the form as a merge into the attributes: a line whose text is the
    current value's keeps that value (a number stays a number), a changed or new line is
    text, a removed line removes the attribute; attributes the form does not show as
    lines are left alone."""
    current = {key: value for key, value in (current or {}).items() if as_line(key, value)}
    wanted: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, colon, item = line.partition(":")
        if not colon or not name.strip():
            raise InvalidInput("attributes", "each line is name: value")
        wanted[name.strip()] = item.strip()
    changes: dict[str, Any] = {key: None for key in current if key not in wanted}
    for key, item in wanted.items():
        if key not in current or _attribute_text(current[key]) != item:
            changes[key] = item
    return changes


def _changes(values: dict[str, str], profile: Profile) -> dict[str, object]:
    """What the form changes; fields it shows unchanged are left out."""
    current = _form_of(profile)
    changes: dict[str, object] = {}
    for name in ("name", "external_id", "email", "segment_key", "region", "industry"):
        if values[name].strip() != current[name]:
            changes[name] = values[name].strip() or None
    if values["consent_contact"] != current["consent_contact"]:
        changes["consent_contact"] = values["consent_contact"] == "1"
    attributes = attribute_changes(values["attributes"], profile.customer.attributes)
    if attributes:
        changes["attributes"] = attributes
    return changes


@router.post("/customers/{customer_id}", dependencies=[CsrfChecked])
async def change_customer(request: Request, page: SignedInPage, web: Web, db: DbSession,
                          customer_id: int) -> Response:
    form = await request.form()
    return await run_in_threadpool(_change, page, web, db, customer_id, _form_values(form))


def _change(page: SignedInPageContext, web: Web, db: Session, customer_id: int,
            values: dict[str, str]) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    if not may_edit(page):
        return refuse_edit(page)
    if not 0 < customer_id <= MAX_ID:
        return not_found(page, "customers")
    profile = customer_profile(db, page.workspace.id, customer_id)
    if profile is None:
        return not_found(page, "customers")
    try:
        edit_customer(db, page.workspace.id, customer_id, _changes(values, profile),
                      actor=page.viewer.email, user_id=page.viewer.user_id)
    except NotFound:
        db.rollback()
        return not_found(page, "customers")
    except (InvalidInput, ExternalIdTaken) as error:
        db.rollback()
        field = error.field.split(".", 1)[0]
        message = (EXTERNAL_ID_TAKEN if isinstance(error, ExternalIdTaken)
                   else FIELD_PROBLEMS.get(field, FIELD_PROBLEMS["name"]))
        return _profile_page(page, web, db, customer_id, form=values,
                             error={"field": field, "message": message}, status_code=422)
    db.commit()
    return page.redirect(f"/customers/{customer_id}#profile-heading")


@router.post("/customers/{customer_id}/email-deliverable", dependencies=[CsrfChecked])
def lift_bounce_mark(page: SignedInPage, db: DbSession, customer_id: int) -> Response:
    """The customer confirmed the mailbox works: e-mails go to the address again."""
    if page.workspace is None:
        return no_workspace(page)
    if not may_edit(page):
        return refuse_edit(page)
    if not 0 < customer_id <= MAX_ID:
        return not_found(page, "customers")
    try:
        edit_customer(db, page.workspace.id, customer_id, {"email_deliverable": True},
                      actor=page.viewer.email, user_id=page.viewer.user_id)
    except NotFound:
        db.rollback()
        return not_found(page, "customers")
    db.commit()
    return page.redirect(f"/customers/{customer_id}#profile-heading")
