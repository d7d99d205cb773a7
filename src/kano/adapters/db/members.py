"""The people of a workspace: list its members, add one by e-mail, change a role, remove one.

Used by Settings → "Members" (owners and admins). The rules, checked here so every caller
gets them:

- only an owner may grant the owner role or take it away (demote or remove an owner);
- the last owner of a workspace can be neither demoted nor removed;
- nobody changes their own role (leaving the workspace is allowed, the last owner aside);
- every change is audited (``accounts.audit``) in the caller's transaction;
- a membership id of another workspace is :class:`NotFound` (tenant isolation).

A person added by an e-mail that has no account yet gets a user that cannot log in
(inactive, an unusable random password) until they set a password through the signed link
of :mod:`kano.adapters.web.routes.set_password`. The owner count is read with the owners'
rows locked (``FOR UPDATE`` on PostgreSQL), so two owners demoting each other at the same
moment cannot leave the workspace with none.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from kano.adapters.db.accounts import audit, hash_password
from kano.adapters.db.orm import ApiToken, Membership, User, utcnow
from kano.domain.shared.errors import InvalidInput, NotFound, PermissionDenied
from kano.domain.workspaces import ROLE_ORDER, Role

EMAIL_MAX_LENGTH = 320  # users.email is VARCHAR(320)
# One @, something on both sides, a dot in the domain, no spaces, quotes or angle brackets.
_EMAIL = re.compile(r"^[^@\s<>\"'()\\,;:]+@[^@\s<>\"'()\\,;:]+\.[^@\s<>\"'()\\,;:.]+$")


@dataclass(frozen=True)
class MemberLine:
    """One member as the list shows them."""

    id: int  # the membership's id
    user_id: int
    name: str
    email: str
    role: Role
    active: bool  # False: cannot log in (e.g. has not set a password yet)


@dataclass(frozen=True)
class AddedMember:
    membership: Membership
    user: User
    created: bool  # a new user, who still has to set a password


@dataclass(frozen=True)
class Actor:
    """Who makes the change: their e-mail for the audit log, their role in the workspace
    and their user id (None for the system, e.g. a command line run by the operator)."""

    email: str
    role: Role
    user_id: int | None


class LastOwner(InvalidInput):
    """The change would leave the workspace without an owner."""

    def __init__(self) -> None:
        super().__init__("role", "the last owner of a workspace can be neither demoted nor removed")


class OwnSelf(InvalidInput):
    """Nobody changes their own role."""

    def __init__(self) -> None:
        super().__init__("role", "nobody can change their own role")


class AlreadyMember(InvalidInput):
    def __init__(self) -> None:
        super().__init__("email", "is a member of this workspace already")


class HasPassword(InvalidInput):
    def __init__(self) -> None:
        super().__init__("member", "has set a password already: a link is not needed")


def checked_email(email: str) -> str:
    email = email.strip().lower()
    if not email:
        raise InvalidInput("email", "give the person's e-mail address")
    if len(email) > EMAIL_MAX_LENGTH or not _EMAIL.match(email):
        raise InvalidInput("email", "is not an e-mail address")
    return email


def checked_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InvalidInput("role", f"choose one of {', '.join(ROLE_ORDER)}") from None


def workspace_members(session: Session, workspace_id: int) -> list[MemberLine]:
    """The workspace's members, owners first, then by name."""
    rows = session.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.workspace_id == workspace_id)
        .order_by(User.name, User.email, Membership.id)
    ).all()
    lines = [MemberLine(m.id, u.id, u.name, u.email, Role(m.role), bool(u.is_active))
             for m, u in rows]
    return sorted(lines, key=lambda line: ROLE_ORDER.index(line.role))


def workspace_member(session: Session, workspace_id: int, membership_id: int) -> MemberLine:
    """One member of this workspace; NotFound for an id of another workspace."""
    row = session.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.workspace_id == workspace_id, Membership.id == membership_id)
    ).first()
    if row is None:
        raise NotFound("member", str(membership_id))
    membership, user = row
    return MemberLine(membership.id, user.id, user.name, user.email, Role(membership.role),
                      bool(user.is_active))


def _owner_count(session: Session, workspace_id: int) -> int:
    """How many owners the workspace has, their rows locked until the transaction ends."""
    owners = session.scalars(
        select(Membership.id)
        .where(Membership.workspace_id == workspace_id, Membership.role == Role.OWNER.value)
        .with_for_update()
    ).all()
    return len(owners)


def _may_touch_owner_role(actor: Actor, old: Role | None, new: Role | None) -> None:
    if Role.OWNER in (old, new) and old != new and actor.role is not Role.OWNER:
        raise PermissionDenied("only an owner may grant or take away the owner role")


def _membership(session: Session, workspace_id: int, membership_id: int) -> Membership:
    membership = session.scalar(
        select(Membership)
        .where(Membership.workspace_id == workspace_id, Membership.id == membership_id)
        .with_for_update()
    )
    if membership is None:
        raise NotFound("member", str(membership_id))
    return membership


def add_member(session: Session, workspace_id: int, email: str, role: Role,
               actor: Actor) -> AddedMember:
    """Give the person with this e-mail ``role`` in the workspace; a person without an
    account gets one that cannot log in until they set a password."""
    email = checked_email(email)
    _may_touch_owner_role(actor, None, role)
    user = session.scalar(select(User).where(User.email == email))
    created = user is None
    if user is None:
        user = User(email=email, name=email.split("@")[0][:200], is_active=False,
                    password_hash=hash_password(secrets.token_urlsafe(32)))
        session.add(user)
        session.flush()
        audit(session, workspace_id, actor.email, "create", "user", user.id,
              {"email": email}, user_id=actor.user_id)
    elif session.scalar(select(Membership.id).where(
            Membership.workspace_id == workspace_id, Membership.user_id == user.id)):
        raise AlreadyMember
    membership = Membership(workspace_id=workspace_id, user_id=user.id, role=role.value)
    session.add(membership)
    session.flush()
    audit(session, workspace_id, actor.email, "add", "membership", membership.id,
          {"email": email, "role": role.value}, user_id=actor.user_id)
    return AddedMember(membership, user, created)


def change_member_role(session: Session, workspace_id: int, membership_id: int, role: Role,
                       actor: Actor) -> Membership:
    membership = _membership(session, workspace_id, membership_id)
    old = Role(membership.role)
    if membership.user_id == actor.user_id:
        raise OwnSelf
    _may_touch_owner_role(actor, old, role)
    if old is role:
        return membership
    if old is Role.OWNER and _owner_count(session, workspace_id) <= 1:
        raise LastOwner
    membership.role = role.value
    session.flush()
    audit(session, workspace_id, actor.email, "change_role", "membership", membership.id,
          {"user_id": membership.user_id, "from": old.value, "to": role.value},
          user_id=actor.user_id)
    return membership


def remove_member(session: Session, workspace_id: int, membership_id: int,
                  actor: Actor) -> None:
    """Take the person out of the workspace; the API tokens they made for it are revoked
    (a token acts as its maker, and would otherwise keep reading as a viewer)."""
    membership = _membership(session, workspace_id, membership_id)
    old = Role(membership.role)
    if membership.user_id != actor.user_id:
        _may_touch_owner_role(actor, old, None)
    if old is Role.OWNER and _owner_count(session, workspace_id) <= 1:
        raise LastOwner
    user_id = membership.user_id
    revoked = session.execute(
        update(ApiToken)
        .where(ApiToken.workspace_id == workspace_id, ApiToken.user_id == user_id,
               ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    ).rowcount  # type: ignore[attr-defined]
    session.execute(delete(Membership).where(Membership.id == membership.id))
    session.flush()
    audit(session, workspace_id, actor.email, "remove", "membership", membership_id,
          {"user_id": user_id, "role": old.value, "tokens_revoked": int(revoked or 0)},
          user_id=actor.user_id)



def renew_password_link(session: Session, workspace_id: int, membership_id: int,
                        actor: Actor) -> User:
    """A member who has not set a password yet gets a new unusable password, so that every
    earlier set-password link stops working (a link carries a fingerprint of the password
    hash); the caller shows the new link. A member with a password is refused."""
    membership = _membership(session, workspace_id, membership_id)
    user = session.get(User, membership.user_id)
    assert user is not None
    if user.is_active:
        raise HasPassword
    user.password_hash = hash_password(secrets.token_urlsafe(32))
    session.flush()
    audit(session, workspace_id, actor.email, "renew_password_link", "user", user.id,
          {"email": user.email}, user_id=actor.user_id)
    return user
