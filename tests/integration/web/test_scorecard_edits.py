"""The scorecard's edit forms by role, as in the API: managers (and analysts) change what they
own — their objectives and those objectives' measure values — admins also the structure
(perspectives, cause–effect links); a reader sees no form for what they may not change and
the server answers 403 anyway. On the example strategy (CEO: tests/.../strategy_seed.py)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.orm import (
    AuditEntry,
    CauseEffectLinkRow,
    MeasureRow,
    MeasureValueRow,
    ObjectiveRow,
    PerspectiveRow,
    ScorecardRow,
)
from tests.integration.web.browsing import Browser, text_of
from tests.integration.web.seed import SeededCompanies
from tests.integration.web.strategy_seed import (
    SeededStrategy,
    grant_manager,
    id_of,
    seed_strategy,
)


@pytest.fixture
def strategy(sessions: sessionmaker[Session], companies: SeededCompanies) -> SeededStrategy:
    return seed_strategy(sessions, companies)


def _post(browser: Browser, path: str, data: dict[str, Any] | None = None) -> Any:
    return browser.client.post(path, data={**(data or {}),
                                           "csrf_token": browser.session_token()})


def _value(sessions: sessionmaker[Session], measure_id: int, period: date) -> Any:
    with sessions() as session:
        return session.scalar(select(MeasureValueRow).where(
            MeasureValueRow.measure_id == measure_id, MeasureValueRow.period_start == period))


def _last_audit(sessions: sessionmaker[Session], workspace_id: int) -> Any:
    with sessions() as session:
        return session.scalars(select(AuditEntry).where(AuditEntry.workspace_id == workspace_id)
                               .order_by(AuditEntry.id.desc())).first()


def _perspective(sessions: sessionmaker[Session], workspace_id: int, key: str) -> int:
    with sessions() as session:
        found = session.scalar(
            select(PerspectiveRow.id)
            .join(ScorecardRow, ScorecardRow.id == PerspectiveRow.scorecard_id)
            .where(ScorecardRow.workspace_id == workspace_id, ScorecardRow.key == "company",
                   PerspectiveRow.key == key))
    assert found is not None
    return int(found)


def test_a_manager_enters_and_corrects_a_value_of_an_own_measure(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    acme = strategy.companies.acme_id
    easy = id_of(sessions, ObjectiveRow, acme, "easy-to-work-with")
    nps = id_of(sessions, MeasureRow, acme, "nps")
    manager = grant_manager(sessions)
    browser.log_in(manager, strategy.password)
    page = browser.page(f"/scorecard/objectives/{easy}").text
    assert f'id="measure-{nps}-value-form"' in page and 'id="delete-objective-form"' in page
    assert 'id="new-link"' not in page and "remove-link-" not in page  # links: admins'

    entered = _post(browser, f"/scorecard/measures/{nps}/values",
                    {"period": "2026-10", "actual": "39,5", "target": "40"})

    assert entered.status_code == 303
    assert entered.headers["location"] == f"/scorecard/objectives/{easy}#measure-{nps}"
    value = _value(sessions, nps, date(2026, 10, 1))
    assert (value.actual, value.target, value.source, value.n) == (39.5, 40.0, "manual", None)
    assert "39.5 points" in browser.page(f"/scorecard/objectives/{easy}").text
    audit = _last_audit(sessions, acme)
    assert (audit.action, audit.entity, audit.actor) == ("create", "measure_value", manager)

    corrected = _post(browser, f"/scorecard/measures/{nps}/values",
                      {"period": "2026-10", "actual": "38"})

    assert corrected.status_code == 303
    value = _value(sessions, nps, date(2026, 10, 1))
    assert (value.actual, value.target) == (38.0, 40.0)  # the target stays when left blank
    audit = _last_audit(sessions, acme)
    assert audit.action == "update" and audit.detail["actual"] == {"from": 39.5, "to": 38.0}


def test_a_manager_gets_403_on_what_someone_else_owns(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    acme = strategy.companies.acme_id
    easy = id_of(sessions, ObjectiveRow, acme, "easy-to-work-with")
    keep = id_of(sessions, ObjectiveRow, acme, "keep-customers")  # the service team's
    revenue = id_of(sessions, ObjectiveRow, acme, "grow-revenue")  # the CEO's own, too
    churn = id_of(sessions, MeasureRow, acme, "churn-rate")
    browser.log_in(grant_manager(sessions), strategy.password)

    page = browser.page(f"/scorecard/objectives/{keep}").text
    value = _post(browser, f"/scorecard/measures/{churn}/values",
                  {"period": "2026-10", "actual": "1.0"})
    deleted = _post(browser, f"/scorecard/objectives/{keep}/delete")
    linked = _post(browser, f"/scorecard/objectives/{easy}/links", {"effect_id": revenue})

    assert "value-form" not in page and "delete-objective-form" not in page
    assert value.status_code == deleted.status_code == linked.status_code == 403
    assert "You may change only what you own" in value.text
    assert "Only a workspace owner or admin" in linked.text
    assert _value(sessions, churn, date(2026, 10, 1)) is None
    with sessions() as session:
        assert session.get(ObjectiveRow, keep) is not None
        assert session.scalar(select(CauseEffectLinkRow).where(
            CauseEffectLinkRow.cause_id == easy, CauseEffectLinkRow.effect_id == revenue)) is None


def test_a_new_objective_belongs_to_its_author_who_may_delete_it(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    acme = strategy.companies.acme_id
    browser.log_in(strategy.analyst, strategy.password)
    learning = re.search(r'<option value="(\d+)">Learning &amp; growth</option>',
                         browser.page("/scorecard").text)
    assert learning
    _post(browser, "/scorecard/objectives", {"perspective_id": learning.group(1),
                                             "title": "Mentor new analysts"})
    mine = id_of(sessions, ObjectiveRow, acme, "mentor-new-analysts")
    page = browser.page(f"/scorecard/objectives/{mine}").text
    assert "Owner: Alice" in page and 'id="delete-objective-form"' in page

    deleted = _post(browser, f"/scorecard/objectives/{mine}/delete")

    assert deleted.status_code == 303
    assert deleted.headers["location"] == "/scorecard?scorecard=company"
    with sessions() as session:
        assert session.get(ObjectiveRow, mine) is None
    audit = _last_audit(sessions, acme)
    assert (audit.action, audit.entity, audit.actor) == ("delete", "objective",
                                                         strategy.analyst)


def test_a_viewer_sees_no_edit_form_and_cannot_post_one(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    acme = strategy.companies.acme_id
    easy = id_of(sessions, ObjectiveRow, acme, "easy-to-work-with")
    nps = id_of(sessions, MeasureRow, acme, "nps")
    financial = _perspective(sessions, acme, "financial")
    browser.log_in(strategy.viewer, strategy.password)

    scorecard = browser.page("/scorecard").text
    detail = browser.page(f"/scorecard/objectives/{easy}").text
    responses = [
        _post(browser, f"/scorecard/measures/{nps}/values", {"period": "2026-10", "actual": "1"}),
        _post(browser, f"/scorecard/objectives/{easy}/delete"),
        _post(browser, f"/scorecard/perspectives/{financial}/rename", {"name": "Money"}),
    ]

    assert "<form" not in detail.split('<main', 1)[1].split("</main>")[0]
    assert "perspective-edit" not in scorecard and 'id="new-objective"' not in scorecard
    assert [r.status_code for r in responses] == [403, 403, 403]
    assert "lets you read the strategy, not change it" in responses[0].text


def test_an_admin_removes_a_link_and_deletes_an_objective(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    acme = strategy.companies.acme_id
    fcr = id_of(sessions, ObjectiveRow, acme, "first-contact-resolution")
    engaged = id_of(sessions, ObjectiveRow, acme, "engaged-people")
    onboarding = id_of(sessions, ObjectiveRow, acme, "fast-onboarding")
    with sessions() as session:
        link = session.scalar(select(CauseEffectLinkRow.id).where(
            CauseEffectLinkRow.cause_id == engaged, CauseEffectLinkRow.effect_id == fcr))
    browser.log_in(strategy.editor, strategy.password)
    assert f'id="remove-link-{link}"' in browser.page(f"/scorecard/objectives/{fcr}").text

    removed = _post(browser, f"/scorecard/links/{link}/delete", {"objective_id": fcr})
    deleted = _post(browser, f"/scorecard/objectives/{onboarding}/delete")

    assert removed.status_code == deleted.status_code == 303
    assert removed.headers["location"] == f"/scorecard/objectives/{fcr}#links"
    assert "Engaged" not in text_of(browser.page(f"/scorecard/objectives/{fcr}").text, "causes")
    with sessions() as session:
        assert session.get(CauseEffectLinkRow, link) is None
        assert session.get(ObjectiveRow, onboarding) is None
        entities = session.scalars(select(AuditEntry.entity).where(
            AuditEntry.workspace_id == acme, AuditEntry.action == "delete")).all()
    assert sorted(entities) == ["cause_effect_link", "objective"]


def _headings(page: str) -> list[str]:
    return re.findall(r'<h2 id="perspective-heading-\d+">([^<]+)</h2>', page)


def test_an_admin_renames_and_reorders_perspectives_and_the_map_follows(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    acme = strategy.companies.acme_id
    financial = _perspective(sessions, acme, "financial")
    customer = _perspective(sessions, acme, "customer")
    browser.log_in(strategy.editor, strategy.password)
    assert f'id="perspective-{financial}-edit"' in browser.page("/scorecard").text

    renamed = _post(browser, f"/scorecard/perspectives/{financial}/rename", {"name": "Finance"})
    moved = _post(browser, f"/scorecard/perspectives/{financial}/move", {"direction": "up"})
    stays = _post(browser, f"/scorecard/perspectives/{financial}/move", {"direction": "up"})

    assert renamed.status_code == moved.status_code == stays.status_code == 303
    assert moved.headers["location"] == f"/scorecard?scorecard=company#perspective-{financial}"
    assert _headings(browser.page("/scorecard").text) == [
        "Finance", "Customer", "Internal processes", "Learning &amp; growth"]
    bands = text_of(browser.page("/strategy/map").text, "map-as-text")
    assert bands.index("Finance") < bands.index("Customer")
    back = _post(browser, f"/scorecard/perspectives/{customer}/move", {"direction": "up"})
    assert back.status_code == 303
    assert _headings(browser.page("/scorecard").text)[:2] == ["Customer", "Finance"]

    blank = _post(browser, f"/scorecard/perspectives/{financial}/rename?lang=hu", {"name": " "})

    assert blank.status_code == 422
    assert text_of(blank.text, "name-error") == "Kérjük, töltse ki."
    with sessions() as session:
        assert session.get(PerspectiveRow, financial).name == "Finance"  # type: ignore[union-attr]


def test_managers_may_not_change_perspectives(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    financial = _perspective(sessions, strategy.companies.acme_id, "financial")
    browser.log_in(grant_manager(sessions), strategy.password)

    page = browser.page("/scorecard").text
    renamed = _post(browser, f"/scorecard/perspectives/{financial}/rename", {"name": "Money"})
    moved = _post(browser, f"/scorecard/perspectives/{financial}/move", {"direction": "up"})

    assert "perspective-edit" not in page
    assert 'id="new-objective"' in page  # a manager adds objectives of their own
    assert renamed.status_code == moved.status_code == 403
    assert _headings(browser.page("/scorecard").text)[1] == "Financial"


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"period": "октябрь", "actual": "1"}, "period", "Введите месяц в виде ГГГГ-ММ."),
    ({"period": "2026-13", "actual": "1"}, "period", "Введите месяц в виде ГГГГ-ММ."),
    ({"period": "2026-10", "actual": "много"}, "actual", "Введите число."),
    ({"period": "2026-10", "actual": "1", "target": "1e99"}, "target", "Введите число."),
])
def test_a_wrong_value_is_refused_next_to_its_field(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session],
    data: dict[str, str], field: str, message: str,
) -> None:
    nps = id_of(sessions, MeasureRow, strategy.companies.acme_id, "nps")
    browser.log_in(grant_manager(sessions), strategy.password)

    response = _post(browser, f"/scorecard/measures/{nps}/values?lang=ru", data)

    assert response.status_code == 422
    assert text_of(response.text, f"{field}-error") == message
    assert _value(sessions, nps, date(2026, 10, 1)) is None


def test_rows_of_another_workspace_are_not_found(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    globex = strategy.companies.globex_id
    secret = id_of(sessions, ObjectiveRow, globex, "globex-secret-objective")
    with sessions() as session:
        link = session.scalar(select(CauseEffectLinkRow.id).where(
            CauseEffectLinkRow.workspace_id == globex))
        perspective = session.scalar(select(PerspectiveRow.id).where(
            PerspectiveRow.workspace_id == globex))
    browser.log_in(strategy.editor, strategy.password)  # owns Acme, only reads Globex

    responses = [
        _post(browser, f"/scorecard/objectives/{secret}/delete"),
        _post(browser, f"/scorecard/links/{link}/delete"),
        _post(browser, f"/scorecard/perspectives/{perspective}/rename", {"name": "Mine"}),
        _post(browser, f"/scorecard/perspectives/{perspective}/move", {"direction": "up"}),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    with sessions() as session:
        assert session.get(ObjectiveRow, secret) is not None
        assert session.get(CauseEffectLinkRow, link) is not None


@pytest.mark.parametrize(("lang", "typed", "saved"), [
    ("en", "1,580", 1580.0),  # an English page writes twelve hundred "1,200" (1.58 before)
    ("ru", "1,58", 1.58),
])
def test_a_value_is_read_as_the_pages_language_writes_it(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session],
    lang: str, typed: str, saved: float,
) -> None:
    nps = id_of(sessions, MeasureRow, strategy.companies.acme_id, "nps")
    browser.log_in(grant_manager(sessions), strategy.password)

    entered = _post(browser, f"/scorecard/measures/{nps}/values?lang={lang}",
                    {"period": "2026-10", "actual": typed})

    assert entered.status_code == 303
    assert _value(sessions, nps, date(2026, 10, 1)).actual == saved
