"""The OKR page as every OKR route renders it: the cycle's tree, the forms an editor
is offered, and the helpers its templates call (SPEC §2.8).

A route that refuses a form renders the whole page again with the form's error next to
its field (``render_okr_page``'s keyword arguments), so the reader keeps what they typed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.dates import format_date, format_skeleton
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from kano.adapters.db.metric_catalogue import workspace_catalogue
from kano.adapters.db.orm import OkrObjectiveRow
from kano.adapters.db.views.okr import choose_cycle, list_cycles, okr_tree
from kano.adapters.jobs.live_key_result import awaiting_refresh
from kano.adapters.web.deps import SignedInPageContext
from kano.adapters.web.okr_authoring import (
    CYCLE_KINDS,
    KR_KIND_LABELS,
    KR_KINDS,
    LEVELS,
    CycleForm,
    KeyResultForm,
    ObjectiveForm,
    members,
    scorecard_objectives,
    teams,
)
from kano.adapters.web.strategy_access import editor_of, strategy_context
from kano.adapters.web.strategy_edits import EditRejected
from kano.adapters.web.strategy_formats import CONFIDENCE_STATUS
from kano.adapters.web.strategy_session import metric_groups
from kano.domain.okr.model import Commitment, is_success


def graded_success(grade: float, commitment: str) -> bool:
    """Whether an objective's grade counts as success (1.0 committed, 0.7 aspirational)."""
    return is_success(grade, Commitment(commitment))


def okr_context(page: SignedInPageContext, db: Session) -> dict[str, Any]:
    """What the OKR templates call, in the reader's language."""
    language = page.language.code
    assert page.workspace is not None
    catalogue = workspace_catalogue(db, page.workspace.id)

    def metric_name(metric_id: str) -> str:
        """A live key result's metric as the catalogue names it in the reader's language
        (the page said "live from on_time_delivery")."""
        return catalogue.get(metric_id).name(language) if metric_id in catalogue else metric_id

    return {**strategy_context(page, db), "confidence_status": CONFIDENCE_STATUS,
            "graded_success": graded_success, "today": date.today(),
            "due_date": lambda day: format_date(day, "medium", locale=language),
            "metric_name": metric_name, "awaiting_refresh": awaiting_refresh,
            "month_label": lambda day: format_skeleton("yMMMM", day, locale=language)}


def render_okr_page(
    page: SignedInPageContext, db: Session, cycle_key: str | None, *,
    status_code: int = 200, error: EditRejected | None = None, error_for: int | None = None,
    close_error: EditRejected | None = None, close_form: dict[str, str] | None = None,
    new_error: EditRejected | None = None, new_form: ObjectiveForm | None = None,
    kr_error: EditRejected | None = None, kr_for: int | None = None,
    kr_form: KeyResultForm | None = None,
    cycle_error: EditRejected | None = None, cycle_form: CycleForm | None = None,
) -> Response:
    assert page.workspace is not None
    cycles = list_cycles(db, page.workspace.id)
    chosen = choose_cycle(cycles, cycle_key, date.today())
    tree = okr_tree(db, page.workspace.id, chosen) if chosen else None
    targets = [c for c in cycles if c.status == "open" and (chosen is None or c.id != chosen.id)]
    return page.render(
        "okr/index.html", status_code=status_code, active="okr", cycles=cycles, tree=tree,
        error=error, error_for=error_for, carry_over_targets=targets,
        close_error=close_error, close_form=close_form or {}, **okr_context(page, db),
        **_authoring(page, db, chosen, new_error, new_form, kr_error, kr_for, kr_form),
        cycle_kinds=CYCLE_KINDS, cycle_error=cycle_error, cycle_form=cycle_form or CycleForm(),
    )


def _authoring(
    page: SignedInPageContext, db: Session, cycle: Any, new_error: EditRejected | None,
    new_form: ObjectiveForm | None, kr_error: EditRejected | None, kr_for: int | None,
    kr_form: KeyResultForm | None,
) -> dict[str, Any]:
    """What the "New objective" and "Add a key result" forms offer (editors only)."""
    assert page.workspace is not None
    if editor_of(page) is None or cycle is None or cycle.status != "open":
        return {"authoring": False}
    ws = page.workspace.id
    return {
        "authoring": True, "levels": LEVELS,
        "kr_kinds": KR_KINDS, "kr_kind_labels": KR_KIND_LABELS,
        "members": members(db, ws), "teams": teams(db, ws),
        "scorecard_objectives": scorecard_objectives(db, ws),
        "okr_objectives": db.execute(
            select(OkrObjectiveRow.id, OkrObjectiveRow.title)
            .where(OkrObjectiveRow.workspace_id == ws, OkrObjectiveRow.cycle_id == cycle.id)
            .order_by(OkrObjectiveRow.position, OkrObjectiveRow.id)).all(),
        "metric_choices": list(metric_groups(db, ws, None, page.language.code).by_id.values()),
        "new_error": new_error, "new_form": new_form or ObjectiveForm(
            owner=str(page.viewer.user_id)),
        "kr_error": kr_error, "kr_for": kr_for, "kr_form": kr_form or KeyResultForm(),
        # a key result is due when its cycle ends unless the form names a day
        "kr_due": format_date(cycle.ends_on, "medium", locale=page.language.code),
        "kr_due_default": cycle.ends_on.isoformat(),
    }
