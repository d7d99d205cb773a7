from __future__ import annotations

import pytest

from kano.domain.workspaces import Role, Scope, role_allows


@pytest.mark.parametrize(
    ("role", "needed", "allowed"),
    [
        (Role.OWNER, Role.ADMIN, True),
        (Role.ADMIN, Role.OWNER, False),
        (Role.VIEWER, Role.VIEWER, True),
        (Role.VIEWER, Role.MANAGER, False),
        (Role.ANALYST, Role.MANAGER, True),
        (Role.MANAGER, Role.ANALYST, True),
        (Role.MANAGER, Role.ADMIN, False),
    ],
)
def test_role_hierarchy(role: Role, needed: Role, allowed: bool) -> None:
    assert role_allows(role, needed) is allowed


def test_write_scope_covers_read_but_not_the_reverse() -> None:
    assert Scope.WRITE.covers(Scope.READ)
    assert Scope.WRITE.covers(Scope.WRITE)
    assert Scope.READ.covers(Scope.READ)
    assert not Scope.READ.covers(Scope.WRITE)
