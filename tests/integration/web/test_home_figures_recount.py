"""The home page's figures against a recount in Python of the very rows seeded.

``home_figures`` reads the responses once for the monthly NPS and the yearly counts and
counts the active customers from the customers' side (bench/pages_at_scale.py: the
aggregates at 10⁶ rows); these tests hold its numbers to a plain count over the rows, with
the edges that matter: the window's first instant and the month after it, the year before
it, answers without NPS, responses without a customer and another workspace's rows."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import Customer, FeedbackResponse, Transaction
from kano.adapters.db.views.home import NpsTally, home_figures
from kano.domain.workspaces import Role
from tests.integration.web.browsing import Browser, text_of

PASSWORD = "correct horse battery"
LATEST = datetime(2025, 6, 30, 23, 59)  # the window: July 2024 – June 2025
START, EARLIER = datetime(2024, 7, 1), datetime(2023, 7, 1)


def _moment(rng: random.Random) -> datetime:
    """Anywhere from 2022 to the latest moment, with the edges drawn often."""
    edges = (START, START - timedelta(microseconds=1), EARLIER,
             EARLIER - timedelta(seconds=1), datetime(2025, 1, 1), LATEST)
    if rng.random() < 0.2:
        return rng.choice(edges)
    return datetime(2022, 1, 1) + timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60 + 250_000))


def _seed(sessions: sessionmaker[Session]) -> tuple[int, list[dict[str, object]],
                                                    list[dict[str, object]], int]:
    rng = random.Random(11)
    with transaction(sessions) as db:
        workspace = accounts.ensure_workspace(db, "acme", "Acme")
        other = accounts.ensure_workspace(db, "globex", "Globex")
        user = accounts.ensure_user(db, "alice@example.com", PASSWORD)
        accounts.grant_role(db, workspace, user, Role.VIEWER)
        customers = [Customer(workspace_id=workspace.id, external_id=f"C{i}", kind="person",
                              name=f"Customer {i}") for i in range(40)]
        strangers = [Customer(workspace_id=other.id, external_id=f"G{i}", kind="person",
                              name=f"Stranger {i}") for i in range(5)]
        db.add_all(customers + strangers)
        db.flush()
        responses: list[dict[str, object]] = []
        for _ in range(300):
            customer = rng.choice(customers)
            responses.append({
                "workspace_id": workspace.id, "channel": "email", "submitted_at": _moment(rng),
                "customer_id": None if rng.random() < 0.1 else customer.id,
                "nps": None if rng.random() < 0.15 else rng.randint(0, 10),
                "csat": rng.randint(1, 5)})
        orders: list[dict[str, object]] = [{
            "workspace_id": workspace.id, "customer_id": rng.choice(customers[:30]).id,
            "occurred_at": _moment(rng), "amount": round(rng.uniform(1, 500), 2),
            "margin": 1.0, "product": "widget", "channel": "web"} for _ in range(200)]
        for row in responses:
            db.add(FeedbackResponse(**row))
        for row in orders:
            db.add(Transaction(**row))
        db.add(Transaction(workspace_id=other.id, customer_id=strangers[0].id, amount=7_777.0,
                           occurred_at=LATEST, margin=1.0, product="widget", channel="web"))
        db.add(FeedbackResponse(workspace_id=other.id, customer_id=strangers[1].id,
                                channel="email", submitted_at=START, nps=0))
        # the latest activity of Acme, so the window is July 2024 – June 2025 whatever
        # the draws
        responses.append({"workspace_id": workspace.id, "channel": "web",
                          "submitted_at": LATEST, "customer_id": customers[39].id,
                          "nps": 10, "csat": None})
        db.add(FeedbackResponse(**responses[-1]))
        return workspace.id, responses, orders, len(customers)


def _recount(responses: list[dict[str, object]], orders: list[dict[str, object]]
             ) -> dict[str, object]:
    def month_of(moment: datetime) -> date:
        return date(moment.year, moment.month, 1)

    def in_window(moment: object) -> bool:
        assert isinstance(moment, datetime)
        return START <= moment <= LATEST

    tallies: dict[date, NpsTally] = {}
    for row in responses:
        moment, score = row["submitted_at"], row["nps"]
        assert isinstance(moment, datetime)
        if in_window(moment) and isinstance(score, int):
            tallies[month_of(moment)] = tallies.get(month_of(moment), NpsTally()) + NpsTally(
                int(score >= 9), int(score <= 6), 1)
    revenue: dict[date, float] = {}
    for row in orders:
        moment = row["occurred_at"]
        assert isinstance(moment, datetime) and isinstance(row["amount"], float)
        if in_window(moment):
            revenue[month_of(moment)] = revenue.get(month_of(moment), 0.0) + row["amount"]
    active = {row["customer_id"] for row in orders if in_window(row["occurred_at"])} | {
        row["customer_id"] for row in responses
        if in_window(row["submitted_at"]) and row["customer_id"] is not None}
    return {
        "responses": len(responses),
        "in_window": sum(in_window(row["submitted_at"]) for row in responses),
        "before": sum(EARLIER <= row["submitted_at"] < START  # type: ignore[operator]
                      for row in responses),
        "active": len(active), "tallies": tallies, "revenue": revenue,
    }


def test_home_figures_match_a_recount_of_the_rows(sessions: sessionmaker[Session]) -> None:
    workspace_id, responses, orders, customers = _seed(sessions)
    expected = _recount(responses, orders)

    with sessions() as db:
        figures = home_figures(db, workspace_id)

    assert [month.month for month in figures.months] == [
        date(2024 + (6 + i) // 12, (6 + i) % 12 + 1, 1) for i in range(12)]
    assert figures.customers == customers
    assert figures.responses == expected["responses"]
    assert figures.responses_in_window == expected["in_window"]
    assert figures.responses_before == expected["before"]
    assert figures.active_customers == expected["active"]
    assert {month.month: month.nps for month in figures.months
            if month.nps.answered} == expected["tallies"]
    revenue = expected["revenue"]
    assert isinstance(revenue, dict)
    for month in figures.months:
        assert abs(month.revenue - revenue.get(month.month, 0.0)) < 1e-6


def test_home_page_shows_the_recounted_figures(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    _, responses, orders, customers = _seed(sessions)
    expected = _recount(responses, orders)
    browser = Browser(client)
    browser.log_in("alice@example.com", PASSWORD)

    page = browser.page("/").text

    assert text_of(page, "figure-customers") == (
        f"Customers {customers} {expected['active']} active in the last 12 months")
    assert text_of(page, "figure-responses") == (
        f"Responses {expected['responses']} {expected['in_window']} in the last 12 months, "
        f"{expected['before']} in the 12 before")
