"""Which workspace a command means: the one named by ``--workspace``, else the only one,
else ``demo`` — one rule for every command."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.orm import Workspace
from kano.domain.shared.errors import InvalidInput, NotFound


def chosen_workspace(session: Session, slug: str | None) -> tuple[str, int]:
    """The workspace's slug and id; an unknown slug, or no slug among several workspaces
    without a ``demo``, is an error that says what to type."""
    found = {str(s): int(i) for s, i in session.execute(select(Workspace.slug, Workspace.id))}
    if slug is None:
        if len(found) == 1:
            slug = next(iter(found))
        elif "demo" in found:
            slug = "demo"
        else:
            choices = ", ".join(sorted(found)) or "(none: run kano demo or kano user create)"
            raise InvalidInput("--workspace", f"choose one of {choices}")
    if slug not in found:
        raise NotFound("workspace", slug)
    return slug, found[slug]
