"""The pilot pages on the demo company: define a pilot with CSRF and errors naming the
field, see its plan, evaluate it (the same figures as the shared analysis), decide, add
and advance rollout steps; a viewer reads only; the pages speak Russian and Hungarian."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest
from starlette.testclient import TestClient

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.warehouse import connect
from kano.analytics.pilots.views import evaluate_on_warehouse
from kano.app import create_app
from kano.bootstrap import Container
from kano.domain.pilots.model import Group
from kano.domain.workspaces import Role
from kano.metrics import Catalogue
from tests.integration.jobs.test_live_binding import WORKSPACE, demo_data, live, workspace_id
from tests.integration.web.browsing import Browser, csrf_token_in, text_of
from tests.integration.web.demo_session import browser

__all__ = ["browser", "demo_data", "live"]

FORM = {
    "name": "Same-day delivery", "hypothesis": "Faster delivery sells more.",
    "pilot_by": "region", "pilot_values": "north", "control_by": "region",
    "control_values": "south", "kpis": "revenue", "baseline_start": "2025-01-01",
    "baseline_end": "2025-06-30", "test_start": "2025-07-01", "test_end": "2025-09-30",
    "owner": "", "target_effect": "",
}  # fmt: skip


def _figure(text: str) -> float:
    return float(text.replace(",", "").replace("\u2212", "-").replace("+", "").strip())


def test_define_plan_evaluate_decide_and_roll_out(live: Container, browser: Browser) -> None:
    page = browser.page("/pilots?lang=en")
    assert page.status_code == 200 and "Define a pilot" in page.text
    token = csrf_token_in(page.text)
    assert browser.client.post("/pilots", data=FORM).status_code == 403
    bad = browser.client.post("/pilots", data={**FORM, "test_start": "2025-06-15",
                                               "csrf_token": token})  # fmt: skip
    assert bad.status_code == 422
    assert "Check this field: Test from." in text_of(bad.text, "pilot-error")
    assert 'value="Same-day delivery"' in bad.text, "the form keeps what was typed"
    unknown = browser.client.post("/pilots", data={**FORM, "pilot_values": "", "csrf_token": token})
    assert unknown.status_code == 422 and "Pilot group" in text_of(unknown.text, "pilot-error")

    made = browser.client.post("/pilots", data={**FORM, "csrf_token": token})
    assert made.status_code == 303, made.text
    url = made.headers["location"]
    pilot_page = browser.page(url)
    assert "Not evaluated yet." in pilot_page.text
    assert _figure(text_of(pilot_page.text, "plan-mde")) > 0
    assert text_of(pilot_page.text, "plan-kpi") == "Revenue", "the KPI's name, not its key"

    evaluated = browser.client.post(f"{url}/evaluate",
                                    data={"csrf_token": csrf_token_in(pilot_page.text)})
    assert evaluated.status_code == 303, evaluated.text
    shown = browser.page(url).text
    backend = connect(live.settings.resolved_warehouse_url(), read_only=True)
    try:
        expected = evaluate_on_warehouse(
            backend, workspace_id(live.sessions), [Catalogue().get("revenue")],
            Group(filters=(("region", ("north",)),)), Group(filters=(("region", ("south",)),)),
            (date(2025, 1, 1), date(2025, 6, 30), date(2025, 7, 1), date(2025, 9, 30)),
        )["kpis"]["revenue"]  # fmt: skip
    finally:
        backend.disconnect()
    effect = re.search(r'class="pilot-effect">([^<(]+)', shown)
    assert effect is not None and _figure(effect.group(1)) == pytest.approx(
        expected["effect"], abs=0.006)
    assert text_of(shown, "pilot-status") == "Evaluated"
    assert 'data-vega-spec="chart-revenue-spec"' in shown
    assert "the groups moved in parallel" in shown or "already drifted apart" in shown
    assert f'data-inference="{expected["inference"]}"' in shown
    assert ("Wild cluster bootstrap" if expected["inference"] == "wild-cluster-bootstrap"
            else "Cluster-robust errors (CR1)") in shown  # fmt: skip
    trend = expected["pre_trend"]["inference"]
    assert f'class="pilot-trend" data-inference="{trend}"' in shown
    assert ("Wild cluster bootstrap of the joint test" if trend == "wild-cluster-bootstrap"
            else "Joint F test of the baseline months") in shown  # fmt: skip

    token = csrf_token_in(shown)
    paused = browser.client.post(f"{url}/decision", data={
        "csrf_token": token, "status": "paused", "decision": "", "decision_note": ""})
    assert paused.status_code == 422  # the statuses it may be, as the page names them
    assert "Planned, Running, Evaluated, Decided." in text_of(paused.text, "pilot-error")
    decided = browser.client.post(f"{url}/decision", data={
        "csrf_token": token, "status": "evaluated", "decision": "scale",
        "decision_note": "Region by region"})  # fmt: skip
    assert decided.status_code == 303
    step = {"csrf_token": token, "name": "Central region", "planned_on": "2025-11-01",
            "status": "planned", "note": ""}  # fmt: skip
    assert browser.client.post(f"{url}/rollout", data=step).status_code == 303
    advanced = {"csrf_token": token, "step": "0", "status": "done"}
    assert browser.client.post(f"{url}/rollout", data=advanced).status_code == 303
    final = browser.page(url).text
    assert text_of(final, "pilot-status") == "Decided"
    assert "Scale" in text_of(final, "pilot-decision")
    assert "Region by region" in text_of(final, "pilot-decision")
    rows = text_of(final, "rollout-steps")
    assert "Central region" in rows and "Nov 1, 2025" in rows
    assert re.search(r'<option value="done" selected>', final)
    listed = browser.page("/pilots").text
    assert "Same-day delivery" in text_of(listed, "pilots") and "Scale" in listed


@pytest.mark.parametrize(("language", "heading"), [("ru", "Пилоты"), ("hu", "Pilotprojektek")])
def test_pages_speak_the_language(browser: Browser, language: str, heading: str) -> None:
    page = browser.page(f"/pilots?lang={language}")
    assert page.status_code == 200
    assert f"<h1>{heading}</h1>" in page.text
    # The KPI picker names metrics, not their keys ("CES: доля «легко» (5–7) (ces_easy_share)").
    assert ">Net Promoter Score" not in page.text and "(ces_easy_share)<" not in page.text
    browser.page("/pilots?lang=en")


def test_a_viewer_reads_but_cannot_define(live: Container, browser: Browser) -> None:
    with transaction(live.sessions) as session:
        workspace = accounts.ensure_workspace(session, WORKSPACE)
        user = accounts.ensure_user(session, "vera.viewer@northwind.example", "viewer-password")
        accounts.grant_role(session, workspace, user, Role.VIEWER)
    viewer = Browser(TestClient(create_app(container=live), follow_redirects=False))
    viewer.log_in("vera.viewer@northwind.example", "viewer-password")
    page = viewer.page("/pilots?lang=en")
    assert page.status_code == 200 and "Define a pilot" not in page.text
    refused: Any = viewer.client.post(
        "/pilots", data={**FORM, "name": "Viewer's", "csrf_token": csrf_token_in(page.text)})
    assert refused.status_code == 403
    assert "Viewer&#39;s" not in viewer.page("/pilots").text


@pytest.mark.parametrize(("language", "named"), [
    ("en", "Wild cluster bootstrap"), ("ru", "Дикий кластерный бутстрэп"),
    ("hu", "Vad klaszteres bootstrap")])  # fmt: skip
def test_a_few_customers_pilot_names_the_bootstrap_on_its_page(
    live: Container, browser: Browser, language: str, named: str
) -> None:
    # An evaluation of 3 pilot vs 4 control customers, computed as the warehouse path
    # does and kept on a pilot: the page names the method with its one-line reason.
    from kano.adapters.db import pilots as store
    from kano.analytics.pilots.did import evaluate_pilot
    from kano.analytics.pilots.views import COLUMNS, evaluation_record
    from tests.unit.pilots.synthetic import panel

    frame = panel(units_per_group=4, seed=2)
    frame = frame[~frame["treated"] | (frame["unit"] < 3)].rename(
        columns={"unit": "customer", "period": "month", "y": "value"})
    frame["month"] = "2025-0" + (frame["month"] + 1).astype(str)
    record = evaluation_record(evaluate_pilot(frame, COLUMNS), Catalogue().get("revenue"), frame)
    assert record["inference"] == "wild-cluster-bootstrap" and record["pilot_units"] == 3
    page = browser.page("/pilots?lang=en")
    made = browser.client.post("/pilots", data={**FORM, "name": f"Three stores {language}",
                                                "csrf_token": csrf_token_in(page.text)})
    assert made.status_code == 303, made.text
    pilot_id = int(made.headers["location"].rsplit("/", 1)[1])
    with transaction(live.sessions) as session:
        store.save_evaluation(session, workspace_id(live.sessions), pilot_id,
                              {"kpis": {"revenue": record}}, actor="test", user_id=None)
    shown = browser.page(f"/pilots/{pilot_id}?lang={language}").text
    browser.page("/pilots?lang=en")
    assert 'data-inference="wild-cluster-bootstrap"' in shown
    assert named in text_of(shown, "result-revenue")
    assert f"{record['bootstrap_draws']:,}".replace(",", "") in re.sub(r"[\s,\u00a0\u202f]", "",
                                                                       shown)  # fmt: skip
    # The pre-trend check names its bootstrap too (the same few customers).
    assert record["pre_trend"]["inference"] == "wild-cluster-bootstrap"
    assert 'class="pilot-trend" data-inference="wild-cluster-bootstrap"' in shown
    trend_note = {"en": "Wild cluster bootstrap of the joint test",
                  "ru": "Совместный тест диким кластерным бутстрэпом",
                  "hu": "Közös próba vad klaszteres bootstrappel"}[language]  # fmt: skip
    assert trend_note in shown
    # The plan says which share of the months it expects each customer in (revenue adds
    # up: every month).
    observed = {"en": "Months with data per customer", "ru": "Доля месяцев с данными",
                "hu": "Adatot tartalmazó hónapok aránya"}[language]  # fmt: skip
    assert observed in shown and text_of(shown, "plan-observed") == (
        "100 % / 100 %" if language == "ru" else "100% / 100%"  # CLDR's percent sign
    )


def test_segment_groups_read_as_the_workspace_names_them(browser: Browser) -> None:
    # The demo's segments are named in its app database ("Key accounts" for key_account).
    page = browser.page("/pilots?lang=en")
    made = browser.client.post("/pilots", data={
        **FORM, "name": "Slots for SMB", "pilot_by": "segment", "pilot_values": "smb",
        "control_by": "segment", "control_values": "key_account, consumer",
        "csrf_token": csrf_token_in(page.text)})  # fmt: skip
    assert made.status_code == 303, made.text
    shown = browser.page(f"{made.headers['location']}?lang=hu").text
    listed = browser.page("/pilots?lang=hu").text
    browser.page("/pilots?lang=en")

    design = text_of(shown, "pilot-design")
    assert "Szegmens = Small and medium businesses" in design
    assert "Szegmens = Key accounts, Consumers" in design
    assert "key_account" not in design and "smb" not in design
    assert "Szegmens = Key accounts, Consumers" in text_of(listed, "pilots")
    # Days the Hungarian way, not ISO ("2025-07-01 – 2025-09-30" read as English).
    assert "2025. júl. 1. – szept. 30." in text_of(listed, "pilots")
    assert "2025. jan. 1. – jún. 30." in text_of(shown, "pilot-design")
    assert "2025-07-01" not in text_of(listed, "pilots")
    russian = browser.page("/pilots?lang=ru").text
    assert "1 июл. – 30 сент. 2025 г." in text_of(russian, "pilots")
    browser.page("/pilots?lang=en")


@pytest.mark.parametrize(
    ("language", "changes", "expected", "english"),
    [
        ("hu", {"test_start": "2025-06-15"}, "A tesztidőszaknak az alapidőszak vége után",
         "must come after"),
        ("hu", {"baseline_end": "xx"}, "'xx' nem dátum: ÉÉÉÉ-HH-NN", "is not a date"),
        ("hu", {"name": ""}, "Adjon nevet a pilotnak.", "name the pilot"),
        ("ru", {"target_effect": "abc"}, "Здесь нужно число.", "must be a number"),
        ("ru", {"control_values": "north"}, "Контрольная группа должна отличаться",
         "must differ"),
    ],
)  # fmt: skip
def test_a_refused_pilot_says_why_in_the_readers_language(
    browser: Browser, language: str, changes: dict[str, str], expected: str, english: str
) -> None:
    """The domain's English reason ('must come after the baseline period ends') read as
    is after the Hungarian 'Ellenőrizze ezt a mezőt: …' until the form translated it."""
    token = csrf_token_in(browser.page(f"/pilots?lang={language}").text)
    try:
        refused = browser.client.post("/pilots", data={**FORM, **changes, "csrf_token": token})
        assert refused.status_code == 422
        said = text_of(refused.text, "pilot-error")
        assert expected in said and english not in said, said
    finally:
        browser.page("/pilots?lang=en")


@pytest.mark.parametrize(("language", "effect", "wrong", "evaluated", "baseline"), [
    ("en", "Estimated effect", None, "Customers evaluated", "Customers with baseline data"),
    ("ru", "Оценка эффекта", "Следствие", "Клиентов в оценке",
     "Клиенты с данными за базовый период"),
    ("hu", "Becsült hatás", "Okozat", "Értékelt ügyfelek", "Ügyfelek adattal az alapidőszakban"),
])  # fmt: skip
def test_the_effect_and_both_customer_counts_say_what_they_are(
    live: Container, browser: Browser, language: str, effect: str, wrong: str | None,
    evaluated: str, baseline: str,
) -> None:
    # The estimated effect is not the "effect" of a cause-and-effect arrow (Russian
    # "Следствие", Hungarian "Okozat"), and the plan's customers (those with baseline
    # data) are fewer than the evaluation's (all with data): each label says which.
    from kano.adapters.db import pilots as store
    from kano.analytics.pilots.did import evaluate_pilot
    from kano.analytics.pilots.views import COLUMNS, evaluation_record
    from tests.unit.pilots.synthetic import panel

    frame = panel(units_per_group=30, seed=3).rename(
        columns={"unit": "customer", "period": "month", "y": "value"})
    frame["month"] = "2025-0" + (frame["month"] + 1).astype(str)
    record = evaluation_record(evaluate_pilot(frame, COLUMNS), Catalogue().get("revenue"), frame)
    page = browser.page("/pilots?lang=en")
    made = browser.client.post("/pilots", data={**FORM, "name": f"Labels {language}",
                                                "csrf_token": csrf_token_in(page.text)})
    assert made.status_code == 303, made.text
    pilot_id = int(made.headers["location"].rsplit("/", 1)[1])
    with transaction(live.sessions) as session:
        store.save_evaluation(session, workspace_id(live.sessions), pilot_id,
                              {"kpis": {"revenue": record}}, actor="test", user_id=None)
    shown = browser.page(f"/pilots/{pilot_id}?lang={language}").text
    browser.page("/pilots?lang=en")
    result = text_of(shown, "result-revenue")
    assert effect in result
    assert wrong is None or wrong not in result
    assert f"{evaluated} (" in result
    assert f"{baseline} (" in shown


def test_the_owner_reads_by_name(browser: Browser) -> None:
    # The owner is chosen and kept by e-mail (the API's field), but a consultant reads the
    # pilot's owner as the OKR page names people, not as "tom.becker@northwind.example".
    page = browser.page("/pilots?lang=en")
    assert ('<option value="helen.carter@northwind.example">Helen Carter '
            "(helen.carter@northwind.example)</option>") in page.text  # fmt: skip
    made = browser.client.post("/pilots", data={
        **FORM, "name": "Owned", "owner": "helen.carter@northwind.example",
        "csrf_token": csrf_token_in(page.text)})  # fmt: skip
    assert made.status_code == 303, made.text
    assert text_of(browser.page(made.headers["location"]).text, "pilot-owner") == "Helen Carter"


@pytest.mark.parametrize(("language", "unit"), [
    ("en", " pp"), ("ru", " п. п."), ("hu", " százalékpont")])  # fmt: skip
def test_a_shares_effect_reads_in_percentage_points(
    live: Container, browser: Browser, language: str, unit: str
) -> None:
    # The demo's pilot read "+7.70 (+9.2%)" for on-time delivery: points of what? A KPI
    # that is a share moves by percentage points; a revenue KPI keeps its bare figure.
    from kano.adapters.db import pilots as store
    from kano.analytics.pilots.did import evaluate_pilot
    from kano.analytics.pilots.views import COLUMNS, evaluation_record
    from tests.unit.pilots.synthetic import panel

    frame = panel(units_per_group=30, seed=4).rename(
        columns={"unit": "customer", "period": "month", "y": "value"})
    frame["month"] = "2025-0" + (frame["month"] + 1).astype(str)
    share = Catalogue().get("on_time_delivery")
    record = evaluation_record(evaluate_pilot(frame, COLUMNS), share, frame)
    assert record["unit"] == "%"
    page = browser.page("/pilots?lang=en")
    made = browser.client.post("/pilots", data={
        **FORM, "name": f"Points {language}", "kpis": "on_time_delivery",
        "csrf_token": csrf_token_in(page.text)})  # fmt: skip
    assert made.status_code == 303, made.text
    pilot_id = int(made.headers["location"].rsplit("/", 1)[1])
    with transaction(live.sessions) as session:
        store.save_evaluation(session, workspace_id(live.sessions), pilot_id,
                              {"kpis": {"on_time_delivery": record}}, actor="test",
                              user_id=None)  # fmt: skip
    shown = browser.page(f"/pilots/{pilot_id}?lang={language}").text
    browser.page("/pilots?lang=en")
    effect = re.search(r'class="pilot-effect">([^<(]+)', shown)
    ci = re.search(r'class="pilot-ci">([^<]+)', shown)
    assert effect is not None and ci is not None
    assert effect.group(1).strip().endswith(unit.strip()), effect.group(1)
    assert ci.group(1).strip().endswith(unit.strip()), ci.group(1)
    # and the chart's value axis names the KPI and its unit, not a bare "Mean"
    name = {"en": "On-time delivery", "ru": "Доставка вовремя",
            "hu": "Időben teljesített szállítás"}[language]  # fmt: skip
    assert f'"title": {json.dumps(name + " (%)")}' in shown  # the spec is JSON
    # the plan's minimum detectable effect is a difference of shares too
    assert text_of(shown, "plan-mde").endswith(unit.strip())
    # and the spread it is planned with is in the same points (a walk of the demo in
    # Hungarian read a bare "33,08" beside "6,10 százalékpont")
    assert text_of(shown, "plan-sd").endswith(unit.strip())
