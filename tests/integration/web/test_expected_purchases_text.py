"""The expected purchases of a customer read as a manager reads them, to one decimal
("2.4", "< 0.1", not "2.45" / "0.03"), the same on the CLV page, the customer 360 and the
CLV file."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from kano.adapters.web.formatting import NumberFormats
from kano.analytics.value import views
from kano.bootstrap import Container
from tests.integration.jobs.test_live_binding import demo_data, live, workspace_id
from tests.integration.web.browsing import Browser
from tests.integration.web.demo_session import backend, browser

__all__ = ["backend", "browser", "demo_data", "live"]


def test_expected_purchases_read_to_one_decimal_on_every_page_and_file(
    live: Container, browser: Browser, backend: Any
) -> None:
    customers = views.clv_view(backend, workspace_id(live.sessions)).customers
    english, hungarian = NumberFormats("en"), NumberFormats("hu")

    page = browser.client.get("/value/clv?lang=en").text
    table = page[page.index('<table id="clv-customers">') :]
    table = table[: table.index("</table>")]
    cells = re.findall(
        r'<td class="number">[^<]*</td><td class="number">([^<]*)</td>'
        r'<td class="number">[^<]*</td><td class="number">[^<]*</td></tr>',
        table,
    )
    assert cells
    assert all(re.fullmatch(r"(< )?\d+\.\d", cell) for cell in cells), cells[:10]

    for customer in (customers[0], customers[-1]):
        profile = browser.client.get(f"/customers/{customer['customer_id']}?lang=hu").text
        detail = re.search(r'<p id="customer-clv-detail">([^<]*)</p>', profile)
        assert detail, profile
        said = hungarian.expected_count(float(customer["expected_purchases"]))
        assert re.fullmatch(r"(< )?\d+,\d", said)
        assert f": {said};" in detail.group(1)

    exported_file = browser.page("/value/clv.csv?lang=en").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported_file)))
    column = rows[0].index("Expected purchases")
    exported = [row[column] for row in rows[1:]]
    assert exported and all(re.fullmatch(r"\d+\.\d", value) for value in exported), exported[:10]
    assert english.expected_count(0.03) == "< 0.1" and english.expected_count(2.449) == "2.4"
