"""The widget's code is cached for a year under a content-hashed URL, while the snippet
users pasted (``/s/<survey>/widget.js?t=…``) keeps working: it answers a small loader with
the survey's settings, cached one minute, which loads the code once per page — on a real
``kano serve`` and in Chromium, two pasted snippets on one page of another site."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Request, expect

from tests.e2e.conftest import RunningServer
from tests.e2e.test_public_survey import _host_page, survey_link  # noqa: F401

pytestmark = pytest.mark.browser

CODE = Path("src/kano/adapters/web/static/js/survey-widget.js")
CODE_URL = re.compile(r'code\.src = "(http://[^"]+/widget/([0-9a-f]{16})\.js)"')


def test_the_code_is_immutable_under_its_hash_and_the_loader_is_short_lived(
    survey_link: str,  # noqa: F811 - the fixture imported above
    kano_server: RunningServer,
) -> None:
    loader = httpx.get(kano_server.url(survey_link.replace("?", "/widget.js?", 1)))
    assert loader.status_code == 200
    assert loader.headers["cache-control"] == "public, max-age=60"
    assert loader.headers["content-type"].startswith("text/javascript")
    assert "How likely are you to recommend us" in loader.text  # the survey's settings
    found = CODE_URL.search(loader.text)
    assert found is not None, loader.text
    url, digest = found.groups()
    assert digest == hashlib.sha256(CODE.read_bytes()).hexdigest()[:16]

    code = httpx.get(url)
    assert code.status_code == 200
    assert code.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert code.headers["cross-origin-resource-policy"] == "cross-origin"
    assert code.headers["content-type"].startswith("text/javascript")
    assert code.content == CODE.read_bytes()
    assert "__KANO_CONFIG__" not in code.text  # one file for every survey and respondent
    # a loader cached just before an upgrade names the old digest: it still gets code,
    # but not for a year
    old = httpx.get(url.replace(digest, "0" * 16))
    assert old.status_code == 200 and old.content == code.content
    assert old.headers["cache-control"] == "public, max-age=60"


def test_two_snippets_pasted_before_still_draw_their_widgets_from_one_download(
    survey_link: str,  # noqa: F811 - the fixture imported above
    kano_server: RunningServer, chromium: Browser,
) -> None:
    snippet = kano_server.url(survey_link.replace("?", "/widget.js?", 1))
    host = ('<!doctype html><html><head><meta charset="utf-8"></head><body><h1>Shop</h1>'
            '<div id="kano-en"></div><div id="kano-hu"></div>'
            f'<script src="{snippet}&lang=en" data-kano-target="kano-en" async></script>'
            f'<script src="{snippet}&lang=hu" data-kano-target="kano-hu" async></script>'
            '</body></html>')
    context = chromium.new_context(viewport={"width": 800, "height": 900})
    try:
        page = context.new_page()
        problems: list[str] = []
        code_requests: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))

        def note(request: Request) -> None:
            if "/widget/" in request.url:
                code_requests.append(request.url)

        page.on("request", note)
        with _host_page(host) as shop:
            page.goto(shop)
            english = page.locator("#kano-en form.kano-widget")
            hungarian = page.locator("#kano-hu form.kano-widget")
            expect(english).to_contain_text("How likely are you to recommend us")
            expect(hungarian).to_contain_text("Mennyire valószínű")
            expect(page.locator("form.kano-widget")).to_have_count(2)
            assert len(code_requests) == 1, code_requests

            english.get_by_role("radio", name="9").check()
            with page.expect_response(re.compile(r"/widget$")) as answered:
                english.get_by_role("button", name="Send my answers").click()
            assert answered.value.status == 201
            expect(english).to_have_text("Thank you!")
            expect(hungarian.get_by_role("radio")).to_have_count(11)
        assert problems == []
    finally:
        context.close()
