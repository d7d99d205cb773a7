"""``/analysis``: the layers linked on the warehouse data -- the same numbers as
``kano analyze links|drivers`` and the strategy map's stored arrow tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from functools import cache
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from sqlalchemy import select

from kano.adapters.api.deps import ReadAccess, ReaderLanguage, SessionDep
from kano.adapters.api.errors import problem_responses
from kano.adapters.api.schemas.analysis import (
    Driver,
    Drivers,
    LeftOutDriver,
    LinkTest,
    LinkTests,
    MapLinkTest,
    MapLinkTests,
)
from kano.adapters.api.warehouse_access import WAREHOUSE_RESPONSES, on_warehouse
from kano.adapters.db.orm import ObjectiveRow
from kano.adapters.db.views.link_tests import link_tests_of
from kano.adapters.db.views.scorecard import choose_scorecard, list_scorecards
from kano.adapters.web.i18n import load_translations
from kano.adapters.web.labels import STAGE_NAMES, journey_names
from kano.adapters.web.measure_labels import driver_name
from kano.domain.shared.errors import InvalidInput

router = APIRouter(prefix="/analysis", tags=["analysis"])
# kano.analytics.linkage.driver_inputs.OUTCOMES
Outcome = Literal["nps", "csat", "ces", "rating", "churn", "revenue"]
_RESPONSES = WAREHOUSE_RESPONSES
_on_warehouse = on_warehouse


@router.get("/links", summary="Test the service-profit chain", response_model=LinkTests,
            responses=_RESPONSES)
def get_links(caller: ReadAccess, request: Request) -> LinkTests:
    """Each link of the chain EX → OX → CX → TX → money tested on the workspace's data:
    effect per unit of the cause with its 95 % interval, lag, n, method and verdict, and
    the effect per step of the cause in the effect's own unit, as the /linkage page says
    it ("+1 point of the 0–10 NPS answer → repurchase rate +4.3 percentage points")."""
    # Imported here: the linkage models load statsmodels/scipy, which start-up must not pay.
    from kano.analytics.linkage import SERVICE_PROFIT_CHAIN, test_links
    from kano.analytics.linkage.steps import effect_per_step

    results = _on_warehouse(
        request, lambda backend: test_links(backend, SERVICE_PROFIT_CHAIN, caller.workspace_id)
    )
    items = []
    for result in results:
        per_step = effect_per_step(result.cause, result.effect, result.estimate,
                                   result.ci_low, result.ci_high)  # fmt: skip
        items.append(LinkTest(
            **result.as_dict(), step=per_step.step, cause_unit=per_step.cause_unit,
            effect_unit=per_step.effect_unit, effect_per_step=per_step.estimate,
            effect_per_step_ci_low=per_step.ci_low, effect_per_step_ci_high=per_step.ci_high))
    return LinkTests(items=items)


@router.get("/drivers", summary="Rank the drivers of a score", response_model=Drivers,
            responses=_RESPONSES)
def get_drivers(
    caller: ReadAccess,
    request: Request,
    session: SessionDep,
    language: ReaderLanguage,
    outcome: Annotated[Outcome, Query(description="A score of the response, or `churn` / "
                                      "`revenue` in the 180 days after it.")] = "nps",
    segment: Annotated[str | None, Query(max_length=64, description="Only this segment's "
                                         "customers (a segment key).")] = None,
    survey: Annotated[str, Query(max_length=64, description="Survey key ('' for all).")] = (
        "relationship-nps"
    ),
    window_days: Annotated[int, Query(ge=1, le=3650, description="How far back a "
                                      "customer's experiences count.")] = 180,
    bootstrap: Annotated[int, Query(ge=0, le=2000)] = 200,
    min_coverage: Annotated[float, Query(ge=0, le=1, description="Keep a candidate driver "
                                         "only when at least this share of the respondents "
                                         "has a value for it.")] = 0.3,
) -> Drivers:
    """Johnson's relative weights of the customers' process and stage experiences before
    they answered, with bootstrap 95 % intervals, each driver's mean and its performance
    on its own scale (`performance_share`, on the basis `performance_basis`). The candidates
    left out for too low a coverage are listed with it (`left_out_coverage`); `n` is the
    responses with a value for every kept driver."""
    # Imported here: the linkage models load statsmodels/scipy, which start-up must not pay.
    from kano.adapters.db.views.driver_targets import driver_targets
    from kano.analytics.linkage import relative_weights
    from kano.analytics.linkage.driver_inputs import driver_frame
    from kano.analytics.linkage.frames import WarehouseReader
    from kano.analytics.linkage.performance import PERFORMANCE_MARK, driver_performance

    targets = driver_targets(session, caller.workspace_id)

    def work(backend: Any) -> Drivers:
        frame = driver_frame(WarehouseReader(backend, caller.workspace_id), outcome,
                             survey or None, window_days, min_coverage, segment=segment)
        if not frame.drivers:
            raise InvalidInput("min_coverage", "no candidate driver is met by enough "
                               "respondents; best covered: " + ", ".join(
                                   f"{name} {share:.0%}"
                                   for name, share in frame.left_out_coverage()[:3]))
        weights = relative_weights(frame.data[list(frame.drivers)].to_numpy(),
                                   frame.data["outcome"].to_numpy(), frame.drivers,
                                   bootstrap=bootstrap)  # fmt: skip
        rows = sorted(weights.rows(driver_performance(weights, targets)),
                      key=lambda row: -float(row["weight"]))
        return Drivers(
            outcome=outcome, r_squared=weights.r_squared, n=weights.n,
            min_coverage=min_coverage, performance_mark=PERFORMANCE_MARK,
            drivers=[Driver.model_validate({**row, "driver_display": name_of(row["driver"]),
                                            "coverage": frame.coverage.get(row["driver"])})
                     for row in rows],
            left_out=list(frame.left_out),
            left_out_coverage=[LeftOutDriver(driver=key, driver_display=name_of(key),
                                             coverage=share)
                               for key, share in frame.left_out_coverage()],
        )  # fmt: skip

    stages = journey_names(session, caller.workspace_id)[STAGE_NAMES]
    gettext = _gettext(language)

    def name_of(key: str) -> str:
        return driver_name(key, gettext, stages)

    result: Drivers = _on_warehouse(request, work)
    return result


@cache
def _gettext(language: str) -> Callable[[str], str]:
    """The catalogue of a supported language, compiled once per process."""
    return load_translations(language).gettext


@router.get("/map-links", summary="The strategy map's arrows as tested",
            response_model=MapLinkTests, responses=problem_responses(401, 403, 404, 422, 500))
def get_map_links(
    caller: ReadAccess,
    session: SessionDep,
    scorecard: Annotated[str | None, Query(max_length=64, description="Scorecard key "
                                           "(default: the company-level one).")] = None,
) -> MapLinkTests:
    """The evidence stored by the last refresh for each arrow, and the proposed links."""
    chosen = choose_scorecard(list_scorecards(session, caller.workspace_id), scorecard)
    if chosen is None or (scorecard and chosen.key != scorecard):
        raise HTTPException(404, detail=f"No scorecard {scorecard or ''} in this workspace.")
    keys = dict(session.execute(select(ObjectiveRow.id, ObjectiveRow.key).where(
        ObjectiveRow.workspace_id == caller.workspace_id)).all())  # fmt: skip
    items = [
        MapLinkTest(**{**asdict(t), "cause": keys[t.cause_id], "effect": keys[t.effect_id]})
        for t in link_tests_of(session, caller.workspace_id, chosen.id)
    ]
    return MapLinkTests(scorecard=chosen.key, items=items)
