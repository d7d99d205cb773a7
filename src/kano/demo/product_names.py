"""The demo company's product catalogue: a name for every product code its orders carry,
in the demo's language.

The generator writes only product codes into the orders (``company.PRODUCTS``' keys); the
names go into the workspace's catalogue (:mod:`kano.adapters.db.product_catalogue`), where
the customer 360 page and the requirements register look them up. A re-run in another
language renames the same products by code; a product a user added keeps its name. A
test checks that every product of ``company.py`` has a name here in each language.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from kano.adapters.db.product_catalogue import Product, upsert_products

PRODUCT_NAMES: dict[str, dict[str, str]] = {
    "ru": {
        "fasteners": "Крепёж и метизы",
        "power-tools": "Электроинструмент",
        "hand-tools": "Ручной инструмент",
        "abrasives": "Абразивы и режущий инструмент",
        "welding": "Сварочные материалы",
        "safety": "Охрана труда и СИЗ",
        "hydraulics": "Гидравлика",
        "pneumatics": "Пневматика",
        "bearings": "Подшипники и приводная техника",
        "electrical": "Электротехнические компоненты",
        "lubricants": "Смазочные материалы и химия",
        "packaging": "Упаковочные материалы",
    },
    "hu": {
        "fasteners": "Kötőelemek és rögzítéstechnika",
        "power-tools": "Elektromos kéziszerszámok",
        "hand-tools": "Kéziszerszámok",
        "abrasives": "Csiszolás és vágás",
        "welding": "Hegesztéstechnika",
        "safety": "Munkavédelem és védőeszközök",
        "hydraulics": "Hidraulika",
        "pneumatics": "Pneumatika",
        "bearings": "Csapágyak és hajtástechnika",
        "electrical": "Villamos alkatrészek",
        "lubricants": "Kenőanyagok és vegyi anyagok",
        "packaging": "Csomagolóanyagok",
    },
}


def english_product_names() -> dict[str, str]:
    """The generator's own names (``company.py``), by code."""
    from kano.demo.company import PRODUCTS

    return {product.key: product.name for product in PRODUCTS}


def seed_product_names(session: Session, workspace_id: int, language: str) -> tuple[int, int]:
    """Name every product code the demo generates in ``language`` (en, ru, hu) in the
    workspace's catalogue; (added, renamed)."""
    names = english_product_names() if language == "en" else PRODUCT_NAMES[language]
    return upsert_products(session, workspace_id,
                           [Product(code, name) for code, name in names.items()])
