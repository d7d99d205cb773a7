"""The one list of the web UI's pages (SPEC §2.12): it drives the menu and the placeholders.

A page that has no router of its own yet is served by ``placeholders.py`` with a page that
says what will arrive there. Building a page means adding its router in ``app.py``; the
placeholder then steps aside by itself.

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
    title: str  # the page heading
    purpose: str  # one sentence: what the page is for
    arrives_with: str  # what brings the page ("This page arrives with …")


SECTIONS: tuple[NavSection, ...] = (
    NavSection("overview", N_("Overview")),
    NavSection("strategy", N_("Strategy")),
    NavSection("customers", N_("Customers")),
    NavSection("value", N_("Customer value")),
    NavSection("analysis", N_("Analysis")),
    NavSection("admin", N_("Administration")),
)

NAVIGATION: tuple[NavItem, ...] = (
    NavItem(
        "home", "/", "overview", N_("Home"), N_("Home"),
        N_("Headline figures of the workspace at a glance."),
        N_("the web shell"),
    ),
    NavItem(
        "scorecard", "/scorecard", "strategy", N_("Scorecard"), N_("Executive scorecard"),
        N_("Objectives and measures in four perspectives, with targets, status and trend."),
        N_("the Balanced Scorecard module"),
    ),
    NavItem(
        "strategy_map", "/strategy/map", "strategy", N_("Strategy map"), N_("Strategy map"),
        N_("Cause-and-effect links between objectives, each tested against the data."),
        N_("the strategy map and its linkage tests"),
    ),
    NavItem(
        "strategy_session", "/strategy/session", "strategy", N_("Strategy session"),
        N_("Strategy session"),
        N_("A guided session that builds the scorecard and the map, perspective by perspective."),
        N_("the guided strategy session"),
    ),
    NavItem(
        "okr", "/okr", "strategy", N_("OKRs"), N_("OKR tree"),
        N_("Objectives and key results on live metrics, from company to team."),
        N_("the OKR module"),
    ),
    NavItem(
        "mbo", "/mbo", "strategy", N_("MBO"), N_("MBO review sheets"),
        N_("Personal objectives with weights and achievement, for performance reviews."),
        N_("the MBO module"),
    ),
    NavItem(
        "cx", "/cx", "customers", N_("CX overview"), N_("Customer experience overview"),
        N_("NPS, CSAT and CES across segments, stages and channels, with their drivers."),
        N_("the Voice of Customer analytics"),
    ),
    NavItem(
        "journeys", "/journeys", "customers", N_("Journey map"), N_("Customer journey map"),
        N_("Stages and touchpoints with their scores, pain points and owners."),
        N_("the customer journey module"),
    ),
    NavItem(
        "cases", "/cases", "customers", N_("Case inbox"), N_("Case inbox"),
        N_("Closed-loop follow-up of detractors and complaints, with deadlines."),
        N_("the closed-loop case management"),
    ),
    NavItem(
        "responses", "/responses", "customers", N_("Responses"), N_("Responses"),
        N_("Every survey response, filterable, with its acknowledgement and its case."),
        N_("the response list"),
    ),
    NavItem(
        "surveys", "/surveys", "customers", N_("Surveys"), N_("Surveys"),
        N_("Survey questions in three languages, public links, the widget and staff entry."),
        N_("the survey builder"),
    ),
    NavItem(
        "customers", "/customers", "customers", N_("Customer 360"), N_("Customer 360"),
        N_("One customer's feedback, transactions, payments and cases on one page."),
        N_("the customer profile"),
    ),
    NavItem(
        "requirements", "/requirements", "customers", N_("Requirements"),
        N_("Special requirements"),
        N_("Customer-specific requirements: delivery, packaging, properties, documents."),
        N_("the special-requirements register"),
    ),
    NavItem(
        "value_rfm", "/value/rfm", "value", N_("RFM segments"), N_("RFM segments"),
        N_("Recency, frequency and monetary scores, segments and how customers move between them."),
        N_("the customer value module"),
    ),
    NavItem(
        "value_matrix", "/value/matrix", "value", N_("Client matrix"), N_("Client matrix"),
        N_("Every account by attractiveness and relationship, with the strategy for its cell."),
        N_("the customer value module"),
    ),
    NavItem(
        "value_profit", "/value/profit", "value", N_("Profit formula"), N_("Profit formula"),
        N_("The change in profit between two periods, attributed exactly to each lever."),
        N_("the customer value module"),
    ),
    NavItem(
        "value_clv", "/value/clv", "value", N_("Lifetime value"), N_("Customer lifetime value"),
        N_("Expected purchases, probability alive and discounted value of every customer."),
        N_("the customer value module"),
    ),
    NavItem(
        "value_churn", "/value/churn", "value", N_("Churn risk"), N_("Churn risk"),
        N_("Each active customer's probability of leaving and the reasons behind it."),
        N_("the customer value module"),
    ),
    NavItem(
        "metrics", "/metrics", "analysis", N_("Metrics explorer"), N_("Metrics explorer"),
        N_("Any metric sliced by period, segment, stage or channel."),
        N_("the metric catalogue"),
    ),
    NavItem(
        "linkage", "/linkage", "analysis", N_("Linkage"), N_("Linkage of the layers"),
        N_("The service-profit chain from employees to money, tested on the data."),
        N_("the linkage analysis"),
    ),
    NavItem(
        "drivers", "/drivers", "analysis", N_("Key drivers"), N_("Key drivers"),
        N_("What drives NPS, CSAT or CES: relative importance against performance."),
        N_("the key-driver analysis"),
    ),
    NavItem(
        "text", "/text", "analysis", N_("Themes"), N_("Themes in the comments"),
        N_("Language, sentiment and themes of the comments per touchpoint and segment."),
        N_("the text analytics"),
    ),
    NavItem(
        "pilots", "/pilots", "analysis", N_("Pilots"), N_("Pilots"),
        N_("Experiments and their measured effect against a control group."),
        N_("the pilot evaluation module"),
    ),
    NavItem(
        "settings", "/settings", "admin", N_("Settings"), N_("Settings"),
        N_("Workspace members, roles, API tokens, imports and webhooks."),
        N_("the workspace administration"),
    ),
)


def nav_item(key: str) -> NavItem:
    return next(item for item in NAVIGATION if item.key == key)


def items_of(section: NavSection) -> tuple[NavItem, ...]:
    return tuple(item for item in NAVIGATION if item.section == section.key)
