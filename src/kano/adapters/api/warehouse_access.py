"""Running a read on the warehouse from an API route, with the errors a client can act on:
409 while the warehouse holds no data, 503 with ``Retry-After`` while a load writes it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import HTTPException, Request

from kano.adapters.api.deps import container_of
from kano.adapters.api.errors import problem_responses
from kano.adapters.api.schemas.problems import Problem
from kano.adapters.warehouse.connection import WarehouseBusy
from kano.adapters.warehouse.reading import read_only_warehouse
from kano.adapters.web.page_figures import PAGE_FIGURES, WarehouseVisit
from kano.metrics.warehouse_errors import WarehouseNotLoaded

T = TypeVar("T")
RETRY_AFTER_SECONDS = 5

WAREHOUSE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **problem_responses(401, 403, 422, 500),
    409: {"model": Problem, "description": "The warehouse holds no data yet: run "
          "`kano warehouse load` (or `kano demo`) first."},
    503: {"model": Problem, "description": "The warehouse is being loaded by another "
          "process; retry after `Retry-After` seconds."},
}  # fmt: skip


def on_warehouse(request: Request, work: Callable[[Any], T]) -> T:
    """``work(backend)`` on the warehouse opened read-only for this request only."""
    url = container_of(request).settings.resolved_warehouse_url()

    def opened() -> T:
        with read_only_warehouse(url) as backend:
            return work(backend)

    return _answered(opened)


def on_kept_warehouse(
    request: Request, workspace_id: int, work: Callable[[WarehouseVisit], T]
) -> T:
    """``work(visit)`` with the figures the pages keep until the warehouse changes
    (:mod:`kano.adapters.web.page_figures`): a list paged through the API is computed
    once per version of the data, not once per page, and shares the value pages' figures.
    The warehouse is opened only when a figure must be computed."""
    url = container_of(request).settings.resolved_warehouse_url()

    def visited() -> T:
        with PAGE_FIGURES.visit(url, workspace_id) as visit:
            return work(visit)

    return _answered(visited)


def _answered(call: Callable[[], T]) -> T:
    try:
        return call()
    except WarehouseNotLoaded as error:
        raise HTTPException(409, detail=f"The warehouse holds no data yet ({error}). Run "
                            "`kano warehouse load`, then try again.") from error
    except WarehouseBusy as error:
        raise HTTPException(
            503, detail="The warehouse is being loaded by another process; try again shortly.",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        ) from error
