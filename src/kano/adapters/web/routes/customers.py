"""Customer 360: find a customer, then see them whole — profile and contacts, RFM segment
and client-matrix cell with their history, CLV, churn risk with its reasons, feedback,
cases and orders.

The app database gives the profile and the records; the warehouse gives the analyses (the
same :mod:`kano.analytics.value.views` as the value pages, the CLI and the API), computed
when the page opens — two to four seconds on the demo company for the first customer, then
kept (per warehouse load) so that the next customer's page takes a fraction of a second.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from kano.adapters.db.views.customer_profile import (
    LATEST,
    customer_profile,
    find_customers,
    quarter_ends,
)
from kano.adapters.db.views.requirements import customer_requirements
from kano.adapters.web.deps import DbSession, SignedInPage, Web
from kano.adapters.web.strategy_access import no_workspace, not_found
from kano.adapters.web.warehouse_reads import on_warehouse, remembered
from kano.analytics.value.inputs import ValueReader
from kano.analytics.value.views import customer_value

router = APIRouter()


@router.get("/customers")
def customer_list(page: SignedInPage, db: DbSession, q: str = "", page_number: int = 1) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    page_number = max(page_number, 1)
    customers, total = find_customers(db, page.workspace.id, q[:200],
                                      offset=(page_number - 1) * LATEST)  # fmt: skip
    pages = max((total + LATEST - 1) // LATEST, 1)
    return page.render("customers/index.html", active="customers", customers=customers,
                       total=total, query=q, page_number=page_number, pages=pages)  # fmt: skip


@router.get("/customers/{customer_id}")
def customer_page(page: SignedInPage, web: Web, db: DbSession, customer_id: int) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    workspace_id = page.workspace.id
    profile = customer_profile(db, workspace_id, customer_id)
    if profile is None:
        return not_found(page, "customers")

    def analyses(backend: Any) -> Any:
        end = ValueReader(backend, workspace_id).data_end().date()
        return customer_value(backend, workspace_id, customer_id, segment=profile.segment_key,
                              is_account=profile.customer.kind == "account",
                              history=quarter_ends(end),
                              memo=remembered(web, backend, workspace_id))  # fmt: skip

    value, problem = on_warehouse(web, analyses, page.gettext)
    return page.render("customers/profile.html", active="customers", profile=profile,
                       customer=profile.customer, value=value, problem=problem,
                       requirements=customer_requirements(db, workspace_id,
                                                          customer_id))  # fmt: skip
