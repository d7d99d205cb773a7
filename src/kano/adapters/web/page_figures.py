"""Figures of the CX overview and the journey map kept until the warehouse changes.

Both pages computed their figures from the warehouse on every visit (two dozen Ibis
queries for ``/cx``, 0.3-0.7 s warm on the demo), while the figures only change when the
warehouse does. So, like :class:`~kano.adapters.web.warehouse_reads.WarehouseMemo` for
RFM, CLV and linkage, they are kept per warehouse, workspace, version of the data and
question. Only what comes from the warehouse is kept: what the pages read from the app
database (the closed loop, segment, stage, touchpoint and team names, pain-point
hand-overs) is read on every visit, and what a figure depends on in the app database
(the journey's stages, touchpoints and segment, the metric definitions) is part of the
question, so an edit asks a new one.

The version of a DuckDB file is its file state: every write (a load of any workspace,
an incremental append, a file copied over it) changes its size, modification or
status-change time or its write-ahead log, and no process can write while a reader has
it open. It is one ``stat`` call, so a visit that finds its figures does not open the
warehouse, which alone costs tens of milliseconds. Another engine (PostgreSQL, SQLite,
Spark) is opened on every visit and its version is the workspace's load stamp (each
table's high-water mark and row count), as for the other memo.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import Any, TypeVar, cast

from kano.adapters.warehouse.location import parse_warehouse_url
from kano.adapters.warehouse.reading import read_only_warehouse
from kano.adapters.web.warehouse_reads import load_stamp

T = TypeVar("T")

FIGURE_ENTRIES = 64  # a few dozen filtered views of /cx and /journeys for a few workspaces


def file_state(url: str) -> tuple[int, ...] | None:
    """What changes whenever a DuckDB warehouse file is written (the file and its
    write-ahead log); None for another engine, an in-memory or a missing file."""
    location = parse_warehouse_url(url)
    if location.engine != "duckdb" or location.path is None:
        return None
    try:
        main = os.stat(location.path)
    except OSError:
        return None
    try:
        wal = os.stat(f"{location.path}.wal")
        log: tuple[int, ...] = (wal.st_ino, wal.st_size, wal.st_mtime_ns, wal.st_ctime_ns)
    except OSError:
        log = ()
    return (main.st_dev, main.st_ino, main.st_size, main.st_mtime_ns, main.st_ctime_ns, *log)


class PageFigures:
    """``figures(url, workspace_id, question, work)``: ``work(backend)``'s result for the
    question on the warehouse as it is now, computed once per version of its data.

    Errors of opening or computing (no warehouse yet, a writer holds it, a form error)
    propagate and are not kept. ``enabled = False`` computes every time (the bench)."""

    def __init__(self, entries: int = FIGURE_ENTRIES) -> None:
        self.enabled = True
        self._entries = entries
        self._results: OrderedDict[tuple[Hashable, ...], Any] = OrderedDict()
        self._lock = Lock()

    def figures(self, url: str, workspace_id: int, question: tuple[Hashable, ...],
                work: Callable[[Any], T]) -> T:
        if not self.enabled:
            with read_only_warehouse(url) as backend:
                return work(backend)
        before = file_state(url)
        if before is not None:
            key: tuple[Hashable, ...] = (url, workspace_id, "file", before, *question)
            found = self._kept(key)
            if found is not None:
                return cast(T, found[0])
            with read_only_warehouse(url) as backend:
                result = work(backend)
            if file_state(url) != before:  # written just before it was opened: which
                return result  # version was read is not known, so it is not kept
        else:
            with read_only_warehouse(url) as backend:
                key = (url, workspace_id, "stamp", load_stamp(backend, workspace_id),
                       *question)  # fmt: skip
                found = self._kept(key)
                if found is not None:
                    return cast(T, found[0])
                result = work(backend)
        with self._lock:
            self._results[key] = result
            while len(self._results) > self._entries:
                self._results.popitem(last=False)
        return result

    def _kept(self, key: tuple[Hashable, ...]) -> tuple[Any] | None:
        with self._lock:
            if key not in self._results:
                return None
            self._results.move_to_end(key)
            return (self._results[key],)

    def clear(self) -> None:
        with self._lock:
            self._results.clear()


PAGE_FIGURES = PageFigures()
