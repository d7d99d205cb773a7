"""Reading the warehouse from a page: the result, or a sentence the user can act on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from kano.adapters.warehouse.connection import WarehouseBusy
from kano.adapters.warehouse.reading import read_only_warehouse
from kano.adapters.web.deps import Web
from kano.adapters.web.page_figures import PAGE_FIGURES, WarehouseVisit
from kano.adapters.web.routes.navigation import N_
from kano.domain.shared.errors import InvalidInput
from kano.metrics.warehouse_errors import WarehouseNotLoaded

T = TypeVar("T")


def on_warehouse(
    web: Web, work: Callable[[Any], Any], gettext: Callable[[str], str]
) -> tuple[Any, str | None]:
    """``work(backend)`` on the warehouse opened read-only, or None and what went wrong in
    plain text for the page to escape: a catalogue message in the page's language, or the
    input error's own words. (Never pass the latter through the template's ``_()``: Jinja
    marks what gettext returns as safe, so a URL parameter echoed in an error would be
    injected unescaped.)"""
    url = web.container.settings.resolved_warehouse_url()

    def opened() -> Any:
        with read_only_warehouse(url) as backend:
            return work(backend)

    return _readable(opened, gettext)


def on_kept_warehouse(
    web: Web,
    workspace_id: int,
    work: Callable[[WarehouseVisit], T],
    gettext: Callable[[str], str],
) -> tuple[T | None, str | None]:
    """As :func:`on_warehouse`, but ``work`` gets the request's
    :class:`~kano.adapters.web.page_figures.WarehouseVisit`: its figures are kept until
    the warehouse changes, and it opens the warehouse only when one must be computed."""
    url = web.container.settings.resolved_warehouse_url()

    def visited() -> T:
        with PAGE_FIGURES.visit(url, workspace_id) as visit:
            return work(visit)

    return _readable(visited, gettext)


def _readable(call: Callable[[], T], gettext: Callable[[str], str]) -> tuple[T | None, str | None]:
    try:
        return call(), None
    except WarehouseNotLoaded:
        return None, gettext(N_("The warehouse holds no data yet: run “kano warehouse load”."))
    except WarehouseBusy:
        return None, gettext(
            N_("The warehouse is being loaded right now; reload the page shortly.")
        )
    except InvalidInput as error:
        return None, str(error)
