"""Reading the warehouse from a page: the result, or a sentence the user can act on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kano.adapters.warehouse.connection import WarehouseBusy
from kano.adapters.warehouse.reading import read_only_warehouse
from kano.adapters.web.deps import Web
from kano.adapters.web.routes.navigation import N_
from kano.domain.shared.errors import InvalidInput
from kano.metrics.star import WarehouseNotLoaded


def on_warehouse(
    web: Web, work: Callable[[Any], Any], gettext: Callable[[str], str]
) -> tuple[Any, str | None]:
    """``work(backend)`` on the warehouse opened read-only, or None and what went wrong in
    plain text for the page to escape: a catalogue message in the page's language, or the
    input error's own words. (Never pass the latter through the template's ``_()``: Jinja
    marks what gettext returns as safe, so a URL parameter echoed in an error would be
    injected unescaped.)"""
    url = web.container.settings.resolved_warehouse_url()
    try:
        with read_only_warehouse(url) as backend:
            return work(backend), None
    except WarehouseNotLoaded:
        return None, gettext(N_("The warehouse holds no data yet: run “kano warehouse load”."))
    except WarehouseBusy:
        return None, gettext(
            N_("The warehouse is being loaded right now; reload the page shortly.")
        )
    except InvalidInput as error:
        return None, str(error)
