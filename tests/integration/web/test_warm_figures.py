"""The server's warm-up computes the slowest pages' figures (``/value/clv``, ``/linkage``,
``/journeys``) before anyone visits them, the very figures a visit would compute, and a
visit asking for a figure being computed waits for it instead of computing it again.

The app database is SQLite and PostgreSQL (the ``live`` fixture), the warehouse a real
DuckDB file."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment
from starlette.testclient import TestClient

from kano.adapters.db import journey_store
from kano.adapters.web.page_figures import PAGE_FIGURES, PageFigures
from kano.adapters.web.template_code import COMPILED_TEMPLATES
from kano.adapters.web.warm_figures import warm_page_figures
from kano.app import create_app
from kano.bootstrap import Container
from tests.integration.jobs.test_live_binding import demo_data, live, workspace_id
from tests.integration.web.browsing import Browser
from tests.integration.web.test_warehouse_memo import _loaded, _rows, opened_warehouses

__all__ = ["demo_data", "live"]

WARMED = ("/value/clv", "/linkage", "/journeys")


def test_after_the_warm_up_the_first_visits_open_no_warehouse_and_show_a_computation(
    live: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = workspace_id(live.sessions)
    with live.sessions() as db:  # the journeys as the first visit of /journeys seeds them
        journey_store.list_journeys(db, ws)
        db.commit()
    PAGE_FIGURES.clear()
    warmed = warm_page_figures(live.settings)
    assert {page for (w, page) in warmed.seconds if w == ws} == set(WARMED), warmed.failed
    browser = Browser(TestClient(create_app(container=live), follow_redirects=False))
    browser.log_in("helen.carter@northwind.example", "demo")
    opened = opened_warehouses(monkeypatch)

    first = {page: browser.page(f"{page}?lang=en").text for page in WARMED}
    assert opened == []  # every figure was computed by the warm-up
    monkeypatch.setattr(PAGE_FIGURES, "enabled", False)
    computed = {page: browser.page(f"{page}?lang=en").text for page in WARMED}
    assert len(opened) >= len(WARMED)
    for page in WARMED:
        assert first[page] == computed[page], page
    assert "Gamma-Gamma" in first["/value/clv"]


def compiled_templates(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the templates Jinja compiles from now on (in any environment)."""
    compiled: list[str] = []
    real = Environment.compile

    def counting(self: Environment, source: Any, name: str | None = None, *args: Any,
                 **kwargs: Any) -> Any:  # fmt: skip
        compiled.append(str(name))
        return real(self, source, name, *args, **kwargs)

    monkeypatch.setattr(Environment, "compile", counting)
    return compiled


def test_after_the_warm_up_the_first_journey_map_visit_computes_and_compiles_nothing(
    live: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The warm-up kept the map and compiled its templates, so the first visit (in another
    language than the warm-up's) only reads the app database and renders; a server whose
    templates were not compiled compiles the map's on that visit."""
    ws = workspace_id(live.sessions)
    with live.sessions() as db:  # the journeys as the first visit of /journeys seeds them
        journey_store.list_journeys(db, ws)
        db.commit()
    PAGE_FIGURES.clear()
    COMPILED_TEMPLATES.clear()
    warmed = warm_page_figures(live.settings)
    assert (ws, "/journeys") in warmed.seconds, warmed.failed
    assert {"journeys/map.html", "base.html"} <= set(warmed.templates)
    browser = Browser(TestClient(create_app(container=live), follow_redirects=False))
    browser.log_in("helen.carter@northwind.example", "demo")
    opened, compiled = opened_warehouses(monkeypatch), compiled_templates(monkeypatch)

    first = browser.page("/journeys?lang=hu").text
    assert opened == [] and compiled == []
    assert 'id="pain-points"' in first and "<svg" in first

    COMPILED_TEMPLATES.clear()  # a server that did not compile them: the control
    cold = Browser(TestClient(create_app(container=live), follow_redirects=False))
    cold.log_in("helen.carter@northwind.example", "demo")
    compiled.clear()
    assert 'id="pain-points"' in cold.page("/journeys?lang=hu").text
    assert "journeys/map.html" in compiled and opened == []


def test_a_figure_being_computed_is_waited_for_not_computed_twice(tmp_path: Path) -> None:
    url = _loaded(tmp_path, "w.duckdb", 1, 3)
    figures, calls = PageFigures(), []
    started = threading.Event()

    def slow_count(backend: Any) -> int:
        calls.append(1)
        started.set()
        time.sleep(0.5)
        return _rows(backend)

    answers: list[int] = []
    warm_up = threading.Thread(
        target=lambda: answers.append(figures.figures(url, 1, ("clv",), slow_count))
    )
    warm_up.start()
    assert started.wait(10)
    answers.append(figures.figures(url, 1, ("clv",), slow_count))  # the visit, meanwhile
    warm_up.join()
    assert answers == [3, 3] and len(calls) == 1
    assert figures.figures(url, 1, ("other",), slow_count) == 3 and len(calls) == 2


def test_a_visit_computes_itself_when_the_other_computation_failed(tmp_path: Path) -> None:
    """An error of reaching the data is not kept: the waiting visit computes anew."""
    url = _loaded(tmp_path, "w.duckdb", 1, 3)
    figures, started = PageFigures(), threading.Event()

    def failing(backend: Any) -> int:
        started.set()
        time.sleep(0.3)
        raise RuntimeError("the warehouse went away")

    def warm_up() -> None:
        with pytest.raises(RuntimeError):
            figures.figures(url, 1, ("clv",), failing)

    thread = threading.Thread(target=warm_up)
    thread.start()
    assert started.wait(10)
    assert figures.figures(url, 1, ("clv",), _rows) == 3
    thread.join()
