"""Settings → "Products" through the real app on SQLite and PostgreSQL: the catalogue a
page of 50 at a time with a search, an owner adding and renaming products (CSRF, audit,
escaped output, a 422 naming the field in the page's language), a CSV/XLSX upload that
stores all rows or none and lists the problems by row and column, an analyst who reads
but cannot change, and never another workspace's products."""

from __future__ import annotations

import io

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.orm import AuditEntry
from kano.adapters.db.product_catalogue import Product, list_products, upsert_products
from tests.integration.web.browsing import Browser, text_of
from tests.integration.web.seed import PASSWORD, SeededCompanies


def _seed(sessions: sessionmaker[Session], companies: SeededCompanies, count: int) -> None:
    with sessions() as session:
        upsert_products(
            session,
            companies.acme_id,
            [Product(f"SKU-{n:04d}", f"Acme product {n}") for n in range(count)],
        )
        upsert_products(session, companies.globex_id, [Product("GLOBEX-1", "Globex secret")])
        session.commit()


def _catalogue(sessions: sessionmaker[Session], workspace_id: int) -> dict[str, tuple[str, str]]:
    with sessions() as session:
        return {p.code: (p.name, p.category or "") for p in list_products(session, workspace_id)}


def test_the_catalogue_is_paged_searched_and_only_the_workspaces_own(
    browser: Browser,
    companies: SeededCompanies,
    sessions: sessionmaker[Session],
) -> None:
    _seed(sessions, companies, 1050)
    browser.log_in(companies.bob, PASSWORD)  # owner of Acme
    assert 'href="/settings/products"' in browser.page("/settings").text
    first = browser.page("/settings/products").text
    assert text_of(first, "product-count") == "1–50 of 1,050 products"
    assert "SKU-0049" in first and "SKU-0050" not in first
    assert "Globex secret" not in first
    assert 'href="/settings/products?page=2" rel="next"' in first
    last = browser.page("/settings/products?page=21").text
    assert text_of(last, "product-count") == "1,001–1,050 of 1,050 products"
    assert 'rel="next"' not in last and "SKU-1049" in last
    assert text_of(browser.page("/settings/products?page=99").text, "product-count") == (
        "1,001–1,050 of 1,050 products"
    )  # past the end: the last page
    found = browser.page("/settings/products?q=product+11").text  # names, any case
    assert text_of(found, "product-count") == "1–11 of 11 products"  # 11, 110-119
    assert browser.page("/settings/products?q=GLOBEX").text.count("Globex secret") == 0
    russian = browser.page("/settings/products?page=21&lang=ru").text
    assert text_of(russian, "product-count") == "1 001–1 050 из 1 050 продуктов"
    hungarian = browser.page("/settings/products?q=sku-0001&lang=hu").text
    assert text_of(hungarian, "product-count") == "1–1 / 1 termék"


def test_an_owner_adds_and_renames_a_product_with_an_audit_entry(
    browser: Browser,
    companies: SeededCompanies,
    sessions: sessionmaker[Session],
) -> None:
    browser.log_in(companies.bob, PASSWORD)
    token = browser.session_token()
    form = {"code": "weld-01", "name": "<b>Welding</b> wire", "category": "Consumables"}
    assert browser.client.post("/settings/products", data=form).status_code == 403  # no CSRF
    saved = browser.client.post("/settings/products", data=form | {"csrf_token": token})
    assert saved.status_code == 303
    page = browser.page(saved.headers["location"]).text
    assert text_of(page, "product-saved") == "Saved: weld-01 is “<b>Welding</b> wire”."
    assert "&lt;b&gt;Welding&lt;/b&gt; wire" in page and "<b>Welding</b>" not in page
    edit = browser.page("/settings/products?edit=weld-01").text
    assert 'value="&lt;b&gt;Welding&lt;/b&gt; wire"' in edit  # the form holds the product
    browser.client.post("/settings/products", data={"code": "weld-01", "name": "Welding wire",
                                                     "csrf_token": token})  # fmt: skip
    assert _catalogue(sessions, companies.acme_id) == {"weld-01": ("Welding wire", "")}
    assert _catalogue(sessions, companies.globex_id) == {}
    with sessions() as session:
        trail = session.execute(
            select(AuditEntry.actor, AuditEntry.action, AuditEntry.workspace_id,
                   AuditEntry.detail).where(AuditEntry.entity == "product")
            .order_by(AuditEntry.id)).all()  # fmt: skip
    assert [(actor, action, ws) for actor, action, ws, _ in trail] == [
        (companies.bob, "create", companies.acme_id),
        (companies.bob, "update", companies.acme_id),
    ]
    assert trail[1][3] == {
        "before": {"name": "<b>Welding</b> wire", "category": "Consumables"},
        "after": {"name": "Welding wire", "category": None},
    }

    for bad, field in (({"code": "a b", "name": "X"}, "Code"), ({"code": "ok", "name": " "},
                                                                 "Name")):  # fmt: skip
        refused = browser.client.post("/settings/products", data=bad | {"csrf_token": token})
        assert refused.status_code == 422
        assert text_of(refused.text, "product-error").startswith(f"Check this field: {field}.")
    hungarian = browser.client.post(
        "/settings/products?lang=hu", data={"code": "ok", "name": "x" * 201, "csrf_token": token}
    )
    assert text_of(hungarian.text, "product-error").startswith("Ellenőrizze ezt a mezőt: Név.")
    assert _catalogue(sessions, companies.acme_id) == {"weld-01": ("Welding wire", "")}


def test_an_upload_stores_all_rows_or_none_and_names_each_problem(
    browser: Browser,
    companies: SeededCompanies,
    sessions: sessionmaker[Session],
) -> None:
    _seed(sessions, companies, 2)
    browser.log_in(companies.bob, PASSWORD)
    token = browser.session_token()
    bad = "code;name;category\nSKU-0000;Renamed;Parts\nbad code;X;\nnew;;\nSKU-0000;Again;\n"
    refused = browser.client.post(
        "/settings/products/upload?lang=ru", data={"csrf_token": token},
        files={"file": ("products.csv", bad.encode("utf-8"), "text/csv")})  # fmt: skip
    assert refused.status_code == 422
    problems = text_of(refused.text, "products-problems")
    assert problems.startswith("3 ошибки в файле: ничего не сохранено.")
    assert "3 code " in problems and "4 name " in problems
    assert "5 code Этот код уже есть в строке 2." in problems
    assert _catalogue(sessions, companies.acme_id)["SKU-0000"] == ("Acme product 0", "")

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (("Name", "Code"), ("Renamed", "SKU-0000"), ("Új termék", 1001)):
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    done = browser.client.post(
        "/settings/products/upload?lang=en", data={"csrf_token": token},
        files={"file": ("list.xlsx", data.getvalue(), "application/octet-stream")})  # fmt: skip
    assert done.status_code == 200, done.text
    assert text_of(done.text, "products-imported") == (
        "2 products in the file. Added: 1. Renamed: 1."
    )
    assert _catalogue(sessions, companies.acme_id) == {
        "1001": ("Új termék", ""),
        "SKU-0000": ("Renamed", ""),
        "SKU-0001": ("Acme product 1", ""),
    }
    with sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "import")).one()
    assert (entry.actor, entry.entity, entry.entity_id, entry.detail) == (
        companies.bob,
        "product",
        "list.xlsx",
        {"rows": 2, "added": 1, "changed": 1},
    )

    not_a_workbook = browser.client.post(
        "/settings/products/upload", data={"csrf_token": token},
        files={"file": ("list.xlsx", b"not a zip", "application/octet-stream")})  # fmt: skip
    assert not_a_workbook.status_code == 422
    assert text_of(not_a_workbook.text, "products-file-error").startswith("Check this field")
    unreadable = browser.client.post(
        "/settings/products/upload", data={"csrf_token": token},
        files={"file": ("notes.pdf", b"%PDF-1.4", "application/pdf")})  # fmt: skip
    assert unreadable.status_code == 422
    assert text_of(unreadable.text, "products-file-error").startswith("Check this field: File.")


def test_an_analyst_reads_the_catalogue_but_cannot_change_it(
    browser: Browser,
    companies: SeededCompanies,
    sessions: sessionmaker[Session],
) -> None:
    _seed(sessions, companies, 3)
    browser.log_in(companies.alice, PASSWORD)  # analyst of Acme
    page = browser.page("/settings/products").text
    assert "Acme product 2" in page
    assert 'id="product-form"' not in page and 'id="product-upload-form"' not in page
    token = browser.session_token()
    refused = browser.client.post(
        "/settings/products?lang=ru", data={"code": "x", "name": "X", "csrf_token": token}
    )
    assert refused.status_code == 403
    assert "владелец" in text_of(refused.text, "products-refused")
    upload = browser.client.post(
        "/settings/products/upload", data={"csrf_token": token},
        files={"file": ("p.csv", b"code,name\nx,X\n", "text/csv")})  # fmt: skip
    assert upload.status_code == 403
    assert set(_catalogue(sessions, companies.acme_id)) == {"SKU-0000", "SKU-0001", "SKU-0002"}
