"""Settings → "Money": the currency the workspace keeps its money in (ISO 4217).

Everyone in the workspace sees it (every page writes money with it); owners and admins
change it, CSRF-checked and audit-logged through
:func:`kano.adapters.db.workspace_currency.change_workspace_currency`. Kano converts
nothing: the setting says what currency the loaded figures are in.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from starlette.responses import Response

from kano.adapters.db.workspace_currency import change_workspace_currency
from kano.adapters.web.deps import CsrfChecked, DbSession
from kano.adapters.web.routes.settings_page import CurrencyAdminPage, render_settings
from kano.domain.shared.errors import InvalidInput

router = APIRouter()


@router.post("/settings/currency", dependencies=[CsrfChecked])
def change_currency(
    page: CurrencyAdminPage, db: DbSession, currency: Annotated[str, Form()] = ""
) -> Response:
    typed = currency.strip()[:20]
    try:
        change_workspace_currency(db, page.workspace.id, typed, actor=page.viewer.email,
                                  user_id=page.viewer.user_id)
    except InvalidInput:
        db.rollback()
        return render_settings(page, db, status_code=422, currency_form=typed,
                               currency_error="currency")
    db.commit()
    return page.redirect("/settings?saved=currency#money")
