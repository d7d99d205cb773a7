"""Warehouse figures of the pages kept until the warehouse changes.

The CX overview, the journey map, the value pages (RFM, client matrix, profit formula,
CLV, churn and their exports), linkage, key drivers and customer 360 computed their
figures from the warehouse (or at least opened it to read the load stamp, 50-100 ms) on
every visit, while the figures only change when the warehouse does. So they are kept per
warehouse, workspace, version of the data and question; the value analyses are one
question each (``("value", "rfm_view", …)``), shared by the value pages and every
customer's 360 page. Only what comes from the warehouse is kept: what the pages read from
the app database (names, the closed loop, cases, orders, edits, pain-point hand-overs) is
read on every visit, and what a figure depends on in the app database (the journey's
stages, touchpoints and segment, the metric definitions) is part of the question, so an
edit asks a new one.

The version of a DuckDB file is its file state: every write (a load of any workspace,
an incremental append, a file copied over it) changes its size, modification or
status-change time or its write-ahead log, and no process can write while a reader has
it open. It is one ``stat`` call, so a visit that finds its figures does not open the
warehouse, which alone costs tens of milliseconds. Another engine (PostgreSQL, SQLite,
Spark) is opened on every visit and its version is the workspace's load stamp (each
table's high-water mark and row count), as for the other memo.

A figure that cannot be computed from the data (an analysis refusing them: no CLV model
fits, too few churners, an option the data cannot answer — ``InvalidInput`` or the
analytics' ``ValueError``) is kept as that failure for the same version and raised again
on the next visit without opening the warehouse: customer 360 asks for CLV and churn on
every visit, and a workspace whose CLV cannot be fitted would otherwise refit it each
time. Errors of reaching the data (no warehouse yet, a writer holding it, the engine's
own errors, a failure while opening it) are never kept.

A figure is computed once at a time: a visit asking for one that another thread is
computing (the server's warm-up, :mod:`kano.adapters.web.warm_up`, or another visitor)
waits for that result instead of computing it a second time beside it, which on two cores
made both take twice as long.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import ExitStack, contextmanager
from threading import Event, Lock
from typing import Any, TypeVar, cast

from kano.adapters.warehouse.location import parse_warehouse_url
from kano.adapters.warehouse.reading import read_only_warehouse
from kano.domain.shared.errors import InvalidInput

T = TypeVar("T")

# A few dozen filtered views of /cx and /journeys, the value analyses (a customer 360 page
# needs about fifteen: RFM and matrix cell now and on past quarter ends, CLV, churn), linkage
# and drivers, for a few workspaces.
FIGURE_ENTRIES = 128
#: How long a visit waits for the same figure being computed by another thread before it
#: computes the figure itself (a bound, so two figures asked in opposite orders by two
#: threads cannot wait for each other for ever).
WAIT_FOR_OTHER_SECONDS = 120.0

#: What an analysis raises when the data cannot give the figure: kept like a result.
#: (DuckDB's, Ibis's and the warehouse's own errors are none of these.)
DATA_FAILURES: tuple[type[Exception], ...] = (InvalidInput, ValueError)


class _Failed:
    """A kept failure: the analysis' error, raised again for the same data and question."""

    __slots__ = ("error",)

    def __init__(self, error: Exception) -> None:
        # Not the frames it passed through (they hold the analysis' data frames).
        self.error = error
        seen: set[int] = set()
        link: BaseException | None = error
        while link is not None and id(link) not in seen:
            seen.add(id(link))
            link.__traceback__ = None
            link = link.__cause__ or link.__context__


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
    """Figures kept per warehouse, workspace, version of the data and question.

    A page asks through a :meth:`visit` (``visit.figure(question, work)``) or, for one
    figure, :meth:`figures`. A failure of computing from the data (``DATA_FAILURES``) is
    kept like a result and raised again; errors of opening or reading the warehouse (no
    warehouse yet, a writer holds it) propagate and are not kept. ``enabled = False``
    computes every time (the bench)."""

    def __init__(self, entries: int = FIGURE_ENTRIES) -> None:
        self.enabled = True
        self._entries = entries
        self._results: OrderedDict[tuple[Hashable, ...], Any] = OrderedDict()
        self._computing: dict[tuple[Hashable, ...], Event] = {}
        self._lock = Lock()

    @contextmanager
    def visit(self, url: str, workspace_id: int) -> Iterator[WarehouseVisit]:
        """The warehouse for one request; opened (read-only) only if a figure is not kept,
        and closed when the block ends."""
        with ExitStack() as stack:
            yield WarehouseVisit(self, url, workspace_id, stack)

    def figures(
        self, url: str, workspace_id: int, question: tuple[Hashable, ...], work: Callable[[Any], T]
    ) -> T:
        """``work(backend)``'s result for the question on the warehouse as it is now."""
        with self.visit(url, workspace_id) as visit:
            return visit.figure(question, lambda: work(visit.backend))

    def _kept(self, key: tuple[Hashable, ...]) -> tuple[Any] | None:
        with self._lock:
            if key not in self._results:
                return None
            self._results.move_to_end(key)
            return (self._results[key],)

    def _keep(self, key: tuple[Hashable, ...], result: Any) -> None:
        with self._lock:
            self._results[key] = result
            while len(self._results) > self._entries:
                self._results.popitem(last=False)

    def _claim(self, key: tuple[Hashable, ...]) -> Event | None:
        """None when the caller is now the one computing ``key``; else the event set
        when the thread computing it has finished."""
        with self._lock:
            running = self._computing.get(key)
            if running is None:
                self._computing[key] = Event()
            return running

    def _release(self, key: tuple[Hashable, ...]) -> None:
        with self._lock:
            finished = self._computing.pop(key, None)
        if finished is not None:
            finished.set()

    def clear(self) -> None:
        with self._lock:
            self._results.clear()


class WarehouseVisit:
    """One request's figures: ``figure(question, work)`` is ``work()``'s result, kept for
    the version of the data the visit started on. ``backend`` opens the warehouse on first
    use, so a visit whose figures are all kept never opens a DuckDB file; another engine is
    opened to read the load stamp. ``figure`` has the shape of the analytics' ``Memo``."""

    def __init__(self, figures: PageFigures, url: str, workspace_id: int, stack: ExitStack) -> None:
        self.url, self.workspace_id = url, workspace_id
        self._figures, self._stack = figures, stack
        self._backend: Any = None
        self._state = file_state(url)  # before anything is opened
        self._version: tuple[Hashable, ...] | None = None
        self._opening_failed = False

    @property
    def backend(self) -> Any:
        """The Ibis backend, opened read-only for the rest of the visit on first use."""
        if self._backend is None:
            try:
                self._backend = self._stack.enter_context(read_only_warehouse(self.url))
            except BaseException:
                self._opening_failed = True  # whatever it raised is not about the data
                raise
        return self._backend

    @property
    def backend_on_use(self) -> Any:
        """A stand-in for :attr:`backend` to hand to analytics that take a backend but
        only touch it when they compute (behind a ``memo``)."""
        return _OpenedOnUse(self)

    def figure(self, question: tuple[Hashable, ...], work: Callable[[], T]) -> T:
        if not self._figures.enabled:
            return work()
        key = (self.url, self.workspace_id, *self._data_version(), *question)
        found = self._figures._kept(key)
        if found is None:
            running = self._figures._claim(key)
            if running is None:
                try:  # (kept by a thread that finished between the look and the claim?)
                    found = self._figures._kept(key)
                    if found is None:
                        return self._computed(key, work)
                finally:
                    self._figures._release(key)
            else:
                running.wait(WAIT_FOR_OTHER_SECONDS)
                found = self._figures._kept(key)
                if found is None:  # the other failed in a way not kept, or took too long
                    return self._computed(key, work)
        if isinstance(found[0], _Failed):
            raise found[0].error.with_traceback(None)
        return cast(T, found[0])

    def _computed(self, key: tuple[Hashable, ...], work: Callable[[], T]) -> T:
        """``work()``, kept under ``key`` (a failure from the data too) if the data did
        not change meanwhile."""
        try:
            result = work()
        except DATA_FAILURES as error:
            if not self._opening_failed and self._same_version():
                self._figures._keep(key, _Failed(error))
            raise
        if self._same_version():
            self._figures._keep(key, result)
        return result

    def _same_version(self) -> bool:
        """False when the file was written since the visit began: which version was read
        is then unknown, so nothing read may be kept under the first one."""
        return self._state is None or file_state(self.url) == self._state

    def _data_version(self) -> tuple[Hashable, ...]:
        if self._state is not None:
            return ("file", self._state)
        if self._version is None:
            self._version = ("stamp", load_stamp(self.backend, self.workspace_id))
        return self._version


class _OpenedOnUse:
    """Forwards to the visit's backend, opening it at the first attribute asked for."""

    def __init__(self, visit: WarehouseVisit) -> None:
        self._visit = visit

    def __getattr__(self, name: str) -> Any:
        return getattr(self._visit.backend, name)


PAGE_FIGURES = PageFigures()
