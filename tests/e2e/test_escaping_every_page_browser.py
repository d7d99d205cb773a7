"""Escaped output on every page, in Chromium (SPEC §3: "escaped output").

The demo company (its strategy, OKRs, MBO, journeys, surveys, cases, pilot…) is loaded,
then every user-writable text column of every workspace table — names, titles, texts,
comments, notes, hypotheses; survey texts in en/ru/hu, case tags, customer attributes —
gets XSS payloads appended: a script tag, an attribute
break-out with an event handler, a tag that closes an embedded JSON (chart spec) script.
Every page of the route table is then opened in a real ``kano serve`` as the demo's
admin. A page fails on a dialog, on a script error or Content-Security-Policy report (an
injected inline script the policy had to stop is still an injection), or on any element
the payload would create if it reached the page as markup instead of text.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Dialog
from sqlalchemy import String, Text, select, update

from kano.adapters.db import orm
from kano.adapters.db.orm.base import WorkspaceScoped
from kano.adapters.importers.company_parquet import load_company
from kano.adapters.warehouse import ParquetSource
from kano.app import create_app
from kano.bootstrap import build_container
from kano.config import Settings
from kano.demo import generate_company
from kano.demo.strategy import import_demo_strategy
from tests.databases import DatabaseFactory
from tests.e2e.conftest import STARTUP_SECONDS, WatchedPage
from tests.integration.jobs.test_live_binding import WORKSPACE, workspace_id
from tests.integration.web.demo_session import DEMO_ADMIN
from tests.integration.web.route_table import endpoints
from tests.integration.web.test_isolation_every_route import fill_workspace, value_of
from tests.servers import free_port, healthy, kano_env, kano_serving, wait_until
from tests.warehouses import load_into

SECRET = "escaping-test-secret-key-0123456789"
PAYLOAD = (' <script>alert("xss-script")</script>"><img src=x data-xss onerror=alert(1)>'
           "'><b data-xss>b</b></script><i data-xss>i</i> javascript:alert(2)")
# The columns people type into; keys, codes, e-mails and the like stay as they are,
# since pages link by them.
WRITABLE = {"name", "title", "text", "comment", "note", "notes", "description", "hypothesis",
            "statement", "decision_note", "label", "body", "question", "summary",
            "customer_voice", "review_comment"}
INJECTED = "[data-xss], [onerror], a[href^='javascript:' i], iframe, object, embed"


def poisoned(document: Any) -> Any:
    """A JSON document with the payload after each text in a language (a survey's
    questions, choices and title in en/ru/hu)."""
    if isinstance(document, dict):
        return {key: value + PAYLOAD if key in ("en", "ru", "hu") and isinstance(value, str)
                else poisoned(value) for key, value in document.items()}
    if isinstance(document, list):
        return [poisoned(item) for item in document]
    return document  # keys, types and flags stay as they are


JSON_TEXTS = ((orm.SurveyDefinitionRow, "definition"), (orm.CaseRow, "root_causes"),
              (orm.Customer, "attributes"))


def poison(sessions: Any, b: int) -> list[str]:
    """Append the payload to every writable text column of workspace ``b``; the columns."""
    poisoned_columns = []
    with sessions() as db:
        for mapper in orm.Base.registry.mappers:
            table_class = mapper.class_
            if not issubclass(table_class, WorkspaceScoped):
                continue
            columns = [c for c in mapper.columns if c.key in WRITABLE
                       and isinstance(c.type, String | Text)]
            for column in columns:
                db.execute(update(table_class).where(table_class.workspace_id == b)
                           .where(column.isnot(None)).values({column.key: column + PAYLOAD}))
                poisoned_columns.append(f"{table_class.__name__}.{column.key}")
        for table_class, attribute in JSON_TEXTS:
            for row in db.scalars(select(table_class).where(table_class.workspace_id == b)):
                current = getattr(row, attribute)
                if current and attribute != "definition":  # tags and attribute values
                    setattr(row, attribute, [t + PAYLOAD for t in current]
                            if isinstance(current, list)
                            else {k: v + PAYLOAD if isinstance(v, str) else v
                                  for k, v in current.items()})
                elif current:
                    setattr(row, attribute, poisoned(current))
            poisoned_columns.append(f"{table_class.__name__}.{attribute}")
        db.execute(update(orm.Workspace).where(orm.Workspace.id == b)
                   .values(name=orm.Workspace.name + PAYLOAD))
        db.execute(update(orm.User).values(name=orm.User.name + PAYLOAD))
        db.commit()
    return poisoned_columns


def pages(values: dict[str, str]) -> list[str]:
    app = create_app(Settings(database_url="sqlite://", secret_key=SECRET))
    found = []
    for endpoint in endpoints(app):
        if endpoint.method != "GET" or endpoint.is_api or endpoint.path.startswith(
                "/widget/") or "." in endpoint.path.rsplit("/", 1)[-1]:
            continue  # files (csv, xlsx, pdf, svg, png, js) are not pages
        path = endpoint.filled(lambda e, n: value_of(values, e, n))
        if path is not None and path not in ("/logout", "/healthz"):
            found.append(path)
    return sorted(set(found))


@pytest.fixture(scope="module")
def poisoned_server(database_factory: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory,
                    ) -> Iterator[tuple[str, list[str], list[str]]]:
    data = tmp_path_factory.mktemp("escaping-demo")
    generate_company("S", 1, data)
    home: Path = tmp_path_factory.mktemp("escaping-server")
    url = database_factory.fresh("sqlite")
    env = kano_env(url, home, SECRET, {"KANO_DEMO_DATA_DIR": str(data), "KANO_WARM_UP": "false"})
    container = build_container(Settings(database_url=url, warehouse_url=env["KANO_WAREHOUSE_URL"],
                                         secret_key=SECRET, demo_data_dir=str(data)))
    try:
        load_company(container.sessions, data, WORKSPACE, "Northwind (demo)")
        import_demo_strategy(container.sessions, data, WORKSPACE)
        b = workspace_id(container.sessions)
        load_into(env["KANO_WAREHOUSE_URL"], ParquetSource(data), b)
        values = fill_workspace(container, b)
        columns = poison(container.sessions, b)
    finally:
        container.close()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with kano_serving(["serve", "--host", "127.0.0.1", "--port", str(port)], env, home) as (
            process, log):
        wait_until("an answer on /healthz", lambda: healthy(base), log, process=process,
                   seconds=STARTUP_SECONDS)
        yield base, pages(values), columns
    database_factory.drop(url)


def test_the_payload_reaches_the_columns_people_write(
    poisoned_server: tuple[str, list[str], list[str]],
) -> None:
    _base, _pages, columns = poisoned_server
    assert {"Customer.name", "Segment.name", "ObjectiveRow.title", "MeasureRow.name",
            "PilotRow.name", "PilotRow.hypothesis", "CaseRow.title", "Touchpoint.name",
            "JourneyStage.name", "SpecialRequirementRow.text", "CheckInRow.comment",
            "FeedbackResponse.comment", "Survey.name", "SurveyDefinitionRow.definition",
            "CaseRow.root_causes", "Customer.attributes"} <= set(columns)


def test_no_page_runs_or_builds_what_users_typed(
    poisoned_server: tuple[str, list[str], list[str]], chromium: Browser,
) -> None:
    base, paths, _columns = poisoned_server
    context = chromium.new_context(viewport={"width": 1360, "height": 860}, locale="en-GB")
    watched = WatchedPage(context.new_page())
    dialogs: list[str] = []
    watched.page.on("console", lambda m: watched.note_console(m.type, m.text))
    watched.page.on("pageerror", lambda error: watched.problems.append(str(error)))

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    watched.page.on("dialog", dismiss)
    page = watched.page
    page.goto(base + "/login")
    page.fill("input[name=email]", DEMO_ADMIN[0])
    page.fill("input[name=password]", DEMO_ADMIN[1])
    page.click("form[action='/login'] button[type=submit], form button[type=submit]")
    page.wait_for_url(lambda address: "/login" not in address)
    failures = []
    assert len(paths) > 40
    for path in paths:
        watched.problems.clear()
        dialogs.clear()
        response = page.goto(base + path, wait_until="load")
        status = response.status if response else 0
        page.wait_for_timeout(50)
        injected = page.eval_on_selector_all(INJECTED, "nodes => nodes.map(n => n.outerHTML)")
        # A fragment opened as a page asks for /favicon.ico: a 404 the markup check covers.
        problems = [p for p in watched.problems if "Failed to load resource" not in p]
        if status >= 500 or dialogs or injected or problems:
            failures.append(f"{path} [{status}]: dialogs={dialogs} "
                            f"injected={[i[:80] for i in injected]} problems={problems[:2]}")
    context.close()
    assert failures == [], "\n".join(failures)
