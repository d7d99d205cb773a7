"""Reading the warehouse from a page: the result, or a sentence the user can act on."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from threading import Lock
from typing import Any, TypeVar, cast

from kano.adapters.warehouse.connection import WarehouseBusy
from kano.adapters.warehouse.reading import read_only_warehouse
from kano.adapters.web.deps import Web
from kano.adapters.web.routes.navigation import N_
from kano.domain.shared.errors import InvalidInput
from kano.metrics.warehouse_errors import WarehouseNotLoaded

T = TypeVar("T")
Memo = Callable[[tuple[Any, ...], Callable[[], Any]], Any]


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


MEMO_ENTRIES = 16  # an account's 360 page needs twelve (RFM and cell on five days, CLV, churn)


class WarehouseMemo:
    """Results of warehouse analyses kept per (warehouse, workspace, load): the pages ask
    for the same RFM, CLV or churn model again and again (every customer 360 page needs all
    of them), and the answer only changes when a load changes the data. The key holds the
    workspace's load state (each table's high-water mark and row count), so a load makes
    every older entry unreachable; the oldest entries are dropped beyond ``MEMO_ENTRIES``.
    """

    def __init__(self, entries: int = MEMO_ENTRIES) -> None:
        self._entries = entries
        self._results: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = Lock()

    def bound(self, backend: Any, url: str, workspace_id: int) -> Memo:
        """A ``memo(key, work)`` for this warehouse and workspace as loaded right now."""
        stamp = load_stamp(backend, workspace_id)

        def memo(key: tuple[Any, ...], work: Callable[[], T]) -> T:
            full = (url, workspace_id, stamp, *key)
            with self._lock:
                if full in self._results:
                    self._results.move_to_end(full)
                    return cast(T, self._results[full])
            result = work()  # outside the lock: two first requests may both compute
            with self._lock:
                self._results[full] = result
                while len(self._results) > self._entries:
                    self._results.popitem(last=False)
            return result

        return memo


def load_stamp(backend: Any, workspace_id: int) -> tuple[Any, ...]:
    """What identifies the workspace's data as loaded: each table's load state."""
    from kano.adapters.warehouse.store import STATE_TABLE  # pyarrow: not when the app is built

    try:  # (not list_tables(): Ibis 12 calls a method DuckDB 2 no longer has)
        state = backend.table(STATE_TABLE)
    except Exception:  # no load has written its state: nothing to tell apart
        return ()
    rows = state.filter(state.workspace_id == workspace_id).select(
        "table_name", "high_water", "row_count").to_pyarrow().to_pylist()  # fmt: skip
    return tuple(sorted((r["table_name"], r["high_water"], r["row_count"]) for r in rows))


MEMO = WarehouseMemo()


def remembered(web: Web, backend: Any, workspace_id: int) -> Memo:
    """The process-wide memo bound to this server's warehouse and the workspace."""
    return MEMO.bound(backend, web.container.settings.resolved_warehouse_url(), workspace_id)
