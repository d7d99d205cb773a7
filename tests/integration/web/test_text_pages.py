"""The Themes page on the demo company: the analysis's own numbers in the reader's
language, comments escaped, and the CSV export."""

from __future__ import annotations

import csv
import io
import re

import pytest
from starlette.testclient import TestClient

from kano.adapters.warehouse import connect
from kano.adapters.web.labels import TOUCHPOINT_NAMES, journey_names, segment_names
from kano.analytics.text import analyze_comments, negative_themes
from kano.analytics.text.cache import clear_cache
from kano.analytics.text.inputs import load_comments
from kano.app import create_app
from kano.bootstrap import Container
from tests.integration.jobs.test_live_binding import demo_data, live, workspace_id
from tests.integration.web.browsing import Browser

__all__ = ["demo_data", "live"]
ATTACK = '<script>alert("x")</script> The delivery was three days late. Very disappointing.'


@pytest.fixture
def browser(live: Container) -> Browser:
    clear_cache()
    signed_in = Browser(TestClient(create_app(container=live), follow_redirects=False))
    signed_in.log_in("helen.carter@northwind.example", "demo")
    return signed_in


def _direct(live: Container) -> object:
    backend = connect(live.settings.resolved_warehouse_url(), read_only=True)
    try:
        return analyze_comments(load_comments(backend, workspace_id(live.sessions)))
    finally:
        backend.disconnect()


def test_themes_page_shows_the_model_and_the_negative_ranking(
    live: Container, browser: Browser
) -> None:
    page = browser.client.get("/text?by=all&lang=en")

    assert page.status_code == 200, page.text
    analysis = _direct(live)
    accuracy = analysis.model.accuracy  # type: ignore[attr-defined]
    assert f'<strong id="model-accuracy">{accuracy:.3f}</strong>' in page.text
    ranking = negative_themes(analysis)  # type: ignore[arg-type]
    shown = re.findall(r'<tr data-theme="([a-z_]+)"><td>', page.text)
    assert shown == [r.theme for r in ranking[:10]]
    assert 'href="/cx"' in page.text and 'href="/text"' in page.text  # CX link, menu item


def test_themes_page_speaks_russian_and_hungarian(browser: Browser) -> None:
    ru = browser.client.get("/text?lang=ru").text
    assert "Темы в комментариях" in ru and "Доставка" in ru
    hu = browser.client.get("/text?by=segment&lang=hu").text
    assert "Témák a megjegyzésekben" in hu and "Szállítás" in hu


def test_csv_has_one_row_per_group_and_theme(live: Container, browser: Browser) -> None:
    response = browser.client.get("/text.csv?by=touchpoint&lang=en")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    analysis = _direct(live)
    touchpoints = analysis.comments["touchpoint"].nunique()  # type: ignore[attr-defined]
    themes = len(analysis.taxonomy.themes)  # type: ignore[attr-defined]
    assert len(rows) == touchpoints * themes
    assert {"Theme", "Impact (NPS points)", "NPS with the theme", "Impact, interval low",
            "Impact, interval high"} <= set(rows[0])
    with_interval = [r for r in rows if r["Impact, interval low"]]
    assert with_interval
    for row in with_interval:
        low, high = float(row["Impact, interval low"]), float(row["Impact, interval high"])
        assert low < float(row["Impact (NPS points)"]) < high


def test_negative_themes_show_the_impacts_interval_and_mark_the_clear_ones(
    live: Container, browser: Browser
) -> None:
    page = browser.client.get("/text?by=all&lang=en").text

    ranking = negative_themes(_direct(live))  # type: ignore[arg-type]
    shown = re.findall(r'<span class="cell-note impact-ci">\((.+?)…(.+?), n ([\d,]+) / ([\d,]+)\)',
                       page)  # fmt: skip
    want = [r for r in ranking[:10] if r.impact_ci_low is not None]
    assert want and shown

    def number(text: str) -> float:  # "−12", "1,204": a true minus, grouped thousands
        return float(text.replace("\u2212", "-").replace(",", ""))

    assert [(number(a), number(b), number(c), number(d)) for a, b, c, d in shown] == [
        (pytest.approx(round(r.impact_ci_low or 0), abs=0.5),
         pytest.approx(round(r.impact_ci_high or 0), abs=0.5), r.n_nps_with, r.n_nps_without)
        for r in want]  # fmt: skip
    assert page.count('class="number impact significant"') == sum(
        r.impact_significant for r in ranking[:10])
    assert 'id="impact-note"' in page
    ru = browser.client.get("/text?by=all&lang=ru").text
    assert "95-процентный интервал" in ru


def test_a_comment_with_markup_is_shown_as_text(live: Container, browser: Browser) -> None:
    url = live.settings.resolved_warehouse_url()
    backend = connect(url)
    try:
        backend.raw_sql(
            "INSERT INTO responses (workspace_id, response_id, survey_id, customer_id, "
            "touchpoint_id, channel, submitted_at, nps, comment, language) "
            "SELECT workspace_id, 0, survey_id, customer_id, touchpoint_id, channel, "
            "submitted_at, 0, ?, 'en' FROM responses WHERE comment IS NOT NULL "
            "ORDER BY response_id LIMIT 1", parameters=[ATTACK])
    finally:
        backend.disconnect()
    try:
        page = browser.client.get("/text?by=all&lang=en").text

        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; The delivery" in page
    finally:
        backend = connect(url)
        try:
            backend.raw_sql("DELETE FROM responses WHERE response_id = 0")
        finally:
            backend.disconnect()



@pytest.mark.parametrize("language", ["en", "ru"])
def test_touchpoints_and_segments_are_shown_by_their_names(
    live: Container, browser: Browser, language: str
) -> None:
    """The QA pass read 'renewal-email' and 'delivery-field' on the Russian Themes page."""
    with live.sessions() as session:
        ws = workspace_id(live.sessions)
        touchpoints = journey_names(session, ws)[TOUCHPOINT_NAMES]
        segments = segment_names(session, ws)
    by_touchpoint = browser.client.get(f"/text?by=touchpoint&lang={language}").text
    by_segment = browser.client.get(f"/text?by=segment&lang={language}").text

    cells = set(re.findall(r"<t[dh][^>]*>([^<]*)</t[dh]>", by_touchpoint))
    assert touchpoints["renewal-email"] in cells and touchpoints["delivery-field"] in cells
    assert not set(touchpoints) & cells, "a touchpoint key shown as itself"
    cells = set(re.findall(r"<t[dh][^>]*>([^<]*)</t[dh]>", by_segment))
    assert segments["key_account"] in cells and not set(segments) & cells
    rows = list(csv.DictReader(io.StringIO(
        browser.client.get(f"/text.csv?by=touchpoint&lang={language}").content.decode("utf-8-sig"))))
    named = {(row["Group"] if language == "en" else row["Группа"],
              row["Name"] if language == "en" else row["Название"]) for row in rows}
    assert ("renewal-email", touchpoints["renewal-email"]) in named
    # Every column titled in the page's language: "n_nps_with" stood among "NPS с темой".
    assert rows and not [title for title in rows[0] if re.search(r"[a-z]_[a-z]", title)]
