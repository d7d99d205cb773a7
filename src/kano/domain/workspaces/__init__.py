"""Workspaces, roles and token scopes."""

from kano.domain.workspaces.model import ROLE_ORDER, Role, Scope, role_allows, validate_slug

__all__ = ["ROLE_ORDER", "Role", "Scope", "role_allows", "validate_slug"]
