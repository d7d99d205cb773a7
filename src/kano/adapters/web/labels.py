"""Labels for the codes stored with responses, orders and customers.

Channels and segments are stored as short keys (``email``, ``key_account``); a page shows
the channel in the reader's language and the segment under the name its workspace gave it.
A key nobody named yet (a touchpoint's own channel, a deleted segment) is shown as itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from sqlalchemy.orm import Session

from kano.adapters.db.quotas import segments_of_workspace
from kano.adapters.web.routes.navigation import N_

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

SEGMENT_NAMES = "segment_names"
"""The context entry a page fills with its workspace's segment names, key → name."""


def channel_filter(gettext: Callable[[str], str]) -> Callable[[str | None], str]:
    """The ``channel`` filter of one language: a channel key as its label, "–" for none."""

    def channel(key: str | None) -> str:
        if not key:
            return "–"
        label = CHANNEL_LABELS.get(key)
        return gettext(label) if label else key

    return channel


@pass_context
def segment_filter(context: Context, key: str | None) -> str:
    """The ``segment`` filter: a segment key as the workspace's name for it, "–" for none.

    Reads the names from the page's context so one template environment serves every
    workspace; a page that passes none shows keys."""
    if not key:
        return "–"
    names: Mapping[str, Any] = context.get(SEGMENT_NAMES) or {}
    return str(names.get(key) or key)


def segment_names(db: Session, workspace_id: int) -> dict[str, str]:
    """What a page passes as ``segment_names``: the workspace's segments, key → name."""
    return dict(segments_of_workspace(db, workspace_id))
