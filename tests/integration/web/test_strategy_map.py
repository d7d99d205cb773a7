"""The strategy map: the SVG parsed back (no overlap, every box in its band, every objective
and link present), keyboard and text alternatives, session or bearer-token access, PNG and
PDF files, on the example strategy and on random maps of up to 30 objectives."""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date

import pytest
from babel.dates import format_date
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import LinkTestRow, ObjectiveRow, ScorecardRow, Workspace
from kano.adapters.db.views.scorecard import (
    LinkLine,
    ObjectiveLine,
    PerspectiveLine,
    ScorecardChoice,
    ScorecardView,
    choose_scorecard,
    list_scorecards,
)
from kano.adapters.web.i18n import load_translations
from kano.adapters.web.routes.strategy_map import strategy_map_svg
from kano.adapters.web.strategy_formats import StrategyFormats
from kano.domain.shared.scores import Status, status_of_score
from kano.domain.workspaces import Scope
from tests.integration.web.browsing import Browser, text_of
from tests.integration.web.exported_files import pdf_pages, pdf_words
from tests.integration.web.seed import SeededCompanies
from tests.integration.web.strategy_seed import SECRET, SeededStrategy, seed_strategy

SVG = "{http://www.w3.org/2000/svg}"
EXAMPLE_OBJECTIVES = {
    "easy-to-work-with", "keep-customers", "grow-revenue", "healthy-margin",
    "first-contact-resolution", "deliver-on-time", "fast-onboarding", "engaged-people",
    "service-skills",
}
EXAMPLE_LINKS = {
    ("engaged-people", "first-contact-resolution"), ("service-skills", "first-contact-resolution"),
    ("first-contact-resolution", "easy-to-work-with"), ("deliver-on-time", "keep-customers"),
    ("easy-to-work-with", "keep-customers"), ("keep-customers", "grow-revenue"),
}


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float

    @classmethod
    def of(cls, element: ET.Element) -> Rect:
        return cls(*(float(element.attrib[a]) for a in ("x", "y", "width", "height")))

    def overlaps(self, other: Rect) -> bool:
        return (self.x < other.x + other.width and other.x < self.x + self.width
                and self.y < other.y + other.height and other.y < self.y + self.height)

    def contains(self, other: Rect) -> bool:
        return (self.x <= other.x and other.x + other.width <= self.x + self.width
                and self.y <= other.y and other.y + other.height <= self.y + self.height)

    def on_edge(self, x: float, y: float) -> bool:
        inside_x = self.x - 0.05 <= x <= self.x + self.width + 0.05
        inside_y = self.y - 0.05 <= y <= self.y + self.height + 0.05
        on_x = min(abs(x - self.x), abs(x - self.x - self.width)) < 0.05
        on_y = min(abs(y - self.y), abs(y - self.y - self.height)) < 0.05
        return inside_x and inside_y and (on_x or on_y)


@dataclass(frozen=True)
class ParsedMap:
    root: ET.Element
    bands: dict[str, Rect]
    boxes: dict[str, tuple[str, Rect]]  # objective key → (perspective, box)
    links: set[tuple[str, str]]


def parse_map(svg: str | bytes) -> ParsedMap:
    """Read the map back as a reader's tool would: bands, boxes, links, and check the
    geometry: no two boxes overlap, each box lies inside its own band, arrows start and end
    on the edges of their boxes."""
    root = ET.fromstring(svg)
    bands = {r.attrib["data-perspective"]: Rect.of(r) for r in root.iter(f"{SVG}rect")
             if r.attrib.get("class") == "band"}
    boxes: dict[str, Rect] = {}
    for link in root.iter(f"{SVG}a"):
        rect = next(r for r in link.iter(f"{SVG}rect") if r.attrib.get("class") == "objective-box")
        boxes[link.attrib["data-objective"]] = Rect.of(rect)
    perspective_of = {}
    for key, box in boxes.items():
        holders = [band for band, rect in bands.items() if rect.contains(box)]
        assert len(holders) == 1, f"box {key!r} lies in bands {holders}"
        perspective_of[key] = holders[0]
    keys = list(boxes)
    for i, first in enumerate(keys):
        for second in keys[i + 1:]:
            assert not boxes[first].overlaps(boxes[second]), (first, second)
    links = set()
    for group in root.iter(f"{SVG}g"):
        if group.attrib.get("class") == "map-link":
            cause, effect = group.attrib["data-cause"], group.attrib["data-effect"]
            numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?",
                                                    group.find(f"{SVG}path").attrib["d"])]
            assert boxes[cause].on_edge(numbers[0], numbers[1]), (cause, numbers[:2])
            assert boxes[effect].on_edge(numbers[-2], numbers[-1]), (effect, numbers[-2:])
            links.add((cause, effect))
    return ParsedMap(root, bands, {k: (perspective_of[k], b) for k, b in boxes.items()}, links)


@pytest.fixture
def strategy(sessions: sessionmaker[Session], companies: SeededCompanies) -> SeededStrategy:
    return seed_strategy(sessions, companies)


def test_example_map_has_every_objective_in_its_band_and_every_link(
    browser: Browser, strategy: SeededStrategy
) -> None:
    browser.log_in(strategy.editor, strategy.password)

    response = browser.page("/strategy/map.svg")

    assert response.headers["content-type"] == "image/svg+xml"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    parsed = parse_map(response.content)
    assert set(parsed.boxes) == EXAMPLE_OBJECTIVES
    assert parsed.links == EXAMPLE_LINKS
    assert list(parsed.bands) == ["customer", "financial", "process", "learning"]
    assert parsed.boxes["service-skills"][0] == "learning"
    assert parsed.boxes["grow-revenue"][0] == "financial"


def test_every_box_is_a_focusable_link_with_a_text_alternative(
    browser: Browser, strategy: SeededStrategy
) -> None:
    browser.log_in(strategy.editor, strategy.password)

    root = parse_map(browser.page("/strategy/map.svg?lang=ru").content).root

    assert root.find(f"{SVG}title").text == "Стратегическая карта: Acme company scorecard"
    assert "Причинно-следственных связей: 6." in root.find(f"{SVG}desc").text
    for link in root.iter(f"{SVG}a"):
        assert re.fullmatch(r"/scorecard/objectives/\d+", link.attrib["href"])
        assert link.attrib["tabindex"] == "0"
        assert link.find(f"{SVG}title").text
    easy = next(a for a in root.iter(f"{SVG}a") if a.attrib["data-objective"] ==
                "easy-to-work-with")
    assert easy.attrib["aria-label"] == (
        "Be easy to work with. Перспектива: Customer. В норме, оценка 6,9 из 10.")
    titles = [g.find(f"{SVG}title").text for g in root.iter(f"{SVG}g")
              if g.attrib.get("class") == "map-link"]
    assert "Keep the customers we have влияет на Grow profitable revenue · задержка в месяцах: 6" \
        in titles


def test_map_page_inlines_the_map_with_downloads_and_the_map_as_text(
    browser: Browser, strategy: SeededStrategy
) -> None:
    browser.log_in(strategy.editor, strategy.password)

    page = browser.page("/strategy/map").text

    assert '<svg xmlns="http://www.w3.org/2000/svg" class="strategy-map-svg"' in page
    for kind in ("svg", "png", "pdf"):
        assert f'href="/strategy/map.{kind}?scorecard=company"' in page
    assert text_of(page, "map-links-as-text").startswith(
        "Engaged, capable people drives Solve problems at the first contact: Engaged agents")
    assert SECRET not in page


def test_the_cascaded_scorecard_has_its_own_map(browser: Browser, strategy: SeededStrategy
                                                ) -> None:
    browser.log_in(strategy.editor, strategy.password)

    parsed = parse_map(browser.page("/strategy/map.svg?scorecard=service").content)

    assert set(parsed.boxes) == {"service-effortless", "answer-fast"}
    assert parsed.links == {("answer-fast", "service-effortless")}


def _token(sessions: sessionmaker[Session], slug: str, scope: Scope) -> str:
    with transaction(sessions) as session:
        workspace = accounts.get_workspace(session, slug)
        return accounts.create_api_token(session, workspace, scope).token


@pytest.mark.parametrize("scope", [Scope.READ, Scope.WRITE])
def test_an_api_token_reads_the_map_of_its_own_workspace(
    client: TestClient, strategy: SeededStrategy, sessions: sessionmaker[Session], scope: Scope
) -> None:
    acme, globex = _token(sessions, "acme", scope), _token(sessions, "globex", Scope.READ)

    mine = client.get("/strategy/map.svg", headers={"Authorization": f"Bearer {acme}"})
    theirs = client.get("/strategy/map.svg", headers={"Authorization": f"Bearer {globex}"})

    assert mine.status_code == 200 and set(parse_map(mine.content).boxes) == EXAMPLE_OBJECTIVES
    assert SECRET.encode() not in mine.content
    assert set(parse_map(theirs.content).boxes) == {"globex-secret-objective",
                                                    "globex-secret-cause"}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer kano_not-a-real-token"},
                                     {"Authorization": "Basic YWxpY2U6c2VjcmV0"}])
@pytest.mark.parametrize("kind", ["svg", "png", "pdf"])
def test_map_files_need_a_session_or_a_valid_token(
    client: TestClient, strategy: SeededStrategy, headers: dict[str, str], kind: str
) -> None:
    response = client.get(f"/strategy/map.{kind}", headers=headers)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="kano"')


def test_png_and_pdf_are_real_files_of_the_map(browser: Browser, strategy: SeededStrategy
                                               ) -> None:
    browser.log_in(strategy.editor, strategy.password)
    svg = ET.fromstring(browser.page("/strategy/map.svg").content)

    png = browser.page("/strategy/map.png").content
    pdf = browser.page("/strategy/map.pdf?lang=hu").content

    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (2 * int(float(svg.attrib["width"])),
                               2 * int(float(svg.attrib["height"])))
    assert pdf.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) == 1


def test_the_pdf_map_is_titled_with_its_scorecard_workspace_and_day(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    browser.log_in(strategy.editor, strategy.password)
    svg = ET.fromstring(browser.page("/strategy/map.svg?lang=en").content)
    pdf = browser.page("/strategy/map.pdf?lang=en").content
    with sessions() as db:
        workspace = db.get(Workspace, strategy.companies.acme_id)
        assert workspace is not None
        chosen = choose_scorecard(list_scorecards(db, workspace.id), None)
        assert chosen is not None
        names = (chosen.name, workspace.name)

    words = pdf_words(pdf)
    expected = ["Strategy", "map:", *names[0].split(), *names[1].split(), "·",
                *format_date(date.today(), format="medium", locale="en").split()]  # fmt: skip
    assert words[: len(expected)] == expected, words[:20]
    box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", pdf)
    assert box is not None  # the title is a band above the whole map, not over it
    map_height = float(svg.attrib["height"]) * 0.75  # px → pt
    assert float(box.group(2)) > map_height + 40
    assert pdf_pages(pdf) == 1


def test_a_workspace_without_scorecard_has_no_map_file(
    client: TestClient, sessions: sessionmaker[Session], companies: SeededCompanies
) -> None:
    token = _token(sessions, "acme", Scope.READ)

    response = client.get("/strategy/map.svg", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 404


def _store_arrow_tests(sessions: sessionmaker[Session]) -> None:
    """What a refresh stores for three of Acme's arrows (``jobs.link_tests``): a team-month
    link after a month, one response against its own contact (no lag), an order-grain link
    after 90 days that the data contradict, and a proposal without enough observations."""
    with transaction(sessions) as session:
        acme = accounts.get_workspace(session, "acme")
        card = session.scalar(select(ScorecardRow.id).where(
            ScorecardRow.workspace_id == acme.id, ScorecardRow.key == "company"))
        ids = dict(session.execute(select(ObjectiveRow.key, ObjectiveRow.id).where(
            ObjectiveRow.workspace_id == acme.id)).all())  # fmt: skip
        tested = [
            ("engaged-people", "first-contact-resolution", "supported", "engagement",
             "first_contact_resolution", "1M", (0.0523, 0.0311, 0.0735), 96,
             "OLS within teams, net of month effects, team-clustered 95 % CI"),
            ("first-contact-resolution", "easy-to-work-with", "supported",
             "first_contact_resolution", "ces", "0", (-0.83, -1.1, -0.56), 1455,
             "OLS at response grain, customer-clustered 95 % CI"),
            ("deliver-on-time", "keep-customers", "wrong sign", "delivery_delay_days",
             "churn_rate", "90D", (-0.0123, -0.0201, -0.0048), 2310,
             "OLS at order grain, customer-clustered 95 % CI"),
        ]  # fmt: skip
        for cause, effect, verdict, cause_metric, effect_metric, lag, (b, low, high), n, how \
                in tested:
            session.add(LinkTestRow(
                workspace_id=acme.id, scorecard_id=card, cause_id=ids[cause],
                effect_id=ids[effect], proposed=False, verdict=verdict, cause_measure=cause,
                effect_measure=effect, cause_metric=cause_metric, effect_metric=effect_metric,
                lag=lag, estimate=b, ci_low=low, ci_high=high, standardized=0.3, n=n,
                method=how))  # fmt: skip
        session.add(LinkTestRow(
            workspace_id=acme.id, scorecard_id=card, cause_id=ids["fast-onboarding"],
            effect_id=ids["grow-revenue"], proposed=True, verdict="too few observations",
            n=12))  # fmt: skip


# The tested arrows as the linkage page reads a link: a step of the cause, the effect in its
# own unit, the interval, the lag in words, n, and how a team-month link was estimated.
ARROW_EVIDENCE = {
    "en": {
        ("engaged-people", "first-contact-resolution"):
            "supported by the data: Team engagement (1–5) +1 point → First-contact resolution "
            "+5.2 pp (95 % CI 3.1 … 7.4), after 1 month, n = 96, within teams, net of month "
            "effects",
        ("first-contact-resolution", "easy-to-work-with"):
            "supported by the data: First-contact resolution +10 pp → CES (1–7) −0.083 points "
            "(95 % CI −0.110 … −0.056), no lag, n = 1,455",
        ("deliver-on-time", "keep-customers"):
            "the data show the opposite effect: Delivery delay +1 day → Churn rate −1.2 pp "
            "(95 % CI −2.0 … −0.5), after 90 days, n = 2,310",
    },
    "ru": {
        ("engaged-people", "first-contact-resolution"):
            "подтверждено данными: Вовлечённость команды (1–5) +1 балл → Решение с первого "
            "обращения +5,2 п. п. (95 % ДИ 3,1 … 7,4), через 1 месяц, n = 96, внутри команд, "
            "за вычетом эффектов месяца",
        ("first-contact-resolution", "easy-to-work-with"):
            "подтверждено данными: Решение с первого обращения +10 п. п. → CES (1–7) −0,083 "
            "балла (95 % ДИ −0,110 … −0,056), без лага, n = 1\u00a0455",
        ("deliver-on-time", "keep-customers"):
            "данные показывают обратное влияние: Задержка доставки +1 день → Доля ушедших "
            "клиентов −1,2 п. п. (95 % ДИ −2,0 … −0,5), через 90 дней, n = 2\u00a0310",
    },
    "hu": {
        ("first-contact-resolution", "easy-to-work-with"):
            "az adatok alátámasztják: Első kapcsolatfelvételre megoldott ügyek +10 "
            "százalékpont → CES (1–7) −0,083 pont (95 % CI: −0,110 … −0,056), késleltetés "
            "nélkül, n = 1\u00a0455",
    },
}


@pytest.mark.parametrize("language", ["en", "ru", "hu"])
def test_tested_arrows_read_per_step_of_the_cause_in_the_effects_unit(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session], language: str
) -> None:
    """The map's tooltips, its side panel of evidence and the map file say each arrow's
    effect as the linkage page does; they said "Delivery delay (days) changes by −0.0123
    per unit of …" (a raw slope per unit of the cause)."""
    _store_arrow_tests(sessions)
    browser.log_in(strategy.editor, strategy.password)

    page = browser.page(f"/strategy/map?lang={language}").text
    root = ET.fromstring(re.search(r"<svg .*?</svg>", page, re.S).group(0))
    tooltips = {(g.attrib["data-cause"], g.attrib["data-effect"]): g.find(f"{SVG}title").text
                for g in root.iter(f"{SVG}g") if g.attrib.get("class") == "map-link"}
    panel = text_of(page, "map-evidence")
    file_root = ET.fromstring(browser.page(f"/strategy/map.svg?lang={language}").content)
    file_tooltips = [g.find(f"{SVG}title").text for g in file_root.iter(f"{SVG}g")
                     if g.attrib.get("class") == "map-link"]

    for arrow, evidence in ARROW_EVIDENCE[language].items():
        assert tooltips[arrow].endswith(" · " + evidence), tooltips[arrow]
        assert " ".join(evidence.split()) in panel  # text_of writes a no-break space as one
        assert any(t.endswith(" · " + evidence) for t in file_tooltips)
    for slope in ("per unit", "на единицу", "egységenként", "0.0123", "0,0123"):
        assert slope not in page
    assert load_translations(language).gettext(
        "Each effect is stated per step of its cause (1 day, 10 minutes, 60 seconds, 1 point "
        "of a score's answer scale, 10 percentage points of a share, 1 order) in the effect's "
        "own unit, as on the linkage page.") in panel.replace("\u00a0", " ")
    proposals = text_of(page, "map-proposals")
    assert proposals.endswith(load_translations(language).gettext(
        "too few observations to test"))


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_objective_page_gives_the_evidence_of_its_tested_arrows(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session], language: str
) -> None:
    """An objective's "Cause and effect" says, under each arrow the data tested, what the
    map says: the arrow into it (driven by) and the arrow out of it (drives)."""
    _store_arrow_tests(sessions)
    browser.log_in(strategy.editor, strategy.password)
    with sessions() as session:
        ids = dict(session.execute(select(ObjectiveRow.key, ObjectiveRow.id)).all())

    page = browser.page(f"/scorecard/objectives/{ids['first-contact-resolution']}"
                        f"?lang={language}").text
    untested = browser.page(f"/scorecard/objectives/{ids['grow-revenue']}?lang={language}").text

    driven_by, drives = text_of(page, "causes"), text_of(page, "effects")
    evidence = ARROW_EVIDENCE[language]
    into = evidence[("engaged-people", "first-contact-resolution")]
    assert " ".join(into.split()) in driven_by
    out_of = " ".join(evidence[("first-contact-resolution", "easy-to-work-with")].split())
    assert out_of in drives and out_of not in driven_by
    assert page.count('class="hypothesis link-evidence"') == 2
    assert 'class="hypothesis link-evidence"' not in untested


# Random maps: any titles, 1–5 perspectives, up to 30 objectives, any links between them.

def _objective(index: int, title: str, perspective_id: int, score: float | None
               ) -> ObjectiveLine:
    return ObjectiveLine(
        id=index, key=f"objective-{index}", title=title, perspective_id=perspective_id,
        customer_voice=None, description=None, owner=None, aligned_to_id=None, measures=(),
        score=score, status=status_of_score(score),
    )


@st.composite
def scorecards(draw: st.DrawFn) -> ScorecardView:
    perspectives = draw(st.integers(1, 5))
    count = draw(st.integers(0, 30))
    titles = st.text(max_size=120)
    scores = st.one_of(st.none(), st.floats(0, 10))
    placed = [draw(st.integers(0, perspectives - 1)) for _ in range(count)]
    objectives = [_objective(i, draw(titles), placed[i], draw(scores)) for i in range(count)]
    lines = tuple(
        PerspectiveLine(p, f"perspective-{p}", draw(st.text(max_size=40)),
                        tuple(o for o in objectives if o.perspective_id == p), None,
                        Status.NO_DATA)
        for p in range(perspectives)
    )
    pairs = draw(st.lists(st.tuples(st.integers(0, max(count - 1, 0)),
                                    st.integers(0, max(count - 1, 0))), max_size=45)
                 ) if count else []
    links = tuple(LinkLine(n, a, b, draw(st.none() | st.text(max_size=60)), 0)
                  for n, (a, b) in enumerate(dict.fromkeys(pairs)) if a != b)
    return ScorecardView(ScorecardChoice(1, "random", "Random", "company"), lines, links, None,
                         Status.NO_DATA)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(view=scorecards())
def test_random_maps_keep_boxes_apart_and_inside_their_bands(view: ScorecardView) -> None:
    svg = strategy_map_svg(view, lambda message: message, StrategyFormats("en"))

    parsed = parse_map(svg)

    assert set(parsed.boxes) == {o.key for o in view.objectives}
    for perspective in view.perspectives:
        for objective in perspective.objectives:
            assert parsed.boxes[objective.key][0] == perspective.key
    assert parsed.links == {(f"objective-{link.cause_id}", f"objective-{link.effect_id}")
                            for link in view.links}
