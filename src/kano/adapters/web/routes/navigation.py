"""The one list of the web UI's pages (SPEC §2.12): it drives the menu.

Every item is served by a page router of ``app.py`` (``tests/integration/web/test_pages.py``
fails on a menu link without a page): since session 12 every page of the SPEC is built,
so the placeholders that stood in for pages not built yet are gone.

Texts are marked with ``N_`` (extracted into the catalogues, translated when shown).
"""

from __future__ import annotations

from dataclasses import dataclass


def N_(message: str) -> str:
    """Mark a text for the catalogues; it is translated where it is shown (gettext's N_)."""
    return message


@dataclass(frozen=True)
class NavSection:
    key: str
    label: str


@dataclass(frozen=True)
class NavItem:
    key: str
    path: str
    section: str
    label: str  # short, for the menu


SECTIONS: tuple[NavSection, ...] = (
    NavSection("overview", N_("Overview")),
    NavSection("strategy", N_("Strategy")),
    NavSection("customers", N_("Customers")),
    NavSection("value", N_("Customer value")),
    NavSection("analysis", N_("Analysis")),
    NavSection("admin", N_("Administration")),
)

NAVIGATION: tuple[NavItem, ...] = (
    NavItem("home", "/", "overview", N_("Home")),
    NavItem("scorecard", "/scorecard", "strategy", N_("Scorecard")),
    NavItem("strategy_map", "/strategy/map", "strategy", N_("Strategy map")),
    NavItem("strategy_session", "/strategy/session", "strategy", N_("Strategy session")),
    NavItem("okr", "/okr", "strategy", N_("OKRs")),
    NavItem("mbo", "/mbo", "strategy", N_("MBO")),
    NavItem("cx", "/cx", "customers", N_("CX overview")),
    NavItem("journeys", "/journeys", "customers", N_("Journey map")),
    NavItem("cases", "/cases", "customers", N_("Case inbox")),
    NavItem("responses", "/responses", "customers", N_("Responses")),
    NavItem("surveys", "/surveys", "customers", N_("Surveys")),
    NavItem("customers", "/customers", "customers", N_("Customer 360")),
    NavItem("segments", "/segments", "customers", N_("Segments")),
    NavItem("requirements", "/requirements", "customers", N_("Requirements")),
    NavItem("value_rfm", "/value/rfm", "value", N_("RFM segments")),
    NavItem("value_matrix", "/value/matrix", "value", N_("Client matrix")),
    NavItem("value_profit", "/value/profit", "value", N_("Profit formula")),
    NavItem("value_clv", "/value/clv", "value", N_("Lifetime value")),
    NavItem("value_churn", "/value/churn", "value", N_("Churn risk")),
    NavItem("metrics", "/metrics", "analysis", N_("Metrics explorer")),
    NavItem("linkage", "/linkage", "analysis", N_("Linkage")),
    NavItem("drivers", "/drivers", "analysis", N_("Key drivers")),
    NavItem("text", "/text", "analysis", N_("Themes")),
    NavItem("pilots", "/pilots", "analysis", N_("Pilots")),
    NavItem("settings", "/settings", "admin", N_("Settings")),
)


def items_of(section: NavSection) -> tuple[NavItem, ...]:
    return tuple(item for item in NAVIGATION if item.section == section.key)
