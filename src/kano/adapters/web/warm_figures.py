"""Compute the slowest analysis pages' figures in the background once the server starts,
so nobody's first visit of them waits for the fits and queries.

Why: after the libraries are imported (:mod:`kano.adapters.web.warm_up`), the first visit
of ``/value/clv`` still fitted BG/NBD and Gamma-Gamma per segment twice (the answer and
its holdout check), ``/linkage`` tested the chain's links in ~25 Ibis queries and
``/journeys`` read its map: 1–3 s each on a quiet two-core machine, 5–8 s on a busy one.
Their figures are kept per version of the data (:mod:`kano.adapters.web.page_figures`),
so computing them once here — the same questions the pages ask, through the pages' own
functions — makes the first visit a kept one. A visit arriving while a figure is still
being computed here waits for it instead of computing it beside it.

Their templates are compiled too (:mod:`kano.adapters.web.template_code`): with the figures
kept, compiling the journey map's template was most of that page's first visit, which
made it slower after the warm-up than without it (0.34 s against 0.24 s on an idle
machine: the page's figures were found, the compilation was not).

Only the default view of each page (every segment, the first journey, no period) of the
first :data:`FIGURE_WORKSPACES` workspaces is computed: the views most visitors open
first. Nothing is written anywhere but the process's kept figures; a warehouse that is
missing, busy or cannot answer is skipped (the page then says why, as before).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from functools import partial
from typing import Final

from sqlalchemy import exists, select

from kano.config import Settings
from kano.domain.journeys import Journey

log = logging.getLogger("uvicorn.error")

PAGE_TEMPLATES: Final = ("value/clv.html", "analysis/linkage.html", "journeys/map.html")
"""The warmed pages' templates, compiled with what they extend, include and import."""

FIGURE_WORKSPACES: Final = 4
"""Workspaces (by id, oldest first) whose pages are warmed: bounds a busy server's start."""


@dataclass(frozen=True)
class Warmed:
    """What one warm-up computed: (workspace id, page) and seconds, what failed and the
    templates compiled."""

    seconds: dict[tuple[int, str], float]
    failed: list[tuple[int, str]]
    templates: list[str]


def compile_page_templates() -> list[str]:
    """Compile the warmed pages' templates in every UI language (kept per language: see
    :mod:`kano.adapters.web.template_code`); the names compiled."""
    from kano.adapters.web.i18n import LANGUAGES, load_all_translations
    from kano.adapters.web.template_code import compile_templates
    from kano.adapters.web.templating import Templates

    templates = Templates(load_all_translations())
    names: list[str] = []
    for language in LANGUAGES:
        for name in compile_templates(templates.environment(language), PAGE_TEMPLATES):
            if name not in names:
                names.append(name)
    return names


def _workspaces_and_journeys(settings: Settings) -> dict[int, Journey | None]:
    """The first workspaces' ids, each with its first journey (None if it has none yet:
    the page seeds them on its first visit, which a warm-up must not do)."""
    from kano.adapters.db import journey_store
    from kano.adapters.db.orm import JourneyRow, Workspace
    from kano.bootstrap import build_container

    container = build_container(settings)
    try:
        with container.sessions() as db:
            ids = db.scalars(select(Workspace.id).order_by(Workspace.id)
                             .limit(FIGURE_WORKSPACES)).all()  # fmt: skip
            found: dict[int, Journey | None] = {}
            for ws in ids:
                has = db.scalar(select(exists().where(JourneyRow.workspace_id == ws)))
                found[ws] = journey_store.list_journeys(db, ws)[0] if has else None
            db.rollback()
            return found
    finally:
        container.close()


def warm_page_figures(settings: Settings) -> Warmed:
    """Compute and keep the default figures of ``/value/clv``, ``/linkage`` and
    ``/journeys`` for the first workspaces, and compile their templates."""
    from kano.adapters.web.journey_figures import journey_figures
    from kano.adapters.web.linkage_figures import linkage_figures
    from kano.adapters.web.page_figures import PAGE_FIGURES
    from kano.adapters.web.value_figures import Analyses, clv_fits, segment_keys
    from kano.analytics.value.views import ClvNotFitted

    url = settings.resolved_warehouse_url()
    seconds: dict[tuple[int, str], float] = {}
    failed: list[tuple[int, str]] = []
    for ws, journey in _workspaces_and_journeys(settings).items():

        def clv(ws: int = ws) -> None:
            with PAGE_FIGURES.visit(url, ws) as visit:
                segment_keys(visit, ws)
                with suppress(ClvNotFitted):  # kept as such: the page says why
                    clv_fits(Analyses(visit, ws), "", False)

        def linkage(ws: int = ws) -> None:
            with PAGE_FIGURES.visit(url, ws) as visit:
                linkage_figures(visit, ws)

        pages: dict[str, Callable[[], None]] = {"/value/clv": clv, "/linkage": linkage}
        if journey is not None:
            pages["/journeys"] = partial(journey_figures, url, ws, journey, "", None, None)
        for page, work in pages.items():
            started = time.perf_counter()
            try:
                work()
            except Exception:  # no data, a writer holds the warehouse, a failing analysis
                failed.append((ws, page))
                log.debug("warming %s of workspace %s failed", page, ws, exc_info=True)
                continue
            seconds[(ws, page)] = time.perf_counter() - started
    return Warmed(seconds, failed, compile_page_templates())
