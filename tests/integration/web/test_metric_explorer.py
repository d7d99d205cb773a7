"""The metric explorer pages: the catalogue by layer, one metric sliced and charted, the
downloads, in each language, on a real DuckDB warehouse holding two demo companies
(seed 1 as Acme, seed 2 as Globex)."""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from html import unescape
from io import BytesIO, StringIO
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import CustomMetricRow, ProductRow, Segment, Survey, Workspace
from kano.adapters.warehouse import connect
from kano.adapters.web.charts import money_axis
from kano.config import Settings
from kano.metrics import Metric, built_in_catalogue
from kano.metrics.data_window import default_period
from tests.integration.metric_warehouse import DemoWarehouseFiles, engine_rows
from tests.integration.web.browsing import Browser, text_of
from tests.integration.web.seed import SeededCompanies

CATALOGUE = built_in_catalogue()
NPS = CATALOGUE.get("nps")
MINUS = "\u2212"


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> DemoWarehouseFiles:
    return DemoWarehouseFiles(tmp_path_factory.mktemp("metric-web-warehouses"))


@pytest.fixture
def warehouse(
    settings: Settings, demo_files: DemoWarehouseFiles, companies: SeededCompanies
) -> str:
    return demo_files.install(settings.resolved_warehouse_url(),
                              {companies.acme_id: 1, companies.globex_id: 2})


@pytest.fixture
def alice(browser: Browser, companies: SeededCompanies) -> Browser:
    """Alice, an analyst of Acme, logged in."""
    browser.log_in(companies.alice, companies.password)
    return browser


def chart_of(page: str) -> dict[str, Any]:
    match = re.search(
        r'<script type="application/json" id="metric-chart-spec">(.*?)</script>', page, re.S
    )
    assert match, "the page has no chart spec"
    spec: dict[str, Any] = json.loads(match.group(1))
    return spec


def opened_on(url: str, metric: Metric, workspace_id: int, by: list[str]) -> Any:
    """The period the page opens ``metric`` by ``by`` on without one (an order-history
    metric over time: the data window, ``kano.metrics.data_window``)."""
    backend = connect(url, read_only=True)
    try:
        return default_period(backend, metric, workspace_id, by, None)
    finally:
        backend.disconnect()


def table_rows(page: str) -> list[list[str]]:
    table = page[page.index('<table id="metric-table">'):]
    body = table[table.index("<tbody>"):table.index("</tbody>")]
    return [
        [" ".join(unescape(re.sub(r"<[^>]+>", " ", cell)).split())
         for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_viewer_without_login_is_sent_to_the_login_page(client: Any) -> None:
    response = client.get("/metrics/nps?grain=month")

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fmetrics%2Fnps%3Fgrain%3Dmonth"


@pytest.mark.parametrize(("language", "heading", "nps_name", "better"), [
    ("en", "Metrics explorer", "Net Promoter Score", "Higher is better"),
    ("ru", "Обозреватель метрик", "Индекс потребительской лояльности (NPS)",
     "Чем больше, тем лучше"),
    ("hu", "Mutatóböngésző", "Nettó ajánlói pontszám (NPS)", "A nagyobb a jobb"),
])
def test_catalogue_lists_every_metric_by_layer_in_each_language(
    alice: Browser, language: str, heading: str, nps_name: str, better: str
) -> None:
    page = alice.page(f"/metrics?lang={language}").text

    assert f"<h1>{heading}</h1>" in page
    assert page.count('<section class="card metric-layer"') == 5
    for metric in CATALOGUE:
        assert f'<a href="/metrics/{metric.id}">' in page
    assert nps_name in text_of(page, "metric-nps") and better in text_of(page, "metric-nps")


def test_custom_metrics_of_the_workspace_are_explored_too(
    alice: Browser, companies: SeededCompanies, sessions: sessionmaker[Session], warehouse: str
) -> None:
    with transaction(sessions) as session:
        session.add(CustomMetricRow(
            workspace_id=companies.acme_id, key="big_order_share", position=0, definition={
                "id": "big_order_share", "name": "Big orders", "layer": "TX", "unit": "%",
                "direction": "higher", "source": "transactions", "aggregate": "share",
                "condition": "amount > 1000"}))

    catalogue = alice.page("/metrics").text
    page = alice.page("/metrics/big_order_share?grain=quarter").text

    assert "custom metric" in text_of(catalogue, "metric-big_order_share")
    assert "<h1>Big orders</h1>" in page and table_rows(page)


def test_metric_chooser_opens_the_chosen_metric(alice: Browser) -> None:
    response = alice.client.get("/metrics?metric=csat")

    assert response.status_code == 303
    assert response.headers["location"] == "/metrics/csat"


@pytest.mark.parametrize(("language", "month_heading", "value_heading"), [
    ("en", "Month", "Value (points)"),
    ("ru", "Месяц", "Значение (пункты)"),
    ("hu", "Hónap", "Érték (pont)"),
])
def test_explorer_shows_the_table_and_a_line_chart_with_the_interval_band(
    alice: Browser, companies: SeededCompanies, warehouse: str, language: str,
    month_heading: str, value_heading: str,
) -> None:
    page = alice.page(f"/metrics/nps?grain=month&by=segment&lang={language}").text

    expected = engine_rows(warehouse, NPS, companies.acme_id, by=["month", "segment"])
    rows = table_rows(page)
    assert len(rows) == len(expected)
    assert [row[1] for row in rows] == [r.key("segment") for r in expected]
    november_word = {"en": "Nov", "ru": "нояб.", "hu": "nov."}[language]
    written = [row[0].replace("\u202f", " ") for row in rows]  # CLDR's narrow space in "г."
    november = [row for row, r in zip(written, expected, strict=True)
                if str(r.key("month")).endswith("-11")]
    assert november and all(november_word in month for month in november), written
    assert not [month for month in written if re.fullmatch(r"\d{4}-\d\d", month)], written
    assert [row[4].replace("\u00a0", "").replace(",", "") for row in rows] == [
        str(r.n) for r in expected]
    headings = re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', page)
    assert (headings[0], headings[2]) == (month_heading, value_heading)
    spec = chart_of(page)
    band, line = spec["layer"]
    assert (band["mark"]["type"], line["mark"]["type"]) == ("area", "line")
    assert band["encoding"]["y2"] == {"field": "high"}
    assert line["encoding"]["color"]["field"] == "series"
    assert len(line["data"]["values"]) == len(expected)
    assert 'role="img"' in page and "95" in text_of(page, "metric-result")
    assert f'<html lang="{language}">' in page


def test_values_are_written_the_way_the_language_writes_them(
    alice: Browser, companies: SeededCompanies, warehouse: str
) -> None:
    expected = engine_rows(warehouse, NPS, companies.acme_id, by=["quarter"])

    english = table_rows(alice.page("/metrics/nps?grain=quarter&lang=en").text)
    russian = table_rows(alice.page("/metrics/nps?grain=quarter&lang=ru").text)

    first = expected[0]
    assert first.value is not None and first.ci_low is not None and first.ci_high is not None
    year, quarter = str(first.key("quarter")).split("-Q")
    assert english[0][:2] == [f"Q{quarter} {year}", f"{first.value:.1f}"]
    assert russian[0][0] == f"{quarter}-й кв. {year} г."  # the period in the reader's words
    assert russian[0][1] == f"{first.value:.1f}".replace(".", ",").replace("-", MINUS)
    low = f"{first.ci_low:.1f}".replace("-", MINUS)
    assert english[0][2] == f"{low} – {first.ci_high:.1f}"


def test_without_a_period_the_chart_has_bars_with_error_bars(
    alice: Browser, companies: SeededCompanies, warehouse: str
) -> None:
    page = alice.page("/metrics/csat?grain=&by=segment").text

    spec = chart_of(page)
    bars, errors = spec["layer"]
    assert (bars["mark"]["type"], errors["mark"]["type"]) == ("bar", "rule")
    assert errors["encoding"]["x2"] == {"field": "high"}
    expected = engine_rows(warehouse, CATALOGUE.get("csat"), companies.acme_id, by=["segment"])
    assert [v["category"] for v in bars["data"]["values"]] == [r.key("segment")
                                                               for r in expected]
    assert [row[1] for row in table_rows(page)] == [f"{r.value:.1f}%" for r in expected]


def test_comparison_adds_the_previous_period_and_the_change(
    alice: Browser, warehouse: str
) -> None:
    page = alice.page("/metrics/orders?grain=year&compare=1").text

    rows = table_rows(page)
    assert "Previous period" in page and "Change" in page
    assert rows[0][4] == "–" and rows[1][4] == rows[0][1]
    assert 'name="compare" value="1" checked' in page


def test_first_visit_shows_the_metric_by_month(alice: Browser, warehouse: str) -> None:
    page = alice.page("/metrics/revenue").text

    assert '<option value="month" selected>' in page
    assert table_rows(page)
    # it opens on the data window, written into the form and the downloads: the demo's
    # months before it hold only the orders carried in (kano.metrics.data_window)
    assert 'value="2024-11-01"' in page
    assert 'href="/metrics/revenue.csv?grain=month&amp;from=2024-11-01&amp;to=' in page
    assert 'id="period-hint"' in page
    assert 'id="period-hint"' not in alice.page("/metrics/nps").text  # feedback: all data


def test_filters_and_period_narrow_the_figures(
    alice: Browser, companies: SeededCompanies, warehouse: str
) -> None:
    page = alice.page(
        "/metrics/aov?grain=quarter&filter_name=segment&filter_values=smb&filter_name="
        "&filter_values=&from=2025-01-01&to=2025-12-31"
    ).text

    expected = engine_rows(warehouse, CATALOGUE.get("aov"), companies.acme_id, by=["quarter"],
                           filters={"segment": ["smb"]},
                           period=(date(2025, 1, 1), date(2025, 12, 31)))
    assert [row[0] for row in table_rows(page)] == [
        "Q{1} {0}".format(*str(r.key("quarter")).split("-Q")) for r in expected]
    assert 'value="smb"' in page and 'value="2025-01-01"' in page


@pytest.mark.parametrize(("query", "label"), [
    ("grain=month&by=bogus", "Slice by"),
    ("grain=month&filter_name=bogus&filter_values=1", "Filters"),
    ("grain=month&filter_name=segment&filter_values=", "Filters"),
    ("grain=month&from=2025-01-01", "To"),
    ("grain=month&from=2025-13-01&to=2025-12-31", "From"),
    ("grain=month&where=amount+%3E", "Extra condition"),
])
def test_bad_input_is_shown_next_to_the_form_naming_the_field(
    alice: Browser, warehouse: str, query: str, label: str
) -> None:
    response = alice.client.get(f"/metrics/nps?{query}")

    assert response.status_code == 422
    assert text_of(response.text, "explorer-error").startswith(f"{label}:")
    assert 'role="alert"' in response.text
    assert 'id="metric-table"' not in response.text


@pytest.mark.parametrize(("language", "problem", "detail"), [
    ("ru", "Не удалось разобрать условие.", "Закройте кавычку, открытую в позиции 11."),
    ("hu", "A feltétel nem értelmezhető.",
     "Zárja be a(z) 11. karakternél nyitott idézőjelet."),
])
def test_a_condition_the_parser_refuses_says_what_to_fix_in_the_readers_language(
    alice: Browser, warehouse: str, language: str, problem: str, detail: str
) -> None:
    response = alice.client.get(
        f"/metrics/nps?grain=month&where=channel+%3D+%27web&lang={language}")

    assert response.status_code == 422
    error = text_of(response.text, "explorer-error")
    assert problem in error and detail in error, error
    assert 'id="where" name="where" value="channel = &#39;web"' in response.text


def test_downloads_hold_the_same_numbers_with_translated_headings(
    alice: Browser, companies: SeededCompanies, warehouse: str
) -> None:
    expected = engine_rows(warehouse, NPS, companies.acme_id, by=["month", "segment"])

    as_csv = alice.page("/metrics/nps.csv?grain=month&by=segment&lang=hu")
    as_xlsx = alice.page("/metrics/nps.xlsx?grain=month&by=segment")

    assert as_csv.headers["content-disposition"] == (
        'attachment; filename="acme-nps-by-month-segment.csv"')
    table = list(csv.reader(StringIO(as_csv.content.decode("utf-8-sig"))))
    assert table[0] == ["Hónap", "Szegmens", "Szegmens (név)", "Érték (pont)",
                        "Intervallum alsó határa", "Intervallum felső határa", "n"]
    assert [[float(v), int(n)] for *_keys, v, _lo, _hi, n in table[1:]] == [
        [r.value, r.n] for r in expected]
    workbook = load_workbook(BytesIO(as_xlsx.content))
    sheet = workbook.worksheets[0]
    cells = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    # Acme named no segment here: the name column repeats the key, as the page shows it.
    assert [row[:3] for row in cells] == [[r.key("month"), r.key("segment"), r.key("segment")]
                                          for r in expected]
    assert [row[3] for row in cells] == [pytest.approx(r.value, rel=1e-14) for r in expected]
    assert workbook.sheetnames == ["Net Promoter Score", "About"]


def test_the_page_shows_only_the_current_workspace(
    browser: Browser, companies: SeededCompanies, warehouse: str
) -> None:
    browser.log_in(companies.bob, companies.password)  # Bob belongs to Acme and Globex

    rows = table_rows(browser.page("/metrics/revenue?grain=year").text)

    revenue = CATALOGUE.get("revenue")
    acme = engine_rows(warehouse, revenue, companies.acme_id, by=["year"],
                       period=opened_on(warehouse, revenue, companies.acme_id, ["year"]))
    globex = engine_rows(warehouse, CATALOGUE.get("revenue"), companies.globex_id,
                         by=["year"])
    assert [row[0] for row in rows] == [r.key("year") for r in acme]
    assert {row[3] for row in rows} == {f"{r.n:,}" for r in acme}
    assert {r.n for r in acme} != {r.n for r in globex}


def test_without_a_loaded_warehouse_the_page_says_what_to_run(alice: Browser) -> None:
    response = alice.client.get("/metrics/nps?lang=ru")

    assert response.status_code == 409
    assert "kano warehouse load" in text_of(response.text, "warehouse-missing")
    assert "Хранилище" in text_of(response.text, "warehouse-missing")


def test_unknown_metric_is_not_found(alice: Browser, warehouse: str) -> None:
    assert alice.client.get("/metrics/no_such_metric").status_code == 404
    assert alice.client.get("/metrics/no_such_metric.csv").status_code == 404


def test_form_is_labelled_for_assistive_technology(alice: Browser, warehouse: str) -> None:
    page = alice.page("/metrics/nps?grain=month").text

    for control in re.findall(r'<(?:select|input)[^>]*\bid="([^"]+)"', page):
        if control in ("workspace-select",):
            continue
        assert f'for="{control}"' in page, control
    assert page.count("<legend>") == 3
    assert '<caption class="visually-hidden">' in page


def test_money_is_written_in_the_workspace_currency_and_named_in_the_files(
    alice: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
    warehouse: str,
) -> None:
    with transaction(sessions) as session:
        session.execute(update(Workspace).where(Workspace.id == companies.acme_id)
                        .values(currency="HUF"))
    revenue = CATALOGUE.get("revenue")
    expected = engine_rows(warehouse, revenue, companies.acme_id, by=["year"],
                           period=opened_on(warehouse, revenue, companies.acme_id, ["year"]))
    first = expected[0].value
    assert first is not None and first > 1000

    hungarian = alice.page("/metrics/revenue?grain=year&lang=hu").text
    english = alice.page("/metrics/revenue?grain=year&lang=en").text
    russian = alice.page("/metrics/revenue?grain=year&lang=ru").text

    whole = f"{round(first):,}"
    assert table_rows(hungarian)[0][1] == whole.replace(",", " ") + " Ft"
    assert table_rows(english)[0][1] == f"HUF {whole}"
    assert table_rows(russian)[0][1] == whole.replace(",", " ") + " HUF"
    assert "Érték (HUF)" in hungarian and "Value (HUF)" in english
    spec = chart_of(hungarian)
    assert spec["usermeta"]["embedOptions"]["formatLocale"]["currency"] == ["", "\u00a0Ft"]
    assert spec["layer"][-1]["encoding"]["y"]["axis"] == money_axis("hu", "HUF")
    english_axis = chart_of(english)["layer"][-1]["encoding"]["y"]["axis"]
    assert english_axis == money_axis("en", "HUF") and "\"HUF\u00a00\"" in english_axis["labelExpr"]

    as_csv = list(csv.reader(StringIO(
        alice.page("/metrics/revenue.csv?grain=year&lang=en").content.decode("utf-8-sig"))))
    assert as_csv[0][:2] == ["Year", "Value (HUF)"]
    assert float(as_csv[1][1]) == pytest.approx(first, rel=1e-12)  # the number stays a number
    sheet = load_workbook(BytesIO(
        alice.page("/metrics/revenue.xlsx?grain=year&lang=hu").content)).worksheets[0]
    assert [cell.value for cell in sheet[1]][:2] == ["Év", "Érték (HUF)"]
    assert sheet.cell(row=2, column=2).value == pytest.approx(first, rel=1e-12)


# --- slices by name: segment and product as the workspace names them, channel in the
# page's language; the downloads keep the key and add the name beside it.

ORDERS = built_in_catalogue().get("orders")
REVENUE = built_in_catalogue().get("revenue")
SEGMENTS = {"key_account": "Kiemelt partnerek", "smb": "Kis- és középvállalatok",
            "consumer": "Magánvásárlók"}
CHANNELS = {
    "en": {"web": "Website", "phone": "Phone", "field": "Field sales", "email": "E-mail",
           "store": "Store"},
    "hu": {"web": "Weboldal", "phone": "Telefon", "field": "Területi értékesítés",
           "email": "E-mail", "store": "Üzlet"},
}


@pytest.fixture
def named(sessions: sessionmaker[Session], companies: SeededCompanies) -> None:
    """Acme names its segments and two products; Globex names the same keys otherwise."""
    with transaction(sessions) as session:
        for key, name in SEGMENTS.items():
            session.add(Segment(workspace_id=companies.acme_id, key=key, name=name))
            session.add(Segment(workspace_id=companies.globex_id, key=key, name=f"Globex {key}"))
        for code, name in (("fasteners", "Csavarok"), ("welding", "Hegesztés")):
            session.add(ProductRow(workspace_id=companies.acme_id, code=code, name=name))
        session.add(ProductRow(workspace_id=companies.globex_id, code="hand-tools",
                               name="Globex hand tools"))


@pytest.mark.parametrize("language", ["en", "hu"])
def test_table_and_chart_name_segments_and_channels_in_the_page_language(
    alice: Browser, companies: SeededCompanies, warehouse: str, named: None, language: str,
) -> None:
    page = alice.page(f"/metrics/orders?grain=&by=segment&by=channel&lang={language}").text

    expected = engine_rows(warehouse, ORDERS, companies.acme_id, by=["segment", "channel"])
    channels = CHANNELS[language]
    assert {r.key("channel") for r in expected} <= set(channels)
    names = [[SEGMENTS[r.key("segment")], channels[r.key("channel")]] for r in expected]
    assert [row[:2] for row in table_rows(page)] == names
    bars = chart_of(page)["layer"][0]["data"]["values"]
    assert [bar["category"] for bar in bars] == [" · ".join(pair) for pair in names]
    assert "Globex" not in page


@pytest.mark.parametrize("language", ["en", "hu"])
def test_line_series_name_the_products_and_keep_unknown_codes(
    alice: Browser, companies: SeededCompanies, warehouse: str, named: None, language: str,
) -> None:
    page = alice.page(f"/metrics/revenue?grain=year&by=product&lang={language}").text

    by = ["year", "product"]
    expected = engine_rows(warehouse, REVENUE, companies.acme_id, by=by,
                           period=opened_on(warehouse, REVENUE, companies.acme_id, by))
    shown = {"fasteners": "Csavarok", "welding": "Hegesztés"}
    products = [shown.get(r.key("product"), r.key("product")) for r in expected]
    assert [row[1] for row in table_rows(page)] == products
    assert {"Csavarok", "Hegesztés", "hand-tools"} <= set(products)
    line = chart_of(page)["layer"][-1]
    assert [value["series"] for value in line["data"]["values"]] == products


def test_downloads_keep_the_key_and_add_the_name_beside_it(
    alice: Browser, companies: SeededCompanies, warehouse: str, named: None,
) -> None:
    expected = engine_rows(warehouse, ORDERS, companies.acme_id, by=["segment", "channel"])

    as_csv = alice.page("/metrics/orders.csv?grain=&by=segment&by=channel&lang=hu")
    as_xlsx = alice.page("/metrics/orders.xlsx?grain=&by=segment&by=channel&lang=en")

    table = list(csv.reader(StringIO(as_csv.content.decode("utf-8-sig"))))
    assert table[0][:4] == ["Szegmens", "Szegmens (név)", "Csatorna", "Csatorna (név)"]
    hungarian = CHANNELS["hu"]
    assert [row[:4] for row in table[1:]] == [
        [r.key("segment"), SEGMENTS[r.key("segment")], r.key("channel"),
         hungarian[r.key("channel")]] for r in expected]
    sheet = load_workbook(BytesIO(as_xlsx.content)).worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:4] == ["Segment", "Segment (name)", "Channel", "Channel (name)"]
    english = CHANNELS["en"]
    assert [row[:4] for row in rows[1:]] == [
        [r.key("segment"), SEGMENTS[r.key("segment")], r.key("channel"),
         english[r.key("channel")]] for r in expected]
    assert [row[4] for row in rows[1:]] == [r.value for r in expected]


@pytest.mark.parametrize(("language", "smb", "web"), [
    ("en", "Kis- és középvállalatok", "Website"),
    ("hu", "Kis- és középvállalatok", "Weboldal"),
])
def test_filter_values_are_offered_by_name(
    alice: Browser, warehouse: str, named: None, language: str, smb: str, web: str,
) -> None:
    page = alice.page(f"/metrics/orders?grain=&filter_name=segment&filter_values=smb"
                      f"&lang={language}").text

    assert re.search(r'<input[^>]*id="filter-values-1"[^>]*list="filter-choices-segment"',
                     page)
    segments = page[page.index('<datalist id="filter-choices-segment">'):]
    assert f'<option value="smb" label="{smb}">' in segments[:segments.index("</datalist>")]
    assert f'<option value="web" label="{web}">' in page
    assert "Globex" not in page


RESPONSES = built_in_catalogue().get("responses")
LANGUAGE_NAMES = {
    "en": {"en": "English", "ru": "Russian", "hu": "Hungarian"},
    "ru": {"en": "Английский", "ru": "Русский", "hu": "Венгерский"},
    "hu": {"en": "Angol", "ru": "Orosz", "hu": "Magyar"},
}
SURVEY_NAMES = {"relationship-nps": "Kapcsolati NPS", "delivery-csat": "Helyszíni szállítás",
                "support-ces": "Ügyfélszolgálati e-mail"}


@pytest.fixture
def surveys_named(sessions: sessionmaker[Session], companies: SeededCompanies) -> None:
    """Acme names three of the demo's surveys; Globex names the same keys otherwise."""
    with transaction(sessions) as session:
        for key, name in SURVEY_NAMES.items():
            session.add(Survey(workspace_id=companies.acme_id, key=key, name=name))
            session.add(Survey(workspace_id=companies.globex_id, key=key, name=f"Globex {key}"))


@pytest.mark.parametrize("language", ["en", "hu"])
def test_table_and_chart_name_surveys_and_languages(
    alice: Browser, companies: SeededCompanies, warehouse: str, surveys_named: None,
    language: str,
) -> None:
    page = alice.page(f"/metrics/responses?grain=&by=survey&by=language&lang={language}").text

    expected = engine_rows(warehouse, RESPONSES, companies.acme_id, by=["survey", "language"])
    spoken = LANGUAGE_NAMES[language]
    assert {r.key("language") for r in expected} == set(spoken)
    assert set(SURVEY_NAMES) < {r.key("survey") for r in expected}
    names = [[SURVEY_NAMES.get(r.key("survey"), r.key("survey")), spoken[r.key("language")]]
             for r in expected]
    assert [row[:2] for row in table_rows(page)] == names
    bars = chart_of(page)["layer"][0]["data"]["values"]
    assert [bar["category"] for bar in bars] == [" · ".join(pair) for pair in names]
    assert "Globex" not in page


@pytest.mark.parametrize(("language", "words"), [
    ("ru", {"account": "Юридическое лицо (B2B)", "person": "Частное лицо (B2C)",
            "delivery": "Доставка и логистика", "sales": "Продажи"}),
    ("hu", {"account": "Üzleti ügyfél (B2B)", "person": "Magánszemély (B2C)",
            "delivery": "Szállítás és logisztika", "sales": "Értékesítés"}),
])
def test_customer_types_and_team_functions_are_named_in_the_page_language(
    alice: Browser, companies: SeededCompanies, warehouse: str, language: str,
    words: dict[str, str],
) -> None:
    page = alice.page(f"/metrics/orders?grain=&by=kind&by=team_function&lang={language}").text

    expected = engine_rows(warehouse, ORDERS, companies.acme_id, by=["kind", "team_function"])
    cells = [row[:2] for row in table_rows(page)]
    assert len(cells) == len(expected)
    assert {r.key("kind") for r in expected} == {"account", "person"}
    for row, cell in zip(expected, cells, strict=True):
        assert cell[0] == words[row.key("kind")]
        assert cell[1] != row.key("team_function")  # every demo function has a name
    assert {words["delivery"], words["sales"]} <= {cell[1] for cell in cells}


@pytest.mark.parametrize(("language", "delivery", "measure"), [
    ("en", "Order delivery", "Delivery delay (days)"),
    ("ru", "Доставка заказов", "Задержка доставки (дни)"),
])
def test_processes_and_their_measures_are_named(
    alice: Browser, warehouse: str, language: str, delivery: str, measure: str,
) -> None:
    page = alice.page(f"/metrics/delivery_delay_mean?grain=&by=process&by=measure"
                      f"&lang={language}").text

    assert [row[:2] for row in table_rows(page)] == [[delivery, measure]]


@pytest.mark.parametrize("language", ["en", "hu"])
def test_language_and_survey_filters_offer_their_values_by_name(
    alice: Browser, warehouse: str, surveys_named: None, language: str,
) -> None:
    page = alice.page(f"/metrics/responses?grain=&filter_name=language&filter_values=ru"
                      f"&lang={language}").text

    languages = page[page.index('<datalist id="filter-choices-language">'):]
    languages = languages[:languages.index("</datalist>")]
    assert f'<option value="ru" label="{LANGUAGE_NAMES[language]["ru"]}">' in languages
    assert '<option value="relationship-nps" label="Kapcsolati NPS">' in page
    assert "Globex" not in page


def test_survey_and_language_downloads_name_them_in_a_csv_excel_reads(
    alice: Browser, companies: SeededCompanies, warehouse: str, surveys_named: None,
) -> None:
    expected = engine_rows(warehouse, RESPONSES, companies.acme_id, by=["survey", "language"])

    download = alice.page("/metrics/responses.csv?grain=&by=survey&by=language&lang=ru")

    assert download.headers["content-type"] == "text/csv; charset=utf-8"
    assert download.content.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only after a BOM
    table = list(csv.reader(StringIO(download.content.decode("utf-8-sig"))))
    assert table[0][:4] == ["Опрос", "Опрос (название)", "Язык", "Язык (название)"]
    assert [row[:4] for row in table[1:]] == [
        [r.key("survey"), SURVEY_NAMES.get(r.key("survey"), r.key("survey")),
         r.key("language"), LANGUAGE_NAMES["ru"][r.key("language")]] for r in expected]


def test_consent_to_contact_reads_yes_or_no(alice: Browser, warehouse: str) -> None:
    page = alice.page("/metrics/orders?grain=&by=consent_contact&lang=hu").text

    assert {row[0] for row in table_rows(page)} == {"igen", "nem"}


@pytest.mark.parametrize(("language", "created", "nps"), [
    ("en", "Created on", "NPS answer (0–10)"),
    ("hu", "Létrehozás napja", "NPS-válasz (0–10)"),
])
def test_filter_only_slices_are_named_in_the_filter_list(
    alice: Browser, warehouse: str, language: str, created: str, nps: str,
) -> None:
    """The filter list of a response metric offered 'created_on', 'nps', 'csat' by key
    (QA pass of the Hungarian demo, session 17)."""
    page = alice.page(f"/metrics/csat?grain=&lang={language}").text
    chooser = page[page.index('<select id="filter-name-1"'):]
    chooser = chooser[:chooser.index("</select>")]

    assert f'<option value="created_on">{created}</option>' in chooser
    assert f'<option value="nps">{nps}</option>' in chooser
    assert not re.search(r'<option value="(\w+)">\1</option>', chooser), chooser


@pytest.mark.parametrize(("language", "words"), [
    ("ru", "промоутеров (9–10) в % минус доля критиков (0–6)"),
    ("hu", "Az ajánlók (9–10) %-os aránya mínusz a kritikusok (0–6)"),
])
def test_definitions_are_written_in_the_page_language(
    alice: Browser, warehouse: str, language: str, words: str
) -> None:
    page = alice.page(f"/metrics/nps?grain=month&lang={language}").text
    catalogue = alice.page(f"/metrics?lang={language}").text

    lead = re.search(r'<p class="lead"([^>]*)>([^<]*)</p>', page)
    assert lead and words in unescape(lead.group(2)) and 'lang="en"' not in lead.group(1)
    assert unescape(lead.group(2)) == NPS.describe(language)
    assert words in text_of(catalogue, "metric-nps")
    assert "promoters" not in page and "promoters" not in catalogue


def test_a_custom_definition_given_per_language_is_shown_in_it(
    alice: Browser, companies: SeededCompanies, sessions: sessionmaker[Session], warehouse: str
) -> None:
    with transaction(sessions) as session:
        session.add(CustomMetricRow(
            workspace_id=companies.acme_id, key="big_order_share", position=0, definition={
                "id": "big_order_share", "name": "Big orders", "layer": "TX", "unit": "%",
                "direction": "higher", "source": "transactions", "aggregate": "share",
                "condition": "amount > 1000",
                "description": {"en": "Orders above 1,000.", "hu": "1000 feletti rendelések."}}))

    hungarian = alice.page("/metrics/big_order_share?grain=quarter&lang=hu").text
    russian = alice.page("/metrics?lang=ru").text

    assert '<p class="lead">1000 feletti rendelések.</p>' in hungarian
    row = re.search(r'<tr id="metric-big_order_share">.*?</tr>', russian, re.S)
    assert row and '<td lang="en">Orders above 1,000.</td>' in row.group(0)
