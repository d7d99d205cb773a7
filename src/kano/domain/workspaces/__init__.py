"""Workspaces, roles and token scopes."""

from kano.domain.workspaces.model import (
    ROLE_ORDER,
    Role,
    Scope,
    may_change_everything,
    may_change_owned,
    role_allows,
    validate_slug,
)

__all__ = [
    "ROLE_ORDER",
    "Role",
    "Scope",
    "may_change_everything",
    "may_change_owned",
    "role_allows",
    "validate_slug",
]
