"""The strategy map's arrows tested on the data (issue 7, item 4): every refresh of the live
metrics re-tests the demo scorecard's arrows, stores the evidence, and the map draws it --
thick when strong, dashed when not supported, red when the data show the opposite.

Runs on the demo company and strategy of ``test_live_binding`` (both app-database engines).
"""

from __future__ import annotations

import re

from sqlalchemy import func, select
from starlette.testclient import TestClient

from kano.adapters.db.orm import LinkTestRow, ObjectiveRow
from kano.app import create_app
from kano.bootstrap import Container
from tests.integration.jobs.test_live_binding import demo_data, live, refresh
from tests.integration.web.browsing import Browser

__all__ = ["demo_data", "live"]  # module fixtures shared with the live-binding tests


def _tests_by_objectives(live: Container) -> dict[tuple[str, str], LinkTestRow]:
    with live.sessions() as session:
        keys = dict(session.execute(select(ObjectiveRow.id, ObjectiveRow.key)).all())
        rows = session.scalars(select(LinkTestRow)).all()
        session.expunge_all()
    return {(keys[r.cause_id], keys[r.effect_id]): r for r in rows}


def test_refresh_tests_every_arrow_and_proposes_missing_links(live: Container) -> None:
    report = refresh(live)
    assert report.links_tested >= 15, report.errors
    tests = _tests_by_objectives(live)

    planted = tests[("engaged-teams", "deliver-on-promise")]
    assert planted.verdict == "supported"
    assert (planted.cause_measure, planted.lag) == ("engagement", "1M")
    assert planted.ci_low < planted.estimate < planted.ci_high < 0
    assert tests[("recommend-northwind", "keep-customers-buying")].verdict == "supported"
    assert tests[("keep-customers-buying", "grow-revenue")].verdict == "untested"
    assert any(row.proposed and row.verdict == "supported" for row in tests.values())
    assert not any(row.proposed for key, row in tests.items()
                   if key == ("engaged-teams", "deliver-on-promise"))  # fmt: skip


def test_a_second_refresh_replaces_the_evidence(live: Container) -> None:
    refresh(live)
    with live.sessions() as session:
        before = session.scalar(select(func.count()).select_from(LinkTestRow))
    refresh(live)
    with live.sessions() as session:
        assert session.scalar(select(func.count()).select_from(LinkTestRow)) == before


def _arrow(svg: str, cause: str, effect: str) -> str:
    found = re.search(
        rf'<g class="map-link" data-cause="{cause}" data-effect="{effect}"[^>]*>.*?</g>', svg,
        re.S,
    )
    assert found, (cause, effect)
    return found.group(0)


def test_the_map_draws_strength_dashes_and_wrong_signs(live: Container) -> None:
    refresh(live)
    browser = Browser(TestClient(create_app(container=live), follow_redirects=False))
    browser.log_in("helen.carter@northwind.example", "demo")

    page = browser.client.get("/strategy/map?lang=en").text
    strong = _arrow(page, "engaged-teams", "deliver-on-promise")
    assert 'data-verdict="supported"' in strong
    assert float(re.search(r'stroke-width="([0-9.]+)"', strong).group(1)) > 3.0
    # per step of the cause (1 point of the team's 1–5 engagement), in the effect's unit
    evidence = re.search(r"supported by the data: Team engagement \(1–5\) \+1 point → Delivery "
                         r"delay (−[0-9.]+) days \(95 % CI (−[0-9.]+) … (−[0-9.]+)\), "
                         r"after 1 month, n = [0-9,]+", strong)  # fmt: skip
    assert "per unit" not in page
    assert evidence, strong
    estimate, low, high = (float(x.replace("−", "-")) for x in evidence.groups())
    assert low < estimate < high < 0 and low <= -0.3 <= high  # planted: -0.30 days a point
    for cause, effect in [("fix-it-first-time", "easy-to-do-business")]:
        weak = _arrow(page, cause, effect)
        assert 'data-verdict="not-supported"' in weak and 'stroke-dasharray="6 4"' in weak
    untested = _arrow(page, "keep-customers-buying", "grow-revenue")
    assert 'data-verdict="untested"' in untested
    assert "Arrows tested on the data" in page and "Links the data suggest" in page

    russian = browser.client.get("/strategy/map?lang=ru").text
    assert "Стрелки, проверенные на данных" in russian
    assert "подтверждено данными" in russian

    svg_file = browser.client.get("/strategy/map.svg").text
    assert 'data-verdict="supported"' in _arrow(svg_file, "engaged-teams", "deliver-on-promise")


def test_the_evidence_reads_in_the_readers_language(live: Container) -> None:
    """The QA pass read "az adatok alátámasztják: -0.255 delivery_delay_days engagement
    egységenként (95 % CI: -0.362 – -0.148), késleltetés 1M" on the Hungarian map, and the
    measures as keys ("engagement → delivery-delay"): now the variables' and measures'
    names, decimal commas with a true minus, the lag in words; and the effect per step of
    its cause in the effect's own unit, as the linkage page says it."""
    refresh(live)
    browser = Browser(TestClient(create_app(container=live), follow_redirects=False))
    browser.log_in("helen.carter@northwind.example", "demo")

    hungarian = browser.client.get("/strategy/map?lang=hu").text
    strong = _arrow(hungarian, "engaged-teams", "deliver-on-promise")
    assert re.search(r"az adatok alátámasztják: A csapat elkötelezettsége \(1–5\) \+1 pont → "
                     r"Szállítási késés −0,\d+ nap \(95 % CI: −0,\d+ … −0,\d+\), "
                     r"1 hónap múlva, n = \d+", strong), strong  # fmt: skip
    section = hungarian[hungarian.index('id="map-evidence"'):]
    evidence = section[:section.index("Tesztelve:")]  # the time of the test has dashes
    assert "delivery_delay_days" not in hungarian and "késleltetés 1M" not in hungarian
    assert not re.search(r"-\d|\d\.\d", re.sub(r"<[^>]+>", "", evidence))
    assert "engagement → delivery-delay" not in evidence
    assert "90 nap múlva" in evidence  # a lag of days: "90D" before
    assert "egységenként" not in hungarian  # the raw slope "per unit of" the cause

    russian = browser.client.get("/strategy/map?lang=ru").text
    assert re.search(r"подтверждено данными: Вовлечённость команды \(1–5\) \+1 балл → Задержка "
                     r"доставки −0,\d+ дня \(95 % ДИ −0,\d+ … −0,\d+\), через 1 месяц",
                     russian)  # fmt: skip
    assert "на единицу показателя" not in russian
