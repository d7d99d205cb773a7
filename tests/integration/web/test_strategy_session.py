"""The guided strategy session (SPEC §2.7) on SQLite and PostgreSQL: a session on an empty
scorecard (customer on top, as a service firm orders it) walks financial → internal
processes → customer → learning & growth, adds two objectives per perspective with
measures bound to catalogue metrics, draws three arrows, and the scorecard and the map then
show what it made. Errors name the field; viewers are refused; what people type is escaped."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.orm import (
    AuditEntry,
    CauseEffectLinkRow,
    MeasureRow,
    ObjectiveRow,
)
from kano.domain.workspaces import Role
from tests.integration.strategy.support import import_text
from tests.integration.web.browsing import Browser, text_of
from tests.integration.web.seed import PASSWORD, SeededCompanies
from tests.integration.web.strategy_seed import grant_manager

EMPTY_CARD = """\
format: kano-strategy/1
scorecards:
  - key: company
    name: Acme company scorecard
    perspectives:
      - {key: customer, name: Customer}
      - {key: financial, name: Financial}
      - {key: process, name: Internal processes}
      - {key: learning, name: Learning & growth}
"""
BASE = "/strategy/session/company"
SESSION_PLAN = {
    "financial": [("Grow profitable revenue", "", "revenue", "1000000", "1200000"),
                  ("Keep a healthy margin", "", "gross_margin", "38", "42")],
    "process": [("Deliver on time", "", "on_time_delivery", "91", "97"),
                ("Solve it at the first contact", "", "fcr_rate", "65", "80")],
    "customer": [("Be easy to work with", "Acme makes my job easier", "nps", "31", "40"),
                 ("Keep our customers", "", "churn_m1", "2,4", "1,6")],
    "learning": [("Engaged people", "", "enps", "10", "30"),
                 ("Service skills", "", "competency_coverage", "60", "85")],
}


@pytest.fixture
def card(sessions: sessionmaker[Session], companies: SeededCompanies) -> SeededCompanies:
    import_text(sessions, EMPTY_CARD, "acme")
    return companies


def _post(browser: Browser, path: str, data: dict[str, Any]) -> Any:
    return browser.client.post(path, data={**data, "csrf_token": browser.session_token()})


def _objective_id(sessions: sessionmaker[Session], workspace_id: int, title: str) -> int:
    with sessions() as session:
        found = session.scalar(select(ObjectiveRow.id).where(
            ObjectiveRow.workspace_id == workspace_id, ObjectiveRow.title == title))
    assert found is not None, title
    return int(found)


def _measure(browser: Browser, objective_id: int, metric: str, baseline: str,
             target: str, **extra: str) -> Any:
    return _post(browser, f"{BASE}/objectives/{objective_id}/measures", {
        "metric": metric, "name": extra.pop("name", f"{metric} measure"), "baseline": baseline,
        "target": target, "direction": extra.pop("direction", "higher"), **extra})


def test_a_session_builds_the_scorecard_and_the_map(
    browser: Browser, card: SeededCompanies, sessions: sessionmaker[Session]
) -> None:
    acme = card.acme_id
    browser.log_in(card.bob, PASSWORD)
    start = browser.page("/strategy/session").text
    plan = text_of(start, "session-plan")
    assert plan.index("Financial") < plan.index("Internal processes") < plan.index("Customer") \
        < plan.index("Learning & growth") < plan.index("Cause and effect") < plan.index("Review")

    for key, objectives in SESSION_PLAN.items():
        step = browser.page(f"{BASE}/perspectives/{key}").text
        assert 'id="new-objective"' in step
        assert ('name="customer_voice"' in step) == (key == "customer")
        for title, voice, metric, baseline, target in objectives:
            added = _post(browser, f"{BASE}/perspectives/{key}/objectives",
                          {"title": title, "customer_voice": voice})
            assert added.status_code == 303, added.text
            objective_id = _objective_id(sessions, acme, title)
            expected = f"{BASE}/perspectives/{key}#objective-{objective_id}"
            assert added.headers["location"] == expected
            direction = "lower" if metric == "churn_m1" else "higher"
            kind = {"nps": "say", "churn_m1": "do"}.get(metric, "other")
            measured = _measure(browser, objective_id, metric, baseline, target,
                                direction=direction, kind=kind, name=f"{title} ({metric})")
            assert measured.status_code == 303, measured.text

    ids = {title: _objective_id(sessions, acme, title)
           for objectives in SESSION_PLAN.values() for title, *_ in objectives}
    arrows = [("Engaged people", "Deliver on time"),
              ("Deliver on time", "Be easy to work with"),
              ("Keep our customers", "Grow profitable revenue")]
    for cause, effect in arrows:
        drawn = _post(browser, f"{BASE}/arrows", {
            "cause_id": ids[cause], "effect_id": ids[effect], "lag_months": "1"})
        assert drawn.status_code == 303, drawn.text
        assert drawn.headers["location"].startswith(f"{BASE}/arrows#arrow-")

    with sessions() as session:
        measures = session.scalars(select(MeasureRow).where(MeasureRow.workspace_id == acme)).all()
        links = session.scalars(select(CauseEffectLinkRow).where(
            CauseEffectLinkRow.workspace_id == acme)).all()
        audited = session.scalars(select(AuditEntry.entity).where(
            AuditEntry.workspace_id == acme, AuditEntry.action == "create",
            AuditEntry.entity.in_(("objective", "measure", "cause_effect_link")))).all()
    assert len(measures) == 8 and len(links) == 3
    assert {m.metric_id for m in measures} == {
        metric for objectives in SESSION_PLAN.values() for *_, metric, _b, _t in objectives}
    churn = next(m for m in measures if m.metric_id == "churn_m1")
    assert (churn.direction, churn.kind, churn.baseline, churn.target) == ("lower", "do", 2.4, 1.6)
    assert (churn.amber_from, churn.green_from) == pytest.approx((2.4, 2.0))
    nps = next(m for m in measures if m.metric_id == "nps")
    assert (nps.kind, nps.unit, nps.amber_from, nps.green_from) == ("say", "points", 31, 35.5)
    assert sorted(audited) == sorted(["objective"] * 8 + ["measure"] * 8
                                     + ["cause_effect_link"] * 3)

    scorecard = browser.page("/scorecard?scorecard=company").text
    map_page = browser.page("/strategy/map?scorecard=company").text
    review = browser.page(f"{BASE}/review").text
    for title in ids:
        assert title in scorecard and title in map_page and title in review
    assert "Acme makes my job easier" in scorecard
    assert "Be easy to work with (nps)" in scorecard
    links_text = text_of(map_page, "map-links-as-text")
    for cause, effect in arrows:
        assert f"{cause} drives {effect}" in links_text
    assert "<svg" in review and 'href="/strategy/map?scorecard=company#map-evidence"' in review
    assert "has no measure yet" not in review
    assert "Net Promoter Score" in text_of(review, "session-scorecard")


def test_objectives_and_measures_are_reworded_and_removed(
    browser: Browser, card: SeededCompanies, sessions: sessionmaker[Session]
) -> None:
    acme = card.acme_id
    browser.log_in(card.bob, PASSWORD)
    _post(browser, f"{BASE}/perspectives/customer/objectives", {"title": "Be easy"})
    objective_id = _objective_id(sessions, acme, "Be easy")
    _measure(browser, objective_id, "nps", "31", "40", name="NPS", kind="say")

    reworded = _post(browser, f"{BASE}/objectives/{objective_id}",
                     {"title": "Be easy to work with", "customer_voice": "Acme saves me time"})
    with sessions() as session:
        measure_id = session.scalar(select(MeasureRow.id).where(MeasureRow.workspace_id == acme))
    changed = _post(browser, f"{BASE}/measures/{measure_id}", {
        "name": "NPS of key accounts", "metric": "nps", "kind": "say", "direction": "higher",
        "baseline": "31", "target": "45", "amber_from": "", "green_from": ""})

    assert reworded.status_code == changed.status_code == 303
    step = browser.page(f"{BASE}/perspectives/customer").text
    assert "Acme saves me time" in step and "NPS of key accounts" in step
    with sessions() as session:
        measure = session.get(MeasureRow, measure_id)
        assert measure is not None and (measure.target, measure.green_from) == (45, 38)
        last = session.scalars(select(AuditEntry).where(AuditEntry.workspace_id == acme)
                               .order_by(AuditEntry.id.desc())).first()
        assert last is not None and (last.action, last.entity) == ("update", "measure")

    removed_measure = _post(browser, f"{BASE}/measures/{measure_id}/delete", {})
    removed = _post(browser, f"{BASE}/objectives/{objective_id}/delete", {})

    assert removed_measure.status_code == removed.status_code == 303
    assert "Be easy to work with" not in browser.page(f"{BASE}/perspectives/customer").text


@pytest.mark.parametrize(("data", "field"), [
    ({"name": "", "target": "40"}, "name"),
    ({"target": ""}, "target"),
    ({"target": "forty"}, "target"),
    ({"baseline": "", "target": "40"}, "baseline"),
    ({"baseline": "45", "target": "40"}, "target"),
    ({"amber_from": "30", "green_from": ""}, "green_from"),
    ({"amber_from": "", "green_from": "36"}, "amber_from"),
    ({"amber_from": "38", "green_from": "33"}, "green_from"),
    ({"metric": "no_such_metric"}, "metric"),
])
def test_a_rejected_measure_names_the_field_and_keeps_the_form(
    browser: Browser, card: SeededCompanies, sessions: sessionmaker[Session],
    data: dict[str, str], field: str,
) -> None:
    browser.log_in(card.bob, PASSWORD)
    _post(browser, f"{BASE}/perspectives/customer/objectives", {"title": "Be easy"})
    objective_id = _objective_id(sessions, card.acme_id, "Be easy")
    form = {"name": "My NPS", "metric": "nps", "baseline": "31", "target": "40", **data}

    rejected = _measure(browser, objective_id, form.pop("metric"), form.pop("baseline"),
                        form.pop("target"), **form)

    assert rejected.status_code == 422
    html = rejected.text
    assert f'id="{field}-error"' in html
    assert re.search(rf'name="{field}"[^>]*aria-invalid="true"', html)
    assert f'id="new-measure-{objective_id}"' in html
    with sessions() as session:
        assert session.scalar(select(MeasureRow.id)) is None


def test_an_arrow_outside_neighbouring_perspectives_is_refused(
    browser: Browser, card: SeededCompanies, sessions: sessionmaker[Session]
) -> None:
    browser.log_in(card.bob, PASSWORD)
    _post(browser, f"{BASE}/perspectives/learning/objectives", {"title": "Engaged people"})
    _post(browser, f"{BASE}/perspectives/financial/objectives", {"title": "Grow revenue"})
    people = _objective_id(sessions, card.acme_id, "Engaged people")
    revenue = _objective_id(sessions, card.acme_id, "Grow revenue")

    refused = _post(browser, f"{BASE}/arrows", {"cause_id": people, "effect_id": revenue})

    assert refused.status_code == 422
    assert "next perspective up the chain" in text_of(refused.text, "arrow-error")
    with sessions() as session:
        assert session.scalar(select(CauseEffectLinkRow.id)) is None


def test_a_viewer_follows_the_session_but_is_refused(
    browser: Browser, card: SeededCompanies, sessions: sessionmaker[Session]
) -> None:
    from kano.adapters.db import accounts
    from kano.adapters.db.engine import transaction

    with transaction(sessions) as session:
        acme = accounts.get_workspace(session, "acme")
        vera = accounts.ensure_user(session, "vera@acme.test", PASSWORD)
        accounts.grant_role(session, acme, vera, Role.VIEWER)
    browser.log_in("vera@acme.test", PASSWORD)

    step = browser.page(f"{BASE}/perspectives/financial").text
    refused = _post(browser, f"{BASE}/perspectives/financial/objectives", {"title": "Grow"})

    assert 'id="session-read-only"' in step and 'id="new-objective"' not in step
    assert refused.status_code == 403
    with sessions() as session:
        assert session.scalar(select(ObjectiveRow.id)) is None


def test_a_manager_adds_objectives_but_not_arrows(
    browser: Browser, card: SeededCompanies, sessions: sessionmaker[Session]
) -> None:
    browser.log_in(grant_manager(sessions, "manager@acme.test"), PASSWORD)
    _post(browser, f"{BASE}/perspectives/learning/objectives", {"title": "Engaged people"})
    _post(browser, f"{BASE}/perspectives/process/objectives", {"title": "Deliver on time"})
    people = _objective_id(sessions, card.acme_id, "Engaged people")
    on_time = _objective_id(sessions, card.acme_id, "Deliver on time")

    measured = _measure(browser, people, "enps", "10", "30")
    arrows = browser.page(f"{BASE}/arrows").text
    refused = _post(browser, f"{BASE}/arrows", {"cause_id": people, "effect_id": on_time})

    assert measured.status_code == 303
    assert 'id="arrows-admin-only"' in arrows and "session-arrow-form" not in arrows
    assert refused.status_code == 403


def test_typed_markup_is_shown_as_text(
    browser: Browser, card: SeededCompanies, sessions: sessionmaker[Session]
) -> None:
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    browser.log_in(card.bob, PASSWORD)
    _post(browser, f"{BASE}/perspectives/customer/objectives",
          {"title": payload, "customer_voice": payload})
    objective_id = _objective_id(sessions, card.acme_id, payload)
    _measure(browser, objective_id, "nps", "31", "40", name=payload)

    for path in (f"{BASE}/perspectives/customer", f"{BASE}/review", f"{BASE}/arrows"):
        html = browser.page(path).text
        assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(" in browser.page(f"{BASE}/perspectives/customer").text


def test_the_metric_fills_in_the_measure(
    browser: Browser, card: SeededCompanies, sessions: sessionmaker[Session]
) -> None:
    """Without a loaded warehouse the form still fills in name, direction and kind, and
    says why there is no current value."""
    browser.log_in(card.bob, PASSWORD)
    _post(browser, f"{BASE}/perspectives/customer/objectives", {"title": "Keep customers"})
    objective_id = _objective_id(sessions, card.acme_id, "Keep customers")

    filled = _post(browser, f"{BASE}/objectives/{objective_id}/measures",
                   {"metric": "churn_m1", "action": "lookup", "name": "", "target": ""})

    assert filled.status_code == 200
    form = filled.text.split(f'id="new-measure-{objective_id}"', 1)[1].split("</form>", 1)[0]
    assert re.search(r'<option value="lower" selected>', form)
    assert re.search(r'<option value="do" selected>', form)
    assert 'name="name" maxlength="200" value="Churn' in form
    assert "warehouse" in text_of(filled.text, f"new-measure-{objective_id}-current")
    with sessions() as session:
        assert session.scalar(select(MeasureRow.id)) is None


def test_a_form_without_its_csrf_token_is_refused(
    browser: Browser, card: SeededCompanies, sessions: sessionmaker[Session]
) -> None:
    browser.log_in(card.bob, PASSWORD)

    forged = browser.client.post(f"{BASE}/perspectives/financial/objectives",
                                 data={"title": "Grow"})

    assert forged.status_code == 403
    with sessions() as session:
        assert session.scalar(select(ObjectiveRow.id)) is None


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from tests.integration.metric_warehouse import DemoWarehouseFiles

    return DemoWarehouseFiles(tmp_path_factory.mktemp("session-warehouses"))


def test_the_current_value_of_the_metric_is_offered_as_the_baseline(
    browser: Browser, card: SeededCompanies, sessions: sessionmaker[Session],
    settings: Any, demo_files: Any,
) -> None:
    from kano.metrics import built_in_catalogue
    from tests.integration.metric_warehouse import engine_rows

    url = demo_files.install(settings.resolved_warehouse_url(), {card.acme_id: 1})
    nps = built_in_catalogue().get("nps")
    months = engine_rows(url, nps, card.acme_id, by=["month"])
    browser.log_in(card.bob, PASSWORD)
    _post(browser, f"{BASE}/perspectives/customer/objectives", {"title": "Be recommended"})
    objective_id = _objective_id(sessions, card.acme_id, "Be recommended")

    filled = _post(browser, f"{BASE}/objectives/{objective_id}/measures",
                   {"metric": "nps", "action": "lookup"})

    assert filled.status_code == 200
    note = text_of(filled.text, f"new-measure-{objective_id}-current")
    shown = re.search(r"n = ([\d,]+)\), proposed as the baseline: (\S+)", note)
    assert shown, note
    n, baseline = int(shown.group(1).replace(",", "")), shown.group(2)
    # the last complete month of the data, or the month before when the last is cut short
    assert (n, baseline) in {(row.n, format(row.value, nps.format)) for row in months[-2:]}
    assert f'name="baseline" value="{baseline}"' in filled.text
    assert re.search(r'<option value="say" selected>', filled.text)


def test_a_workspace_without_a_scorecard_starts_one_in_the_readers_language(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session]
) -> None:
    from kano.adapters.db.orm import PerspectiveRow, ScorecardRow

    browser.log_in(companies.bob, PASSWORD)
    start = browser.page("/strategy/session?lang=ru").text
    assert 'id="new-scorecard"' in start

    created = _post(browser, "/strategy/session", {"name": "Стратегия Acme"})

    assert created.status_code == 303
    assert created.headers["location"] == f"{BASE}/perspectives/financial"
    with sessions() as session:
        card = session.scalars(select(ScorecardRow)).one()
        names = session.scalars(select(PerspectiveRow.name).where(
            PerspectiveRow.scorecard_id == card.id).order_by(PerspectiveRow.position)).all()
        entities = session.scalars(select(AuditEntry.entity).where(
            AuditEntry.workspace_id == companies.acme_id, AuditEntry.action == "create",
            AuditEntry.entity.in_(("scorecard", "perspective")))).all()
    assert (card.key, card.name, card.level) == ("company", "Стратегия Acme", "company")
    # The map's bands top down as Kaplan and Norton draw them (each drives the one above),
    # while the session walks financial → processes → customer → learning.
    assert names == ["Финансы", "Клиент", "Внутренние процессы", "Обучение и развитие"]
    assert sorted(entities) == ["perspective"] * 4 + ["scorecard"]
    step = browser.page(f"{BASE}/perspectives/financial").text
    assert "Шаг 1 из 6" in step
    plan = text_of(browser.page("/strategy/session?lang=ru").text, "session-plan")
    assert (plan.index("Финансы") < plan.index("Внутренние процессы") < plan.index("Клиент")
            < plan.index("Обучение и развитие"))


def test_only_an_admin_creates_the_scorecard(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session]
) -> None:
    from kano.adapters.db.orm import ScorecardRow

    browser.log_in(companies.alice, PASSWORD)  # an analyst
    start = browser.page("/strategy/session").text
    refused = _post(browser, "/strategy/session", {"name": "Mine"})

    assert 'id="new-scorecard"' not in start and refused.status_code == 403
    with sessions() as session:
        assert session.scalar(select(ScorecardRow.id)) is None


def test_a_perspective_of_its_own_gets_a_step_after_the_classic_four(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session]
) -> None:
    import_text(sessions, EMPTY_CARD.replace(
        "      - {key: customer, name: Customer}\n",
        "      - {key: mission, name: Mission impact}\n      - {key: customer, name: Клиенты}\n",
    ), "acme")
    browser.log_in(companies.bob, PASSWORD)
    _post(browser, f"{BASE}/perspectives/mission/objectives", {"title": "Clean rivers"})

    plan = text_of(browser.page("/strategy/session").text, "session-plan")
    step = browser.page(f"{BASE}/perspectives/mission").text

    assert plan.index("Клиенты") < plan.index("Learning & growth") < plan.index("Mission impact")
    assert "Step 5 of 7: Mission impact" in step
    assert "What must this perspective contribute to the strategy?" in step
    assert 'optgroup label="Suggested' not in step and '<option value="nps">' in step


def test_an_admin_adds_a_classic_perspective_the_scorecard_lacks(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session]
) -> None:
    from kano.adapters.db.orm import PerspectiveRow

    import_text(sessions, "\n".join(line for line in EMPTY_CARD.splitlines()
                                     if "process" not in line and "learning" not in line),
                "acme")
    browser.log_in(companies.alice, PASSWORD)  # an analyst: no structure
    assert 'id="session-missing"' not in browser.page("/strategy/session").text
    refused = _post(browser, f"{BASE}/perspectives", {"key": "learning"})
    browser.client.cookies.clear()
    browser.log_in(companies.bob, PASSWORD)
    missing = text_of(browser.page("/strategy/session").text, "session-missing")

    added = _post(browser, f"{BASE}/perspectives", {"key": "learning"})

    assert refused.status_code == 403
    assert "Internal processes" in missing and "Learning & growth" in missing
    assert added.status_code == 303 and added.headers["location"] == f"{BASE}/perspectives/learning"
    with sessions() as session:
        rows = session.execute(select(PerspectiveRow.key, PerspectiveRow.name).order_by(
            PerspectiveRow.position)).all()
        audited = session.scalars(select(AuditEntry.entity).where(
            AuditEntry.actor == companies.bob, AuditEntry.action == "create")).all()
    assert [tuple(r) for r in rows] == [("customer", "Customer"), ("financial", "Financial"),
                                        ("learning", "Learning & growth")]
    assert audited == ["perspective"]
    plan = text_of(browser.page("/strategy/session").text, "session-plan")
    assert plan.index("Financial") < plan.index("Customer") < plan.index("Learning & growth")
    assert _post(browser, f"{BASE}/perspectives", {"key": "learning"}).status_code == 404


@pytest.mark.parametrize(("lang", "baseline", "target", "saved"), [
    # as the English page writes money: €1,200,000 (refused as "Enter a number." before)
    ("en", "1,200,000", "1,500,000.5", (1_200_000.0, 1_500_000.5)),
    # twelve hundred on an English page (saved as 1.2 and 1.35 before)
    ("en", "1,200", "1,350", (1_200.0, 1_350.0)),
    ("en", "37,5", "−12", (37.5, -12.0)),  # a decimal comma; U+2212, the pages' minus sign
    ("ru", "1\u00a0200\u00a0000", "1 500 000,5", (1_200_000.0, 1_500_000.5)),
    ("ru", "1,200", "1,35", (1.2, 1.35)),  # a Russian page writes the decimal comma
    ("hu", "1.200.000", "1.500.000,5", (1_200_000.0, 1_500_000.5)),
])
def test_numbers_are_read_as_the_pages_language_writes_them(
    browser: Browser, card: SeededCompanies, sessions: sessionmaker[Session],
    lang: str, baseline: str, target: str, saved: tuple[float, float],
) -> None:
    browser.log_in(card.bob, PASSWORD)
    _post(browser, f"{BASE}/perspectives/financial/objectives", {"title": "Grow revenue"})
    objective_id = _objective_id(sessions, card.acme_id, "Grow revenue")

    added = _post(browser, f"{BASE}/objectives/{objective_id}/measures?lang={lang}", {
        "metric": "revenue", "name": "Revenue", "direction": "higher" if saved[1] > saved[0]
        else "lower", "baseline": baseline, "target": target})

    assert added.status_code == 303, text_of(added.text, f"new-measure-{objective_id}")
    with sessions() as session:
        row = session.scalars(select(MeasureRow)).one()
    assert (row.baseline, row.target) == saved


@pytest.mark.parametrize("typed", ["1,200,00", "12,34,567", "1,20.5", "1.2.3", "€1,200"])
def test_a_number_that_is_no_number_in_any_writing_is_refused(
    browser: Browser, card: SeededCompanies, sessions: sessionmaker[Session], typed: str,
) -> None:
    browser.log_in(card.bob, PASSWORD)
    _post(browser, f"{BASE}/perspectives/financial/objectives", {"title": "Grow revenue"})
    objective_id = _objective_id(sessions, card.acme_id, "Grow revenue")

    refused = _measure(browser, objective_id, "revenue", "1000", typed, name="Revenue")

    assert refused.status_code == 422
    assert text_of(refused.text, "target-error") == "Enter a number."
    with sessions() as session:
        assert session.scalar(select(MeasureRow.id)) is None
