"""The words of the API reference page (/api/v1/docs, ``kano.adapters.api.reference``).

Swagger UI knows English only; these are its own words as it renders them (a text, a
placeholder, an aria-label or a title), each also the msgid of its translation, so
static/js/api-reference.js can put the reader's words in their place. Marked with ``N_``
here, in the web package, so ``pybabel extract -F babel.cfg`` (and the catalogue test)
finds them. After a Swagger UI upgrade a word it renamed simply shows in English again:
add the new one here and to the catalogues.
"""

from __future__ import annotations

from kano.adapters.web.routes.navigation import N_

PAGE_TITLE = N_("Kano API reference")
NEEDS_JAVASCRIPT = N_("The API reference needs JavaScript. The OpenAPI document is at:")

SWAGGER_UI_WORDS: tuple[str, ...] = (
    # the page, the filter and the Schemas section
    N_("Servers"), N_("Authorize"), N_("Schemas"), N_("Expand all"), N_("Collapse all"),
    N_("Filter by tag or path"), N_("Collapse operation"), N_("Expand operation"),
    N_("Copy path to clipboard"),
    # an operation: parameters and request body
    N_("Parameters"), N_("No parameters"), N_("Try it out"), N_("Cancel"), N_("Execute"),
    N_("Clear"), N_("Reset"), N_("Name"), N_("Description"), N_("Type"), N_("required"),
    N_("Available values"), N_("Default value"), N_("Send empty value"), N_("Request body"),
    N_("Example Value"), N_("Schema"), N_("Edit Value"), N_("Request content type"),
    # its responses, documented and live
    N_("Responses"), N_("Code"), N_("Details"), N_("Links"), N_("No links"),
    N_("Media type"), N_("Media Type"), N_("Headers:"), N_("Undocumented"), N_("Curl"),
    N_("Request URL"), N_("Request duration"), N_("Server response"), N_("Response body"),
    N_("Response headers"), N_("Download"), N_("Loading..."),
    N_("Copy cURL command to clipboard"), N_("Copy code to clipboard"),
    # a sentence around a <code> (static/js/api-reference.js, SENTENCES_AROUND_CODE)
    N_("Controls Accept header."),
    # the Authorize dialog
    N_("Available authorizations"), N_("Value:"), N_("Authorized"), N_("Logout"),
    N_("Close"), N_("Apply credentials"),
    # the lock of each operation (an aria-label), open until the reader authorizes
    N_("authorization button unlocked"), N_("authorization button locked"),
)  # fmt: skip
