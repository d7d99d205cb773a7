"""Names for the measures the analyses store by key: the linkage variables, process
measures and key drivers.

The service-profit chain, the key-driver analysis and the journey map's OX row name what
they measure by ids (``delivery_delay_days``, ``engagement``, ``repurchase_rate``; a stage's
score as ``delivery csat``). A page shows the reader's words for them: the variables'
labels here in the page's language, a stage's score as "<the workspace's stage name>:
CSAT". An id Kano has no name for is shown as itself.

The linkage ids are per-observation variables (one order's delay in days, one response's
CSAT on its 1–5 scale), not the catalogue's aggregates (``delivery_delay_mean``, CSAT as a
top-2-box share), so they have labels of their own in the catalogue's wording.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context

from kano.adapters.web.labels import STAGE_NAMES, vocabulary_filter
from kano.adapters.web.routes.navigation import N_

VARIABLE_LABELS = {
    # EX: pulse items, per team and month.
    "engagement": N_("Engagement"),
    "enps": N_("Employee NPS (eNPS)"),
    "competency": N_("Competency coverage"),
    "training_hours": N_("Training hours"),
    # OX: process measures, per order, ticket or call.
    "delivery_delay_days": N_("Delivery delay (days)"),
    "first_response_minutes": N_("First response time (minutes)"),
    "first_contact_resolution": N_("First-contact resolution"),
    "defects": N_("Defects"),
    "onboarding_days": N_("Onboarding time (days)"),
    "call_wait_seconds": N_("Call waiting time (seconds)"),
    # CX: the scores of one response.
    "nps": N_("NPS"),
    "csat": N_("CSAT"),
    "ces": N_("CES"),
    "rating": N_("Rating"),
    # TX and money: what a customer did after answering, per customer and quarter.
    "repurchase_rate": N_("Repurchase rate"),
    "churn_rate": N_("Churn rate"),
    "spend": N_("Spend"),
    "orders": N_("Orders"),
    "revenue": N_("Revenue"),
}


def variable_name(key: str, gettext: Callable[[str], str]) -> str:
    """A linkage variable or process measure by its name in one language (the key when
    Kano has none)."""
    label = VARIABLE_LABELS.get(key)
    return gettext(label) if label else key


def variable_filter(gettext: Callable[[str], str]) -> Callable[[str | None], str]:
    """The ``variable`` filter of one language: a linkage id or process measure by name."""
    return vocabulary_filter(VARIABLE_LABELS, gettext)


def driver_name(
    key: str, gettext: Callable[[str], str], stage_names: Mapping[str, Any]
) -> str:
    """A key driver by name: a process measure ("Delivery delay (days)") or a journey
    stage's score, ``delivery csat`` → "Delivery: CSAT" (the workspace's stage name)."""
    if key in VARIABLE_LABELS:
        return variable_name(key, gettext)
    stage, _, score = key.rpartition(" ")
    if stage and score in VARIABLE_LABELS:
        return f"{stage_names.get(stage) or stage}: {variable_name(score, gettext)}"
    return key


def driver_filter(gettext: Callable[[str], str]) -> Callable[..., str]:
    """The ``driver`` filter of one language; stage names from the page's ``stage_names``."""

    @pass_context
    def name_of(context: Context, key: str | None) -> str:
        if not key:
            return "–"
        return driver_name(key, gettext, context.get(STAGE_NAMES) or {})

    return name_of

