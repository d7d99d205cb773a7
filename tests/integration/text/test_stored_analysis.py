"""The text analysis stored in the warehouse after a load (SPEC §3: analytics run where the
data lives; serve copies are stateless): the worker writes it, the Themes page and the API
roll it up without computing anything, a comment that arrives later is reported as not yet
analysed, and the stored roll-ups equal the analysis computed directly on the same
comments (pandas, :func:`kano.analytics.text.theme_summary`).

The demo company (size S) in the app database and in a warehouse: SQLite app database with
a DuckDB warehouse, and PostgreSQL for both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import Workspace
from kano.adapters.importers.company_parquet import load_company
from kano.adapters.jobs.text_insights import analyse_after_load, analyse_and_store
from kano.adapters.jobs.worker import COMPUTE_JOB, Worker, default_jobs
from kano.adapters.warehouse import ParquetSource, connect, open_store
from kano.analytics.text import analyze_comments
from kano.analytics.text.cache import clear_cache
from kano.analytics.text.inputs import load_comments
from kano.analytics.text.report import TextReport, report_from_analysis
from kano.analytics.text.stored_results import (
    METHOD_VERSION,
    method_version,
    report_from_store,
    taxonomy_version,
)
from kano.analytics.text.themes import default_taxonomy
from kano.app import create_app
from kano.bootstrap import Container, build_container
from kano.config import Settings
from kano.demo.strategy import import_demo_strategy
from kano.domain.workspaces import Scope
from tests.databases import DatabaseFactory, require_engine
from tests.integration.jobs.test_live_binding import WORKSPACE, demo_data, workspace_id
from tests.integration.web.browsing import Browser
from tests.warehouses import WarehouseFactory, load_into

__all__ = ["demo_data"]
LATE = "The courier came two days late and nobody called. Very disappointing."


class Stack:
    def __init__(self, container: Container, url: str, token: str) -> None:
        self.container, self.url, self.token = container, url, token
        self.workspace_id = workspace_id(container.sessions)

    def backend(self) -> Any:
        return connect(self.url, read_only=True)

    def api(self, path: str, **params: str) -> dict[str, Any]:
        with TestClient(create_app(container=self.container)) as client:
            response = client.get(f"/api/v1{path}", params=params,
                                  headers={"Authorization": f"Bearer {self.token}"})  # fmt: skip
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def page(self, path: str) -> str:
        browser = Browser(TestClient(create_app(container=self.container),
                                     follow_redirects=False))  # fmt: skip
        browser.log_in("helen.carter@northwind.example", "demo")
        response = browser.client.get(path)
        assert response.status_code == 200, response.text
        return response.text


@pytest.fixture(scope="module", params=[
    pytest.param(("sqlite", "duckdb"), id="sqlite-duckdb"),
    pytest.param(("postgresql", "postgres"), id="postgresql", marks=pytest.mark.postgres),
])  # fmt: skip
def stack(
    request: pytest.FixtureRequest, database_factory: DatabaseFactory, demo_data: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Stack]:  # fmt: skip
    app_engine, warehouse_engine = request.param
    require_engine(app_engine)
    warehouses = WarehouseFactory(tmp_path_factory.mktemp("text-warehouse"))
    url = database_factory.fresh(app_engine)
    warehouse = warehouses.new_url(warehouse_engine)
    container = build_container(Settings(
        database_url=url, warehouse_url=warehouse,
        secret_key="test-secret-key-0123456789abcdef", demo_data_dir=str(demo_data),
    ))  # fmt: skip
    load_company(container.sessions, demo_data, WORKSPACE, "Northwind (demo)")
    import_demo_strategy(container.sessions, demo_data, WORKSPACE)  # its people sign in
    load_into(warehouse, ParquetSource(demo_data), workspace_id(container.sessions))
    token = _read_token(container.sessions)
    yield Stack(container, warehouse, token)
    container.close()
    database_factory.drop(url)
    warehouses.close()


def _read_token(sessions: sessionmaker[Session]) -> str:
    with transaction(sessions) as session:
        workspace = session.query(Workspace).filter(Workspace.slug == WORKSPACE).one()
        return accounts.create_api_token(session, workspace, Scope.READ, "text").token


@pytest.fixture(scope="module")
def analysed(stack: Stack) -> str:
    """The worker's compute job run once after the load: its outcome line."""
    (job,) = [job for job in default_jobs(stack.container) if job.name == COMPUTE_JOB]
    ((name, status, message),) = Worker(stack.container, [job]).run_due()
    assert (name, status) == (COMPUTE_JOB, "ok"), message
    return message


def _stored_rows(stack: Stack) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    backend = stack.backend()
    try:
        def rows(name: str) -> list[dict[str, Any]]:
            t = backend.table(name)
            return list(t.filter(t.workspace_id == stack.workspace_id).to_pyarrow().to_pylist())

        return rows("comment_insights"), rows("text_analyses")
    finally:
        backend.disconnect()


def _computed(stack: Stack, by: Any) -> TextReport:
    backend = stack.backend()
    try:
        return report_from_analysis(analyze_comments(load_comments(backend, stack.workspace_id)),
                                    by)  # fmt: skip
    finally:
        backend.disconnect()


def _stored(stack: Stack, by: Any) -> TextReport:
    backend = stack.backend()
    try:
        report = report_from_store(backend, stack.workspace_id, by)
    finally:
        backend.disconnect()
    assert report is not None
    return report


def assert_same(got: dict[str, Any], want: dict[str, Any]) -> None:
    """Equal, floats to 1e-9 (the warehouse and pandas sum in another order)."""
    assert got.keys() == want.keys()
    for key, value in want.items():
        if isinstance(value, float):
            assert got[key] == pytest.approx(value, rel=1e-9, abs=1e-12), key
        else:
            assert got[key] == value, key


def test_the_topic_back_end_setting_is_part_of_the_method_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("KANO_TEXT_EMBEDDINGS", raising=False)
    assert method_version() == METHOD_VERSION
    monkeypatch.setenv("KANO_TEXT_EMBEDDINGS", "minilm")
    assert method_version() == f"{METHOD_VERSION};topics=minilm:en"
    monkeypatch.setenv("KANO_TEXT_EMBEDDINGS", "off")
    assert method_version() == METHOD_VERSION


def test_the_worker_stores_every_comment_after_the_load_and_then_has_nothing_to_do(
    stack: Stack, analysed: str
) -> None:
    insights, summaries = _stored_rows(stack)
    backend = stack.backend()
    try:
        comments = load_comments(backend, stack.workspace_id)
    finally:
        backend.disconnect()

    assert f"{len(comments)} comments analysed" in analysed
    assert sorted(r["response_id"] for r in insights) == sorted(comments["response_id"])
    by_id = {r["response_id"]: r for r in insights}
    for row in comments.head(50).itertuples():
        assert by_id[row.response_id]["comment"] == row.comment
    (summary,) = summaries
    assert summary["comments"] == len(comments)
    assert summary["method_version"] == method_version() == METHOD_VERSION
    assert summary["taxonomy_version"] == taxonomy_version(default_taxonomy())
    assert len(summary["model_version"]) == 16
    assert analyse_after_load(stack.url, [stack.workspace_id]) == [], "nothing changed"


@pytest.mark.parametrize("by", [None, "touchpoint", "segment"])
def test_stored_rollups_equal_the_analysis_computed_on_the_same_comments(
    stack: Stack, analysed: str, by: Any
) -> None:
    stored, computed = _stored(stack, by), _computed(stack, by)

    assert stored.comments == computed.comments > 500
    assert stored.languages == computed.languages
    assert stored.model == computed.model and stored.model.trained
    assert len(stored.themes) == len(computed.themes) > 0
    for got, want in zip(stored.themes, computed.themes, strict=True):
        assert_same(got.as_dict(), want.as_dict())
    assert [(r.group, r.theme) for r in stored.ranking] == [
        (r.group, r.theme) for r in computed.ranking]
    assert stored.examples == computed.examples and any(stored.examples.values())
    for got_row, want_row in zip(stored.distribution, computed.distribution, strict=True):
        assert_same(got_row, want_row)
    assert [(t.index, t.terms, t.method, t.comments) for t in stored.topics] == [
        (t.index, t.terms, t.method, t.comments) for t in computed.topics]
    assert stored.freshness.source == "stored" and stored.freshness.current


def test_page_and_api_read_the_stored_analysis_without_computing(
    stack: Stack, analysed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_computing(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the read computed the analysis")

    clear_cache()
    monkeypatch.setattr("kano.analytics.text.cache.analyze_comments", no_computing)
    stored = _stored(stack, None)

    page = stack.page("/text?by=all&lang=en")
    assert 'data-source="stored"' in page and 'id="not-analysed"' not in page
    assert f'<strong id="model-accuracy">{stored.model.accuracy:.3f}</strong>' in page
    shown = re.findall(r'<tr data-theme="([a-z_]+)"><td>', page)
    assert shown == [r.theme for r in stored.ranking[:10]]
    assert stored.examples[(stored.ranking[0].group, stored.ranking[0].theme)][0] in page

    themes = stack.api("/text/themes", by="segment")
    assert themes["analysis"]["source"] == "stored" and themes["analysis"]["not_analysed"] == 0
    by_segment = _stored(stack, "segment")
    assert [(t["group"], t["theme"], t["n"]) for t in themes["themes"]] == [
        (r.group, r.theme, r.n) for r in by_segment.themes]
    sentiment = stack.api("/text/sentiment", by="touchpoint")
    assert sum(row["n"] for row in sentiment["distribution"]) == stored.comments
    insights, _ = _stored_rows(stack)
    one = next(r for r in insights if r["themes"] and r["sentiment"] == "negative")
    reading = stack.api(f"/text/responses/{one['response_id']}")
    assert reading["comment"] == one["comment"] and reading["sentiment"] == "negative"
    assert reading["themes"] == [k for k in one["themes"].split("|") if k]


def test_an_analysis_by_another_method_is_outdated_and_redone_after_the_next_load(
    stack: Stack, analysed: str
) -> None:
    store = open_store(stack.url)
    try:
        with store.transaction():
            store.execute(  # type: ignore[attr-defined]
                f"UPDATE {store.name('text_analyses')} SET method_version = '0' "  # type: ignore[attr-defined]
                f"WHERE workspace_id = {stack.workspace_id}")  # fmt: skip
    finally:
        store.close()
    before = _stored(stack, None)
    assert before.freshness.outdated == "method" and before.freshness.not_analysed == 0
    assert "text analysis changed since." in stack.page("/text?lang=en")

    (line,) = analyse_after_load(stack.url, [stack.workspace_id])

    assert "comments analysed" in line
    assert _stored(stack, None).freshness.current


def _add_response_to_warehouse(
    stack: Stack, comment: str, unscored: bool = False, nps: int | None = None
) -> int:
    """A commented response that reached the warehouse after the analysis (a copy of a
    stored one with a new id and comment; ``unscored``: without any score; ``nps``: this
    NPS and no other score)."""
    backend = stack.backend()
    try:
        t = backend.table("responses")
        mine = t.filter(t.workspace_id == stack.workspace_id)
        new_id = int(mine.response_id.max().to_pyarrow().as_py()) + 1
        row = mine.filter(mine.comment.notnull()).order_by("response_id").limit(1).to_pyarrow()
    finally:
        backend.disconnect()
    row = row.set_column(row.schema.get_field_index("response_id"), "response_id",
                         pa.array([new_id], pa.int64()))  # fmt: skip
    row = row.set_column(row.schema.get_field_index("comment"), "comment",
                         pa.array([comment], pa.string()))  # fmt: skip
    for score in ("nps", "csat", "ces", "rating") if unscored or nps is not None else ():
        index = row.schema.get_field_index(score)
        value = nps if score == "nps" else None
        row = row.set_column(index, score, pa.array([value], row.schema.field(index).type))
    store = open_store(stack.url)
    try:
        from kano.metrics.warehouse_schema import RESPONSES

        with store.transaction() as writer:
            writer.append("responses", row.select(list(RESPONSES.schema.names)).cast(
                RESPONSES.schema))  # fmt: skip
    finally:
        store.close()
    return new_id


def test_a_comment_loaded_after_the_analysis_is_reported_until_the_next_run(
    stack: Stack, analysed: str
) -> None:
    before = _stored(stack, None)
    _add_response_to_warehouse(stack, LATE)

    page = stack.page("/text?by=all&lang=en")
    assert re.search(r'id="not-analysed">Comments not yet analysed: 1 ', page)
    assert "kano text analyze" in page
    themes = stack.api("/text/themes", by="all")
    assert themes["analysis"]["not_analysed"] == 1
    assert themes["comments"] == before.comments, "the stored figures, at once"

    (line,) = analyse_after_load(stack.url, [stack.workspace_id])
    assert f"{before.comments + 1} comments analysed" in line
    again = stack.api("/text/themes", by="all")
    assert again["analysis"]["not_analysed"] == 0 and again["comments"] == before.comments + 1
    assert 'id="not-analysed"' not in stack.page("/text?by=all&lang=en")


def test_an_unscored_comment_keeps_the_models_cv_figures_and_the_results_stay_exact(
    stack: Stack, analysed: str
) -> None:
    before = _stored(stack, None)
    _add_response_to_warehouse(stack, "Nobody answered the phone for an hour.", unscored=True)

    run = analyse_and_store(stack.url, stack.workspace_id)

    assert run.status == "stored" and run.cv_reused, "same labelled comments: no new CV"
    assert run.comments == before.comments + 1
    for by in (None, "segment"):
        stored, computed = _stored(stack, by), _computed(stack, by)
        assert stored.model == computed.model, "the full CV gives the figures kept"
        for got, want in zip(stored.themes, computed.themes, strict=True):
            assert_same(got.as_dict(), want.as_dict())
    scored = _add_response_to_warehouse(stack, "The invoice was wrong twice. Terrible.", nps=1)
    assert scored and not analyse_and_store(stack.url, stack.workspace_id).cv_reused
