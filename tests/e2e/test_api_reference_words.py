"""No English word of Swagger UI's own is left on the API reference for a Russian or a
Hungarian reader: the page with an operation open, "Try it out" run (its live response:
URL, body, headers) and the Authorize dialog open, every text and placeholder / aria-label
/ title that Swagger UI writes (not what the OpenAPI document says) is read in Chromium.
The QA pass found "Controls Accept header." in English on the Russian page: a sentence
Swagger UI writes around a <code>, which a word-by-word dictionary never matched."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import RunningServer, WatchedPage

# What the OpenAPI document says, and values rather than words, left as written (the
# selectors of static/js/api-reference.js's SPEC_TEXT, plus the live response's values).
LEFT_AS_WRITTEN = ", ".join([
    ".info", ".markdown", ".renderedMarkdown", ".opblock-tag a", ".opblock-summary-path",
    ".opblock-summary-description", "div.parameter__name", ".parameter__type",
    ".parameter__in", ".json-schema-2020-12__title", "[class*='keyword__value']",
    ".headerline", "pre", "code", "textarea", "option", ".response-col_status",
    ".opblock-summary-method", ".json-schema-2020-12-keyword", ".json-schema-2020-12__attribute",
    ".model-title", ".prop-type", ".servers", ".auth-container h6", ".auth-container code",
    ".scopes", ".response-col_links", ".opblock-summary-operation-id", "input", "select",
    ".request-url", ".curl-command", ".microlight", ".scheme-container label",
])  # fmt: skip

ENGLISH_WORDS = r"""(element) => {
  const left = element.dataset.left;
  const found = [];
  // the reader's words: what the page's dictionary translates Swagger UI's words to
  const theirs = Object.values(JSON.parse(element.dataset.words || "{}"));
  const english = (text) => /[A-Za-z]{2,}/.test(text) && !/[\u0400-\u04FF]/.test(text)
    && !/[áéíóöőúüűÁÉÍÓÖŐÚÜŰ]/.test(text) && !theirs.some((word) => word.includes(text));
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.nodeType === Node.TEXT_NODE) {
      const parent = node.parentElement;
      const text = node.nodeValue.trim();
      if (text && parent && !parent.closest(left) && parent.getClientRects().length
          && english(text)) {
        found.push(text);
      }
    } else if (!node.closest(left)) {
      for (const name of ["placeholder", "aria-label", "title"]) {
        const value = node.getAttribute(name);
        if (value && english(value)) found.push(`${name}=${value}`);
      }
    }
  }
  return [...new Set(found)].sort();
}"""


def english_left(page: Page) -> list[str]:
    root = page.locator("#swagger-ui")
    root.evaluate("(element, left) => { element.dataset.left = left; }", LEFT_AS_WRITTEN)
    found: list[str] = root.evaluate(ENGLISH_WORDS)
    # Names, not words: HTTP headers, the scheme Kano declares, the type of a value, and
    # a path or "get /customers" (an operation's aria-label: its method and path).
    names = {"Accept", "WWW-Authenticate", "(http, Bearer)", "string"}
    return [
        text for text in found if text not in names and "/" not in text and "\u200b" not in text
    ]


def open_everything(page: Page) -> None:
    expect(page.locator("section.models .models-control")).to_be_visible(timeout=30_000)
    operation = page.locator("#operations-customers-list_customers")
    operation.locator(".opblock-summary").click()
    expect(operation.locator(".responses-table")).to_be_visible(timeout=10_000)
    operation.locator(".try-out__btn").click()
    operation.locator(".execute").click()
    expect(operation.locator(".live-responses-table")).to_be_visible(timeout=20_000)
    page.locator(".auth-wrapper .authorize").click()
    expect(page.locator(".dialog-ux .modal-ux")).to_be_visible(timeout=10_000)


@pytest.mark.parametrize("language", ["ru", "hu"])
def test_no_english_word_of_swagger_ui_is_left_for_the_reader(
    kano_server: RunningServer, watched_page: WatchedPage, language: str
) -> None:
    page = watched_page.page
    page.goto(kano_server.url(f"/api/v1/docs?lang={language}"))
    open_everything(page)

    assert english_left(page) == []
    accept = page.locator(".response-control-media-type__accept-message").first
    assert "Accept" in accept.inner_text() and "Controls" not in accept.inner_text()
