"""Roles and scopes: who may do what inside a workspace (SPEC §2.1)."""

from __future__ import annotations

import re
from collections.abc import Collection
from enum import StrEnum

from kano.domain.shared.errors import InvalidInput


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    ANALYST = "analyst"
    MANAGER = "manager"
    VIEWER = "viewer"


# Most powerful first; a role may do what any role after it may do, except that analysts
# and managers are peers (analysts read everything, managers edit what they own).
ROLE_ORDER: tuple[Role, ...] = (Role.OWNER, Role.ADMIN, Role.ANALYST, Role.MANAGER, Role.VIEWER)


def role_allows(role: Role, needed: Role) -> bool:
    """True when ``role`` is at least as powerful as ``needed``."""
    if {role, needed} == {Role.ANALYST, Role.MANAGER}:
        return True
    return ROLE_ORDER.index(role) <= ROLE_ORDER.index(needed)


def may_change_everything(role: Role) -> bool:
    """Admins and owners change the whole strategy, its structure included."""
    return role_allows(role, Role.ADMIN)


def may_change_owned(role: Role, user_id: int | None, owners: Collection[int | None]) -> bool:
    """The ownership rule of strategy edits, in the API and the web UI alike: admins change
    everything; managers and analysts change an item when they are among its ``owners``
    (user ids: of the item, or of the objective it belongs to); viewers change nothing."""
    if may_change_everything(role):
        return True
    if role is Role.VIEWER or user_id is None:
        return False
    return user_id in owners


class Scope(StrEnum):
    READ = "read"
    WRITE = "write"

    def covers(self, needed: Scope) -> bool:
        """A write token can read; a read token cannot write."""
        return self is Scope.WRITE or needed is Scope.READ


_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def validate_slug(slug: str) -> str:
    """Workspace slugs appear in URLs and CLI flags: lower-case letters, digits, dashes."""
    if not _SLUG.match(slug):
        raise InvalidInput(
            "slug", "use 1–63 lower-case letters, digits or dashes, starting with a letter or digit"
        )
    return slug
