"""Import what the analysis pages need in the background once the server answers, so
nobody's first visit of a page waits for it.

Why: the analytics libraries (Ibis with its SQL compilers and every sqlglot dialect,
DuckDB, SciPy, statsmodels, scikit-learn) are imported on first use, which keeps
``kano serve`` and ``kano demo`` quick to answer their first page (bench/RESULTS.md,
start-up). But then the first visit of the CX overview, the journey map, the linkage and
the value pages each paid for them: 0.9–1.4 s on a quiet two-core machine and 3–9 s on a
busy one, of which py-spy put about three fifths in imports (2026-12-06). A thread that
imports them while the user is still logging in takes that off the pages: the first
visits of twelve analysis pages 1.5–1.65× faster, the slowest 1.28 → 0.87 s
(``bench/first_visits.py``, bench/RESULTS.md).

Then it computes the default figures of the slowest pages (``/value/clv``, ``/linkage``,
``/journeys``) for the first workspaces (:mod:`kano.adapters.web.warm_figures`): reads
only, kept in the process like a visit's; a server with no warehouse yet skips them and
is done all the same. ``KANO_WARM_UP=false`` turns it off (an intake-only server saves
the memory and the work).
"""

from __future__ import annotations

import gc
import importlib
import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from kano.config import Settings

# uvicorn's own logger: the one ``kano serve`` prints, in one process and in each worker
log = logging.getLogger("uvicorn.error")

PAGE_MODULES: Final = (
    # the metric engine and its compiler (Ibis): every metric, CX and scorecard page
    "kano.metrics.catalogue",
    "kano.metrics.compute",
    "kano.metrics.binding",
    "kano.metrics.custom",
    # the read side of the analysis pages
    "kano.analytics.journeys.report",
    "kano.analytics.linkage",
    "kano.analytics.linkage.frames",
    "kano.analytics.linkage.say_do",
    "kano.analytics.linkage.driver_inputs",
    "kano.analytics.value.views",
    "kano.analytics.value.inputs",
    "kano.analytics.value.churn",  # scikit-learn, for /value/churn only (~2 s)
    "kano.analytics.pilots.views",
    "kano.analytics.text.stored_results",
    "kano.adapters.web.pilot_charts",
)
"""What the web routes import inside their handlers (they pull in the heavy libraries)."""

BACKENDS: Final = {"duckdb": "duckdb", "postgresql": "postgres", "sqlite": "sqlite"}
"""Warehouse URL scheme → the Ibis backend a page's first warehouse read loads."""

_state = "off"


def warm_up_state() -> str:
    """``off`` (not asked for), ``running``, ``done`` or ``failed``: for ``/healthz``."""
    return _state


def import_page_modules(warehouse_url: str) -> float:
    """Import every module of :data:`PAGE_MODULES` and the warehouse's Ibis backend;
    returns the seconds it took."""
    started = time.perf_counter()
    for name in PAGE_MODULES:
        importlib.import_module(name)
    scheme = warehouse_url.split(":", 1)[0].split("+", 1)[0]
    backend = BACKENDS.get(scheme)
    if backend is not None:
        import ibis

        getattr(ibis, backend)  # loads the backend and its SQL compiler
    return time.perf_counter() - started


def set_aside_for_good() -> None:
    """Collect the warm-up's garbage, then put every object left (the imported libraries,
    the kept figures) out of the cycle collector's sight for the life of the process.

    Why: after the warm-up the process holds some 350,000 objects, and each full collection
    walked them all (0.8–1.1 s at load 11 on two cores), paid by whichever
    request happened to allocate at that moment. Objects set aside are still freed when
    nothing refers to them; only a cycle among them is never collected, which for modules
    and a handful of kept figures is no loss."""
    gc.collect()
    gc.freeze()


def warm_up_when_started(started: Callable[[], bool], settings: Settings) -> threading.Thread:
    """Start a daemon thread that waits until ``started()`` (the server listens, so the
    first page was never slower for it), imports the page modules and then computes the
    slowest pages' default figures."""

    def run() -> None:
        global _state
        while not started():
            time.sleep(0.05)
        try:
            seconds = import_page_modules(settings.resolved_warehouse_url())
        except Exception:  # a broken optional library must not take the server down
            _state = "failed"
            log.exception("warming up the analysis pages failed; they import on first use")
            return
        log.info("analysis pages warmed up in %.1f s", seconds)
        started_figures = time.perf_counter()
        try:
            from kano.adapters.web.warm_figures import warm_page_figures

            warmed = warm_page_figures(settings)
        except Exception:  # e.g. the app database unreachable: the pages compute on visit
            log.exception("computing the analysis pages' figures failed; they compute on visit")
        else:
            log.info("figures of %d analysis pages computed in %.1f s (%d skipped)",
                     len(warmed.seconds), time.perf_counter() - started_figures,
                     len(warmed.failed))  # fmt: skip
        set_aside_for_good()
        _state = "done"

    global _state
    _state = "running"
    thread = threading.Thread(target=run, name="kano-warm-up", daemon=True)
    thread.start()
    return thread
