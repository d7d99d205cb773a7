"""Labels for the codes stored with responses, orders, customers and requirements.

Channels, segments, journey stages, touchpoints and requirement kinds and statuses are
stored as short keys (``email``, ``key_account``, ``onboarding``, ``delivery-field``,
``in_effect``). A page shows what the reader calls them: Kano's own vocabulary (channels,
requirement kinds and statuses) in the reader's language, and what the workspace named
itself (segments, stages, touchpoints) under the name its data gives. A key nobody named
yet (a touchpoint's own channel, a deleted segment, a stage the warehouse holds but the
app database does not) is shown as itself. Products are named in the workspace's product
catalogue (an order or a requirement stores only the product's code); a code the
catalogue does not know is shown as itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.orm import JourneyStage, Team, Touchpoint
from kano.adapters.db.product_catalogue import product_names
from kano.adapters.db.quotas import segments_of_workspace
from kano.adapters.web.routes.navigation import N_
from kano.domain.feedback.requirements import RequirementKind, RequirementStatus

CHANNEL_LABELS = {
    # Kano's own intake (see kano.domain.feedback.quotas.KANO_CHANNELS).
    "link": N_("Public link"),
    "widget": N_("Widget"),
    "email": N_("E-mail"),
    "api": N_("REST API"),
    "call": N_("Phone call"),
    "meeting": N_("Meeting"),
    "account-review": N_("Account review"),
    "import": N_("File import"),
    # Sales and service channels of touchpoints and orders (the demo company's among them).
    "web": N_("Website"),
    "phone": N_("Phone"),
    "field": N_("Field sales"),
    "store": N_("Store"),
    "courier": N_("Courier"),
}

REQUIREMENT_KIND_LABELS = {
    RequirementKind.PRODUCT_PURPOSE.value: N_("Product purpose"),
    RequirementKind.DELIVERY.value: N_("Delivery"),
    RequirementKind.PACKAGING.value: N_("Packaging"),
    RequirementKind.TECHNICAL.value: N_("Technical properties"),
    RequirementKind.CHEMICAL.value: N_("Chemical properties"),
    RequirementKind.DOCUMENTATION.value: N_("Documentation"),
    RequirementKind.OTHER.value: N_("Other"),
}
#: The catalogue context of the requirement statuses (pgettext): their words agree with
#: «требование» in Russian, unlike the same English word elsewhere ("Agreed" sheet).
REQUIREMENT_STATUS = "requirement status"
REQUIREMENT_STATUS_LABELS = {
    RequirementStatus.PROPOSED.value: N_("Proposed"),
    RequirementStatus.AGREED.value: N_("Agreed"),
    RequirementStatus.IN_EFFECT.value: N_("In effect"),
    RequirementStatus.RETIRED.value: N_("Retired"),
}

SEGMENT_NAMES = "segment_names"
"""The context entry a page fills with its workspace's segment names, key → name."""
STAGE_NAMES = "stage_names"
"""The context entry with the workspace's journey-stage names, key → name."""
TOUCHPOINT_NAMES = "touchpoint_names"
"""The context entry with the workspace's touchpoint names, key → name."""
TEAM_NAMES = "team_names"
"""The context entry with the workspace's team names, key → name."""
PRODUCT_NAMES = "product_names"
"""The context entry with the names of the products a page shows, code → name."""


def vocabulary_filter(labels: Mapping[str, str], gettext: Callable[[str], str]
                      ) -> Callable[[str | None], str]:
    """A filter of one language for a key of Kano's own vocabulary: its label in that
    language, "–" for none, the key itself when Kano has no label for it."""

    def label_of(key: str | None) -> str:
        if not key:
            return "–"
        label = labels.get(key)
        return gettext(label) if label else key

    return label_of


def channel_filter(gettext: Callable[[str], str]) -> Callable[[str | None], str]:
    """The ``channel`` filter of one language: a channel key as its label, "–" for none."""
    return vocabulary_filter(CHANNEL_LABELS, gettext)


def workspace_name_filter(entry: str) -> Callable[..., str]:
    """A filter for a key the workspace named itself: the name the page's context holds
    under ``entry``, "–" for none, the key when the workspace gave it no name.

    Reads the names from the page's context so one template environment serves every
    workspace; a page that passes none shows keys."""

    @pass_context
    def name_of(context: Context, key: str | None) -> str:
        if not key:
            return "–"
        names: Mapping[str, Any] = context.get(entry) or {}
        return str(names.get(key) or key)

    return name_of


segment_filter = workspace_name_filter(SEGMENT_NAMES)
stage_filter = workspace_name_filter(STAGE_NAMES)
touchpoint_filter = workspace_name_filter(TOUCHPOINT_NAMES)
team_filter = workspace_name_filter(TEAM_NAMES)
product_filter = workspace_name_filter(PRODUCT_NAMES)


def segment_names(db: Session, workspace_id: int) -> dict[str, str]:
    """What a page passes as ``segment_names``: the workspace's segments, key → name."""
    return dict(segments_of_workspace(db, workspace_id))


def journey_names(db: Session, workspace_id: int) -> dict[str, dict[str, str]]:
    """What a page passes for the ``stage`` and ``touchpoint`` filters: the workspace's
    journey stages and touchpoints, key → name (the journey map's names for them)."""
    stages = db.execute(select(JourneyStage.key, JourneyStage.name)
                        .where(JourneyStage.workspace_id == workspace_id))
    touchpoints = db.execute(select(Touchpoint.key, Touchpoint.name)
                             .where(Touchpoint.workspace_id == workspace_id))
    return {STAGE_NAMES: {key: name for key, name in stages},
            TOUCHPOINT_NAMES: {key: name for key, name in touchpoints}}


def team_names(db: Session, workspace_id: int) -> dict[str, dict[str, str]]:
    """What a page passes for the ``team`` filter: the workspace's teams, key → name."""
    teams = db.execute(select(Team.key, Team.name).where(Team.workspace_id == workspace_id))
    return {TEAM_NAMES: {key: name for key, name in teams}}


def product_names_of(db: Session, workspace_id: int,
                     codes: Iterable[str | None]) -> dict[str, dict[str, str]]:
    """What a page passes for the ``product`` filter: the catalogue's names of the product
    codes it shows, code → name, in one query."""
    return {PRODUCT_NAMES: product_names(db, workspace_id, codes)}
