"""The demo's OKR tree aligns as a strategy consultant would draw it, on the OKR page: the
delivery objective "Customers can plan around Northwind" serves the scorecard's
"Deliveries customers can plan around" (its key results are on-time delivery and site
CSAT), and the key-account objective hangs under the growth objective its revenue key
result counts towards. SQLite and PostgreSQL app databases, the demo company (size S)."""

from __future__ import annotations

from html.parser import HTMLParser

from sqlalchemy import select
from starlette.testclient import TestClient

from kano.adapters.db.orm import OkrObjectiveRow
from kano.app import create_app
from kano.bootstrap import Container
from tests.integration.jobs import test_live_binding as base
from tests.integration.web.browsing import Browser

demo_data = base.demo_data
live = base.live


class _Tree(HTMLParser):
    """Each OKR node's id → the id of the node it is drawn under (None for a root), and
    the text of each node's own header."""

    def __init__(self) -> None:
        super().__init__()
        self.parent: dict[str, str | None] = {}
        self.header: dict[str, str] = {}
        self._open: list[str | None] = []  # every open <li>: its node id, or None
        self._in_header: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "li":
            node = found.get("id") if "okr-node" in (found.get("class") or "") else None
            if node is not None:
                self.parent[node] = next((n for n in reversed(self._open) if n), None)
            self._open.append(node)
        elif tag == "header" and "okr-header" in (found.get("class") or ""):
            self._in_header = next((n for n in reversed(self._open) if n), None)

    def handle_endtag(self, tag: str) -> None:
        if tag == "li" and self._open:
            self._open.pop()
        elif tag == "header":
            self._in_header = None

    def handle_data(self, data: str) -> None:
        if self._in_header is not None:
            self.header[self._in_header] = " ".join(
                (self.header.get(self._in_header, "") + " " + data).split())


def test_the_demo_tree_aligns_each_objective_to_the_parent_it_serves(live: Container) -> None:
    with live.sessions() as session:
        ids = {key: row_id for key, row_id in session.execute(
            select(OkrObjectiveRow.key, OkrObjectiveRow.id))}
    browser = Browser(TestClient(create_app(container=live), follow_redirects=False))
    browser.log_in("helen.carter@northwind.example", "demo")
    tree = _Tree()
    tree.feed(browser.page("/okr").text)

    def node(key: str) -> str:
        return f"okr-{ids[key]}"

    plan_around_us = tree.header[node("q4-plan-around-us")]
    assert "Serves: Deliveries customers can plan around" in plan_around_us
    assert tree.parent[node("q4-plan-around-us")] is None
    assert tree.parent[node("q4-profitable-growth")] is None
    assert tree.parent[node("q4-priya-key-accounts")] == node("q4-profitable-growth")
    assert "Serves: Customers recommend Northwind" in tree.header[node("q4-priya-key-accounts")]
    assert tree.parent[node("q4-delivery-east-on-time")] == node("q4-plan-around-us")
    assert tree.parent[node("q4-support-within-the-hour")] == node("q4-plan-around-us")
    assert tree.parent[node("q4-tom-coach-east")] == node("q4-delivery-east-on-time")
