"""The scorecard and objective pages: roll-up, say/do, drill-down, the edit forms and who may
use them, on the example strategy (tests/integration/strategy/example_strategy.yaml)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.orm import AuditEntry, CauseEffectLinkRow, MeasureRow, ObjectiveRow
from kano.metrics import Catalogue
from tests.integration.web.browsing import Browser, text_of
from tests.integration.web.exported_files import xlsx_rows
from tests.integration.web.seed import SeededCompanies
from tests.integration.web.strategy_seed import SECRET, SeededStrategy, id_of, seed_strategy

NBSP = "\u00a0"


@pytest.fixture
def strategy(sessions: sessionmaker[Session], companies: SeededCompanies) -> SeededStrategy:
    return seed_strategy(sessions, companies)


def _post(browser: Browser, path: str, data: dict[str, str | int]) -> object:
    return browser.client.post(path, data={**data, "csrf_token": browser.session_token()})


@pytest.mark.parametrize(("language", "on_track", "revenue"), [
    ("en", "On track", "€10,120,000"),
    ("ru", "В норме", f"10{NBSP}120{NBSP}000{NBSP}€"),
    ("hu", "Terv szerint", f"10{NBSP}120{NBSP}000{NBSP}EUR"),
])
def test_scorecard_shows_perspectives_objectives_and_measures_in_each_language(
    browser: Browser, strategy: SeededStrategy, language: str, on_track: str, revenue: str
) -> None:
    browser.log_in(strategy.editor, strategy.password)

    page = browser.page(f"/scorecard?lang={language}").text

    headings = re.findall(r'<h2 id="perspective-heading-\d+">([^<]+)</h2>', page)
    assert headings == ["Customer", "Financial", "Internal processes", "Learning &amp; growth"]
    assert page.count('<article class="objective"') == 9
    assert "Net Promoter Score" in page and on_track in page
    assert revenue in page  # the latest actual of Revenue, written the language's way
    assert page.count('<svg class="sparkline"') == 5  # one per measure that has values
    assert f'<html lang="{language}">' in page


def test_customer_perspective_puts_say_and_do_side_by_side_with_the_gap(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    browser.log_in(strategy.editor, strategy.password)
    easy = id_of(sessions, ObjectiveRow, strategy.companies.acme_id, "easy-to-work-with")

    page = browser.page("/scorecard").text

    objective = page[page.index(f'id="objective-{easy}"'):]
    say_do = objective[objective.index('<div class="say-do">'):objective.index("</article>")]
    assert say_do.index("What customers say") < say_do.index("Net Promoter Score")
    assert say_do.index("What customers do") < say_do.index("Repeat purchase rate")
    # Say: NPS 37.2 → 7.67. Do: repeat purchase 61 → 6.19 and churn 1.9 (weight 2) → 7.33.
    gap = text_of(page, next(m for m in re.findall(r'id="(say-do-\d+)"', page)))
    assert gap == "What customers say 7.7 What customers do 7.0 Say–do gap +0.7"


def test_objective_page_drills_down_to_links_cascade_initiatives_and_okrs(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    browser.log_in(strategy.editor, strategy.password)
    fcr = id_of(sessions, ObjectiveRow, strategy.companies.acme_id, "first-contact-resolution")

    page = browser.page(f"/scorecard/objectives/{fcr}").text

    assert "<h1>Solve problems at the first contact</h1>" in page
    assert text_of(page, "causes") == (  # with the admin's button that removes each link
        "Engaged, capable people after 3 months Engaged agents own problems and solve them on "
        "the first call. Remove the link Service skills for every front-line employee after "
        "2 months Remove the link"
    )
    assert text_of(page, "effects").startswith("Be easy to work with after 1 month")
    assert "Answer within two minutes" in page  # the service scorecard's objective serves it
    assert "One CRM for sales and service" in page
    assert "Get it right the first time" in page  # the team OKR aligned to it
    assert 'id="new-link"' in page  # Bob, who owns the workspace, may link


def test_objective_page_lists_every_value_of_a_measure(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    browser.log_in(strategy.editor, strategy.password)
    easy = id_of(sessions, ObjectiveRow, strategy.companies.acme_id, "easy-to-work-with")

    page = browser.page(f"/scorecard/objectives/{easy}?lang=ru").text

    assert "Значения показателя Net Promoter Score" in page
    for value in ("31,0 балла", "34,5 балла", "37,2 балла"):  # NPS: one decimal (".1f")
        assert value in page


@pytest.mark.parametrize("language", ["hu", "ru"])
def test_a_bound_measure_names_its_metric_and_links_the_explorer(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session], language: str
) -> None:
    """The QA pass read "Metrika: onboarding_days_mean" on a Hungarian objective page: the
    metric now reads by its catalogue name in the page's language (as on /metrics), linked
    to the metric explorer, with the key beside it for strategy-file authors."""
    browser.log_in(strategy.editor, strategy.password)
    fcr = id_of(sessions, ObjectiveRow, strategy.companies.acme_id, "first-contact-resolution")
    name = Catalogue().get("fcr_rate").name(language)

    page = browser.page(f"/scorecard/objectives/{fcr}?lang={language}").text

    assert name != "fcr_rate"
    assert (f'<a href="/metrics/fcr_rate">{name}</a> <code class="cell-note">fcr_rate</code>'
            in page)  # fmt: skip
    assert "<code>fcr_rate</code>" not in page


def test_editor_adds_an_objective_and_links_it_with_an_audit_trail(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    acme = strategy.companies.acme_id
    browser.log_in(strategy.editor, strategy.password)
    learning = re.search(r'<option value="(\d+)">Learning &amp; growth</option>',
                         browser.page("/scorecard").text)
    assert learning

    created = _post(browser, "/scorecard/objectives", {
        "perspective_id": learning.group(1), "title": "Coach agents on the new CRM",
        "scorecard": "company",
    })

    new_id = id_of(sessions, ObjectiveRow, acme, "coach-agents-on-the-new-crm")
    assert created.status_code == 303  # type: ignore[attr-defined]
    assert created.headers["location"] == f"/scorecard/objectives/{new_id}"  # type: ignore[attr-defined]
    fcr = id_of(sessions, ObjectiveRow, acme, "first-contact-resolution")

    linked = _post(browser, f"/scorecard/objectives/{new_id}/links", {
        "effect_id": fcr, "hypothesis": "Agents who know the CRM solve more at once.",
        "lag_months": 2,
    })

    assert linked.status_code == 303  # type: ignore[attr-defined]
    assert text_of(browser.page(f"/scorecard/objectives/{new_id}").text, "effects") == (
        "Solve problems at the first contact after 2 months Agents who know the CRM solve "
        "more at once. Remove the link"
    )
    with sessions() as session:
        actions = session.execute(
            select(AuditEntry.entity, AuditEntry.actor)
            .where(AuditEntry.workspace_id == acme, AuditEntry.action == "create")
            .order_by(AuditEntry.id.desc()).limit(2)
        ).all()
    assert [tuple(a) for a in actions] == [
        ("cause_effect_link", strategy.editor), ("objective", strategy.editor)]


def test_a_blank_title_is_refused_with_the_reason_next_to_the_field(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    browser.log_in(strategy.editor, strategy.password)
    perspective = re.search(r'<option value="(\d+)">Customer</option>',
                            browser.page("/scorecard").text)
    assert perspective

    response = _post(browser, "/scorecard/objectives?lang=hu",
                     {"perspective_id": perspective.group(1), "title": "   "})

    assert response.status_code == 422  # type: ignore[attr-defined]
    assert text_of(response.text, "title-error") == "Kérjük, töltse ki."  # type: ignore[attr-defined]
    with sessions() as session:
        assert session.scalar(select(ObjectiveRow).where(ObjectiveRow.title == "   ")) is None


def test_a_viewer_reads_the_scorecard_but_may_not_edit_it(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    acme = strategy.companies.acme_id
    browser.log_in(strategy.viewer, strategy.password)
    fcr = id_of(sessions, ObjectiveRow, acme, "first-contact-resolution")
    easy = id_of(sessions, ObjectiveRow, acme, "easy-to-work-with")

    page = browser.page("/scorecard").text
    detail = browser.page(f"/scorecard/objectives/{fcr}").text
    created = _post(browser, "/scorecard/objectives", {"perspective_id": 1, "title": "Nope"})
    linked = _post(browser, f"/scorecard/objectives/{easy}/links", {"effect_id": fcr})

    assert 'id="new-objective"' not in page and 'id="new-link"' not in detail
    assert created.status_code == linked.status_code == 403  # type: ignore[attr-defined]
    with sessions() as session:
        assert session.scalar(select(ObjectiveRow).where(ObjectiveRow.title == "Nope")) is None
        assert session.scalar(select(CauseEffectLinkRow).where(
            CauseEffectLinkRow.cause_id == easy, CauseEffectLinkRow.effect_id == fcr)) is None


def test_objectives_of_another_workspace_can_be_neither_opened_nor_linked(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    companies = strategy.companies
    browser.log_in(strategy.editor, strategy.password)
    secret = id_of(sessions, ObjectiveRow, companies.globex_id, "globex-secret-objective")
    fcr = id_of(sessions, ObjectiveRow, companies.acme_id, "first-contact-resolution")

    opened = browser.client.get(f"/scorecard/objectives/{secret}")
    linked = _post(browser, f"/scorecard/objectives/{fcr}/links", {"effect_id": secret})

    assert opened.status_code == 404 and SECRET not in opened.text
    assert linked.status_code == 422  # type: ignore[attr-defined]
    with sessions() as session:
        assert session.scalar(select(CauseEffectLinkRow).where(
            CauseEffectLinkRow.effect_id == secret, CauseEffectLinkRow.cause_id == fcr)) is None


@pytest.mark.parametrize("path", ["/scorecard", "/strategy/map", "/okr", "/mbo",
                                  "/strategy/map.svg", "/mbo/sheets/ana-2026.xlsx"])
def test_pages_never_show_another_workspace(
    browser: Browser, strategy: SeededStrategy, path: str
) -> None:
    browser.log_in(strategy.editor, strategy.password)

    response = browser.page(path)

    assert SECRET.encode() not in response.content
    if path == "/mbo/sheets/ana-2026.xlsx":
        cells = [value for row in xlsx_rows(response.content) for value in row]
        assert not any(SECRET in str(v) for v in cells)
        assert "Coach every new agent" in cells


def test_edit_forms_without_the_session_token_are_refused(
    browser: Browser, strategy: SeededStrategy
) -> None:
    browser.log_in(strategy.editor, strategy.password)

    response = browser.client.post("/scorecard/objectives",
                                   data={"perspective_id": "1", "title": "Forged"})

    assert response.status_code == 403
    assert "Request refused" in response.text


@pytest.mark.parametrize(("language", "fcr", "margin"), [
    ("en", ["Amber from: 65.0%", "Green from: 72.0%", "Target: 80.0%"],  # fcr_rate ".1f"
     ["Within a band", "Green band: 38% – 45%", "Amber tolerance: ± 3%"]),
    ("ru", ["Жёлтая зона от: 65,0 %", "Зелёная зона от: 72,0 %"],  # Russian: 65,0 %
     ["Зелёный коридор: 38 % – 45 %", "Допуск жёлтой зоны: ± 3 %"]),
    ("hu", ["Sárga ettől: 65,0%", "Zöld ettől: 72,0%"],
     ["Zöld sáv: 38% – 45%", "Sárga tűrés: ± 3%"]),
])  # fmt: skip
def test_objective_page_shows_where_a_measure_turns_amber_and_green(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session],
    language: str, fcr: list[str], margin: list[str],
) -> None:
    """A measure's thresholds (SPEC §2.7: red/amber/green) were nowhere on a page: a
    measure kept within a band showed neither its band nor a target."""
    acme = strategy.companies.acme_id
    browser.log_in(strategy.editor, strategy.password)

    for objective, measure, expected in (("first-contact-resolution", "fcr", fcr),
                                         ("healthy-margin", "gross-margin", margin)):
        objective_id = id_of(sessions, ObjectiveRow, acme, objective)
        page = browser.page(f"/scorecard/objectives/{objective_id}?lang={language}").text
        shown = text_of(page, f"measure-{id_of(sessions, MeasureRow, acme, measure)}")
        for words in expected:
            assert words in shown.replace("\u00a0", " "), (words, shown)
