"""The product catalogue through the API: ``PUT /products/{code}`` adds (201) or renames
(200) a product with an audit entry, ``GET /products`` lists them a page at a time, a 422 names
the field, a read token cannot write, and one workspace never sees another's names.
Generated requests (schemathesis, with a write token) end neither in a 5xx nor in a
response the OpenAPI document does not declare, and what the schema allows is accepted."""

from __future__ import annotations

from typing import Any

from schemathesis import GenerationMode
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.testclient import TestClient

from kano.adapters.db.orm import AuditEntry
from kano.adapters.db.product_catalogue import Product, upsert_products
from kano.domain.workspaces import Scope
from tests.integration.api.problems import assert_invalid_field
from tests.integration.api.schemathesis_run import MODES, RUNS, fuzz, schema_can_judge
from tests.integration.api.seed import SeededWorkspace


def _names(api: TestClient, ws: SeededWorkspace) -> list[tuple[str, str, str | None]]:
    listed = api.get("products", headers=ws.auth())
    assert listed.status_code == 200, listed.text
    return [(p["code"], p["name"], p["category"]) for p in listed.json()["items"]]


def test_products_are_added_renamed_listed_and_audited(
    api: TestClient,
    acme: SeededWorkspace,
    sessions: sessionmaker[Session],
) -> None:
    write = acme.auth(Scope.WRITE)
    assert _names(api, acme) == []

    added = api.put("products/widget", json={"name": "Widget", "category": "Parts"}, headers=write)
    assert added.status_code == 201, added.text
    assert {k: added.json()[k] for k in ("code", "name", "category")} == {
        "code": "widget",
        "name": "Widget",
        "category": "Parts",
    }
    assert added.json()["created_at"].endswith("Z")
    assert api.put("products/gadget", json={"name": "Gadget"}, headers=write).status_code == 201

    renamed = api.put("products/widget", json={"name": "Widget, zinc-plated"}, headers=write)
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["category"] is None, "a category left out is cleared"
    again = api.put("products/widget", json={"name": "Widget, zinc-plated"}, headers=write)
    assert again.status_code == 200

    assert _names(api, acme) == [
        ("widget", "Widget, zinc-plated", None),
        ("gadget", "Gadget", None),
    ], "in the order they were added"
    with sessions() as session:
        trail = session.execute(
            select(AuditEntry.action, AuditEntry.entity_id, AuditEntry.detail)
            .where(AuditEntry.workspace_id == acme.workspace_id, AuditEntry.entity == "product")
            .order_by(AuditEntry.id)
        ).all()
    assert [(action, code) for action, code, _ in trail] == [
        ("create", "widget"),
        ("create", "gadget"),
        ("update", "widget"),
    ], "an unchanged product writes no entry"
    assert trail[2][2] == {
        "before": {"name": "Widget", "category": "Parts"},
        "after": {"name": "Widget, zinc-plated", "category": None},
    }


def test_a_bad_product_is_a_422_naming_the_field_and_a_read_token_cannot_write(
    api: TestClient,
    acme: SeededWorkspace,
) -> None:
    write = acme.auth(Scope.WRITE)
    for body, field in (
        ({}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "Ok", "category": ""}, "category"),
        ({"name": "Ok", "colour": "red"}, "colour"),
    ):
        assert_invalid_field(api.put("products/widget", json=body, headers=write), field)
    assert_invalid_field(
        api.put(f"products/{'w' * 65}", json={"name": "Ok"}, headers=write), "code"
    )
    assert_invalid_field(api.put("products/.hidden", json={"name": "Ok"}, headers=write), "code")
    refused = api.put("products/widget", json={"name": "Widget"}, headers=acme.auth())
    assert refused.status_code == 403
    assert _names(api, acme) == []


def test_one_workspace_never_sees_or_changes_anothers_products(
    api: TestClient,
    acme: SeededWorkspace,
    globex: SeededWorkspace,
) -> None:
    assert (
        api.put(
            "products/widget", json={"name": "Acme widget"}, headers=acme.auth(Scope.WRITE)
        ).status_code
        == 201
    )
    assert _names(api, globex) == []
    assert (
        api.put(
            "products/widget", json={"name": "Globex widget"}, headers=globex.auth(Scope.WRITE)
        ).status_code
        == 201
    ), "codes are per workspace"
    assert _names(api, acme) == [("widget", "Acme widget", None)]
    assert _names(api, globex) == [("widget", "Globex widget", None)]


def test_the_catalogue_is_paged_with_limit_and_cursor_like_every_list(
    api: TestClient,
    acme: SeededWorkspace,
    globex: SeededWorkspace,
    sessions: sessionmaker[Session],
) -> None:
    """2,500 SKUs come a page at a time, none twice or left out, another workspace's never;
    a cursor that is not one of ours is a 422 naming ``cursor``."""
    with sessions() as session:
        upsert_products(
            session,
            acme.workspace_id,
            [Product(f"SKU-{n:05d}", f"Product {n}") for n in range(2500)],
        )
        upsert_products(session, globex.workspace_id, [Product("SKU-GLOBEX", "Not Acme's")])
        session.commit()
    first = api.get("products", headers=acme.auth())
    assert first.status_code == 200, first.text
    assert len(first.json()["items"]) == 100, "the default page size of every list"
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 1000} | ({"cursor": cursor} if cursor else {})
        page = api.get("products", params=params, headers=acme.auth()).json()
        seen += [item["code"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"SKU-{n:05d}" for n in range(2500)]
    assert_invalid_field(
        api.get("products", params={"cursor": "bogus"}, headers=acme.auth()), "cursor"
    )
    assert_invalid_field(api.get("products", params={"limit": 0}, headers=acme.auth()), "limit")


@MODES
def test_product_writes_never_error_and_conform_to_the_openapi(
    host_app: Starlette, acme: SeededWorkspace, mode: GenerationMode
) -> None:
    run = RUNS["products"]
    fuzz(host_app, run, acme.auth(run.scope), mode, schema_judges=schema_can_judge)


def test_orders_and_requirements_carry_the_products_name(
    api: TestClient,
    acme: SeededWorkspace,
    globex: SeededWorkspace,
) -> None:
    """Acme's orders are of widgets and gadgets; only widgets are named (in Acme — Globex's
    name for the same code never shows)."""
    assert (
        api.put(
            "products/widget", json={"name": "Widget, zinc-plated"}, headers=acme.auth(Scope.WRITE)
        ).status_code
        == 201
    )
    assert (
        api.put(
            "products/gadget", json={"name": "Globex gadget"}, headers=globex.auth(Scope.WRITE)
        ).status_code
        == 201
    )

    orders = api.get("transactions", params={"limit": 100}, headers=acme.auth()).json()["items"]
    assert {(o["product"], o["product_name"]) for o in orders} == {
        ("widget", "Widget, zinc-plated"),
        ("gadget", None),
    }
    one = api.get(f"transactions/{acme.transaction_ids[0]}", headers=acme.auth()).json()
    assert (one["product"], one["product_name"]) == ("widget", "Widget, zinc-plated")

    for product in ("widget", "gadget"):
        created = api.post(
            "requirements",
            json={
                "customer": "C0000",
                "kind": "packaging",
                "text": f"{product}s in boxes of 100",
                "product": product,
            },
            headers=acme.auth(Scope.WRITE),
        )
        assert created.status_code == 201, created.text
    listed = api.get("requirements", headers=acme.auth()).json()["items"]
    assert {(r["product"], r["product_name"]) for r in listed} == {
        ("widget", "Widget, zinc-plated"),
        ("gadget", None),
    }
