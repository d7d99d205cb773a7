"""Analyse a workspace's comments and store the results in the warehouse.

Run by the worker right after its warehouse load (:func:`analyse_after_load`, every
workspace whose stored analysis is missing or not current; a workspace whose comments did
not change costs two small queries) and by ``kano text analyze``. When the sentiment
model learns from the same labelled comments as before (a load brought only unscored or
middle-score comments), its stored cross-validated figures are kept and it is fit once
instead of six times (:class:`~kano.analytics.text.stored_results.ReusingTrainer`). What
is stored and how it is read: :mod:`kano.analytics.text.stored_results`.

The warehouse is read through a read-only connection, the analysis runs with it closed,
and the results are written in one store transaction (the workspace's old rows replaced),
so a DuckDB file is held for writing only for the write itself and readers never see half
an analysis. Every engine is written through its warehouse store, Spark's included (Parquet
files swapped in by its manifest, as a load is).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kano.adapters.warehouse.connection import WarehouseBusy
from kano.metrics.warehouse_errors import WarehouseNotLoaded

log = logging.getLogger("kano.worker")

STEPS = ("reading", "language", "sentiment", "themes", "topics", "storing")
"""What :func:`analyse_and_store` reports to ``progress``, in order."""
WRITE_ATTEMPTS = 5
"""A DuckDB file that a request holds open read-only cannot be opened for writing: tried
again this many times, a second apart (requests hold it for milliseconds)."""


@dataclass(frozen=True)
class TextRun:
    workspace_id: int
    status: str
    """``stored`` or ``current`` (nothing to do)."""
    comments: int = 0
    seconds: float = 0.0
    analysis: Any = None
    """The :class:`~kano.analytics.text.TextAnalysis` computed (None when current)."""
    cv_reused: bool = False
    """The sentiment model learnt from the same labelled comments as the stored one: its
    cross-validated figures were kept instead of computed again."""

    def summary(self) -> str:
        if self.status == "stored":
            return (f"workspace {self.workspace_id}: {self.comments} comments analysed in "
                    f"{self.seconds:.1f} s"
                    + (" (same labelled comments: CV figures kept)" if self.cv_reused
                       else ""))  # fmt: skip
        return f"workspace {self.workspace_id}: comment analysis {self.status}"


def analyse_and_store(
    url: str, workspace_id: int, *, force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> TextRun:  # fmt: skip
    """Analyse the workspace's warehouse comments and store the results, unless the stored
    analysis is current (``force``: analyse anyway)."""
    from kano.adapters.warehouse.reading import read_only_warehouse
    from kano.analytics.text import analyze_comments
    from kano.analytics.text.inputs import load_comments
    from kano.analytics.text.stored_results import (
        ReusingTrainer,
        stored_freshness,
        stored_summary,
    )

    say = progress or (lambda _step: None)
    started = time.perf_counter()
    say("reading")
    with read_only_warehouse(url) as backend:
        summary = stored_summary(backend, workspace_id)
        freshness = None if summary is None else stored_freshness(
            backend, workspace_id, summary=summary)  # fmt: skip
        if not force and freshness is not None and freshness.current:
            return TextRun(workspace_id, "current")
        frame = load_comments(backend, workspace_id)
    trainer = ReusingTrainer(None if force else summary)
    analysis = analyze_comments(frame, progress=say, train=trainer)
    say("storing")
    store_analysis(url, workspace_id, analysis)
    return TextRun(workspace_id, "stored", len(frame), time.perf_counter() - started, analysis,
                   cv_reused=trainer.reused)  # fmt: skip


def store_analysis(url: str, workspace_id: int, analysis: Any) -> None:
    """Replace the workspace's stored analysis with ``analysis``, atomically."""
    from kano.adapters.db.orm import utcnow
    from kano.analytics.text.stored_results import insight_tables
    from kano.metrics.warehouse_schema import COMMENT_INSIGHTS, TEXT_ANALYSES

    comments, summary = insight_tables(analysis, workspace_id, utcnow().replace(tzinfo=None))
    store = _open_store(url)
    try:
        store.ensure_tables()
        with store.transaction() as writer:
            for table, rows in ((COMMENT_INSIGHTS, comments), (TEXT_ANALYSES, summary)):
                writer.delete_workspace(table.name, workspace_id)
                writer.append(table.name, rows)
    finally:
        store.close()


def _open_store(url: str) -> Any:
    from kano.adapters.warehouse import open_store

    for attempt in range(WRITE_ATTEMPTS):
        try:
            return open_store(url)
        except WarehouseBusy:
            if attempt == WRITE_ATTEMPTS - 1:
                raise
            time.sleep(1.0)
    raise AssertionError("unreachable")


def analyse_after_load(url: str, workspace_ids: list[int]) -> list[str]:
    """The worker's step after the load: each workspace whose stored analysis is missing or
    not current is analysed and stored; one line per workspace analysed or failed."""
    outcomes = []
    for workspace_id in workspace_ids:
        try:  # one workspace's failure must not stop the others
            run = analyse_and_store(url, workspace_id)
        except WarehouseNotLoaded:
            return outcomes  # no warehouse yet: nothing to analyse for anyone
        except WarehouseBusy as error:
            outcomes.append(f"workspace {workspace_id}: comments not analysed ({error})")
            continue
        except Exception as error:
            log.exception("comment analysis of workspace %s", workspace_id)
            outcomes.append(f"workspace {workspace_id}: comment analysis failed, {error}")
            continue
        if run.status != "current":
            outcomes.append(run.summary())
    return outcomes
