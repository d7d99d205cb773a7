"""``/analysis``: the layers linked on the warehouse data -- the same numbers as
``kano analyze links|drivers`` and the strategy map's stored arrow tests."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from sqlalchemy import select

from kano.adapters.api.deps import ReadAccess, SessionDep
from kano.adapters.api.errors import problem_responses
from kano.adapters.api.schemas.analysis import (
    Driver,
    Drivers,
    LinkTest,
    LinkTests,
    MapLinkTest,
    MapLinkTests,
)
from kano.adapters.api.warehouse_access import WAREHOUSE_RESPONSES, on_warehouse
from kano.adapters.db.orm import ObjectiveRow
from kano.adapters.db.views.link_tests import link_tests_of
from kano.adapters.db.views.scorecard import choose_scorecard, list_scorecards
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
    effect per unit of the cause with its 95 % interval, lag, n, method and verdict."""
    # Imported here: the linkage models load statsmodels/scipy, which start-up must not pay.
    from kano.analytics.linkage import SERVICE_PROFIT_CHAIN, test_links

    results = _on_warehouse(
        request, lambda backend: test_links(backend, SERVICE_PROFIT_CHAIN, caller.workspace_id)
    )
    return LinkTests(items=[LinkTest(**result.as_dict()) for result in results])


@router.get("/drivers", summary="Rank the drivers of a score", response_model=Drivers,
            responses=_RESPONSES)
def get_drivers(
    caller: ReadAccess,
    request: Request,
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
) -> Drivers:
    """Johnson's relative weights of the customers' process and stage experiences before
    they answered, with bootstrap 95 % intervals and each driver's mean."""
    # Imported here: the linkage models load statsmodels/scipy, which start-up must not pay.
    from kano.analytics.linkage import relative_weights
    from kano.analytics.linkage.driver_inputs import driver_frame
    from kano.analytics.linkage.frames import WarehouseReader

    def work(backend: Any) -> Drivers:
        frame = driver_frame(WarehouseReader(backend, caller.workspace_id), outcome,
                             survey or None, window_days, segment=segment)  # fmt: skip
        if not frame.drivers:
            raise InvalidInput("outcome", "no candidate driver is met by enough respondents")
        weights = relative_weights(frame.data[list(frame.drivers)].to_numpy(),
                                   frame.data["outcome"].to_numpy(), frame.drivers,
                                   bootstrap=bootstrap)  # fmt: skip
        rows = sorted(weights.rows(), key=lambda row: -float(row["weight"]))
        return Drivers(outcome=outcome, r_squared=weights.r_squared, n=weights.n,
                       drivers=[Driver.model_validate(row) for row in rows],
                       left_out=list(frame.left_out))  # fmt: skip

    result: Drivers = _on_warehouse(request, work)
    return result


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
