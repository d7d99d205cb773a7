"""Settings → "Members": owners and admins add people by e-mail (an existing login gets the
membership; a new person gets a "set your password" link shown once, which works once),
change roles and remove members after a confirmation. Only an owner grants or takes away
the owner role, the last owner stays, nobody changes their own role; CSRF, audit, roles,
escaping and workspace isolation; EN/RU/HU."""

from __future__ import annotations

import time
from collections.abc import Iterator
from html import unescape

import pytest
from fastapi import FastAPI
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db import accounts, members
from kano.adapters.db.orm import ApiToken, AuditEntry, Membership, User
from kano.adapters.web.routes import set_password
from kano.domain.shared.errors import PermissionDenied
from kano.domain.workspaces import Role, Scope
from tests.integration.web.browsing import Browser, csrf_token_in, text_of
from tests.integration.web.seed import PASSWORD, SeededCompanies


@pytest.fixture
def stranger(app: FastAPI) -> Iterator[Browser]:
    """A second browser: the person who is added, with no session of the first."""
    with TestClient(app, follow_redirects=False) as client:
        yield Browser(client)


def _roles(sessions: sessionmaker[Session], workspace_id: int) -> dict[str, str]:
    with sessions() as session:
        rows = session.execute(
            select(User.email, Membership.role).join(Membership, Membership.user_id == User.id)
            .where(Membership.workspace_id == workspace_id)).all()
    return {email: role for email, role in rows}


def _membership_id(sessions: sessionmaker[Session], workspace_id: int, email: str) -> int:
    with sessions() as session:
        return session.scalars(
            select(Membership.id).join(User, User.id == Membership.user_id)
            .where(Membership.workspace_id == workspace_id, User.email == email)).one()


def _add_user(sessions: sessionmaker[Session], email: str, role: Role | None = None,
              workspace: str = "acme", name: str | None = None) -> None:
    with sessions.begin() as session:
        user = accounts.ensure_user(session, email, PASSWORD, name=name)
        if role is not None:
            accounts.grant_role(session, accounts.get_workspace(session, workspace), user, role)


def _link_in(html: str) -> str:
    return unescape(html.split('id="new-secret"')[1].split('value="')[1].split('"')[0])


def test_an_existing_user_added_logs_in_and_sees_the_workspace(
    browser: Browser, stranger: Browser, companies: SeededCompanies,
    sessions: sessionmaker[Session],
) -> None:
    _add_user(sessions, "carol@else.test", name="Carol")  # a login, but no workspace
    assert "Acme Ltd" not in stranger.log_in("carol@else.test", PASSWORD).text

    browser.log_in(companies.bob, PASSWORD)  # owner of Acme
    page = browser.page("/settings")
    listed = text_of(page.text, "member-list")
    assert "Bob" in listed and "Alice" in listed and companies.alice in listed
    added = browser.client.post("/settings/members", data={
        "email": " Carol@Else.test ", "role": "analyst", "csrf_token": csrf_token_in(page.text)})
    assert added.status_code == 303, added.text
    assert added.headers["location"] == "/settings?saved=member-added#members"
    after = browser.page(added.headers["location"]).text
    assert "is a member now" in text_of(after, "member-notice")
    assert "carol@else.test" in text_of(after, "member-list")
    assert "new-secret" not in after  # no link: she has a password already
    assert _roles(sessions, companies.acme_id)["carol@else.test"] == "analyst"

    # Her session sees Acme from the next page on.
    assert "Acme Ltd" in stranger.page("/").text

    again = browser.client.post("/settings/members", data={
        "email": "carol@else.test", "role": "viewer", "csrf_token": csrf_token_in(page.text)})
    assert again.status_code == 422
    assert "member of the workspace already" in text_of(again.text, "member-email-error")
    with sessions() as session:
        entries = session.execute(
            select(AuditEntry.action, AuditEntry.actor, AuditEntry.detail)
            .where(AuditEntry.entity == "membership", AuditEntry.action == "add")).all()
    assert [(a, b, c) for a, b, c in entries] == [
        ("add", companies.bob, {"email": "carol@else.test", "role": "analyst"})]


def test_a_new_person_gets_a_link_that_works_once_then_logs_in(
    browser: Browser, stranger: Browser, companies: SeededCompanies,
    sessions: sessionmaker[Session],
) -> None:
    browser.log_in(companies.bob, PASSWORD)
    added = browser.client.post("/settings/members", data={
        "email": "dave@new.test", "role": "manager", "csrf_token": browser.session_token()})
    assert added.status_code == 200, added.text
    assert added.headers["cache-control"] == "no-store"
    assert "only time the link is shown" in text_of(added.text, "link-once")
    link = _link_in(added.text)
    assert link.startswith("http://testserver/set-password?token=")
    # Not shown again anywhere on the settings page.
    settings = browser.page("/settings").text
    assert link.split("token=")[1] not in settings
    assert "no password yet" in text_of(settings, "member-list")

    # Before setting a password the person cannot log in at all.
    refused = stranger.log_in("dave@new.test", "")
    assert refused.status_code == 400

    form = stranger.page(link.removeprefix("http://testserver"))
    assert "dave@new.test" in text_of(form.text, "set-password-for")
    token = link.split("token=")[1]
    no_csrf = stranger.client.post("/set-password", data={
        "token": token, "password": "s3cret-pass", "password_again": "s3cret-pass"})
    assert no_csrf.status_code == 403
    form_token = csrf_token_in(form.text)
    mismatch = stranger.client.post("/set-password", data={
        "token": token, "password": "s3cret-pass", "password_again": "other",
        "csrf_token": form_token})
    assert mismatch.status_code == 422
    assert "not the same" in text_of(mismatch.text, "password-error")
    short = stranger.client.post("/set-password", data={
        "token": token, "password": "nine-char", "password_again": "nine-char",
        "csrf_token": form_token})
    assert short.status_code == 422
    assert "at least 10 characters" in text_of(short.text, "password-error")

    done = stranger.client.post("/set-password", data={
        "token": token, "password": "s3cret-pass", "password_again": "s3cret-pass",
        "csrf_token": form_token})
    assert done.status_code == 303 and done.headers["location"] == "/login"

    # The link is used up: the page and the form both refuse it, without a 500.
    used = stranger.client.get(link.removeprefix("http://testserver"))
    assert used.status_code == 400
    assert "cannot be used" in text_of(used.text, "link-invalid")
    # Even with a valid form token (its cookie is cleared after use), the link is spent.
    stranger.client.cookies.set(set_password.CSRF_COOKIE, form_token, domain="testserver.local",
                                path="/set-password")
    second = stranger.client.post("/set-password", data={
        "token": token, "password": "hijack-pass", "password_again": "hijack-pass",
        "csrf_token": form_token})
    assert second.status_code == 400
    assert stranger.log_in("dave@new.test", "hijack-pass").status_code == 400

    logged_in = stranger.log_in("dave@new.test", "s3cret-pass")
    assert logged_in.status_code == 303
    assert "Acme Ltd" in stranger.page("/").text
    assert _roles(sessions, companies.acme_id)["dave@new.test"] == "manager"
    assert "active" in text_of(browser.page("/settings").text, "member-list")


def test_a_forged_or_expired_link_shows_a_clear_page(
    stranger: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
    app: FastAPI, monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = app.state.kano_web.container.settings
    with sessions() as session:
        bob = session.scalars(select(User).where(User.email == companies.bob)).one()
        honest = set_password.set_password_token(settings, bob)
        monkeypatch.setattr(TimestampSigner, "get_timestamp",
                            lambda _self: int(time.time()) - 8 * 24 * 3600)
        expired = set_password.set_password_token(settings, bob)
        monkeypatch.undo()
    forged = URLSafeTimedSerializer("not-our-key", salt=set_password.LINK_SALT).dumps(
        {"u": 1, "f": "x"})
    assert stranger.client.get("/set-password", params={"token": honest}).status_code == 200
    for token in (forged, expired, "garbage", "", honest[:-3] + "abc"):
        page = stranger.client.get("/set-password", params={"token": token})
        assert page.status_code == 400, token
        assert "cannot be used" in text_of(page.text, "link-invalid")
    ru = stranger.client.get("/set-password", params={"token": "x", "lang": "ru"})
    assert "Эту ссылку нельзя использовать" in text_of(ru.text, "link-invalid")
    hu = stranger.client.get("/set-password", params={"token": "x", "lang": "hu"})
    assert "Ez a link nem használható" in text_of(hu.text, "link-invalid")


def test_a_role_change_and_a_removal_take_effect(
    browser: Browser, stranger: Browser, companies: SeededCompanies,
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        acme = accounts.get_workspace(session, "acme")
        alice = session.scalars(select(User).where(User.email == companies.alice)).one()
        token_id = accounts.create_api_token(session, acme, Scope.READ, "alice's", user=alice
                                             ).record.id
    alice_id = _membership_id(sessions, companies.acme_id, companies.alice)
    stranger.log_in(companies.alice, PASSWORD)  # analyst: no Members section
    assert 'id="members"' not in stranger.page("/settings").text

    browser.log_in(companies.bob, PASSWORD)
    changed = browser.client.post(f"/settings/members/{alice_id}/role", data={
        "role": "admin", "csrf_token": browser.session_token()})
    assert changed.status_code == 303
    assert "role is changed" in text_of(browser.page(changed.headers["location"]).text,
                                        "member-notice")
    assert _roles(sessions, companies.acme_id)[companies.alice] == "admin"
    assert 'id="members"' in stranger.page("/settings").text  # her next page: an admin

    confirm = browser.page(f"/settings/members/{alice_id}/remove")
    assert "Remove this member?" in confirm.text and companies.alice in confirm.text
    removed = browser.client.post(f"/settings/members/{alice_id}/remove",
                                  data={"csrf_token": csrf_token_in(confirm.text)})
    assert removed.status_code == 303
    assert removed.headers["location"] == "/settings?saved=member-removed#members"
    assert companies.alice not in _roles(sessions, companies.acme_id)
    assert "Acme Ltd" not in stranger.page("/").text  # her session lost Acme at once
    with sessions() as session:
        assert session.get(ApiToken, token_id).revoked_at is not None  # type: ignore[union-attr]
        actions = session.scalars(select(AuditEntry.action).where(
            AuditEntry.entity == "membership", AuditEntry.actor == companies.bob,
            AuditEntry.action != "grant")
            .order_by(AuditEntry.id)).all()
    assert actions == ["change_role", "remove"]
    assert browser.client.post(f"/settings/members/{alice_id}/remove",
                               data={"csrf_token": browser.session_token()}).status_code == 404


def test_the_last_owner_stays_and_nobody_changes_their_own_role(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    bob_id = _membership_id(sessions, companies.acme_id, companies.bob)
    browser.log_in(companies.bob, PASSWORD)  # the only owner of Acme
    token = browser.session_token()
    own = browser.client.post(f"/settings/members/{bob_id}/role",
                              data={"role": "viewer", "csrf_token": token})
    assert own.status_code == 422
    assert "Nobody can change their own role" in text_of(own.text, f"member-error-{bob_id}")
    leave = browser.client.post(f"/settings/members/{bob_id}/remove",
                                data={"csrf_token": token})
    assert leave.status_code == 422
    assert "last owner" in text_of(leave.text, f"member-error-{bob_id}")
    assert _roles(sessions, companies.acme_id)[companies.bob] == "owner"

    # The rule holds below the web page too: the operator (no user) cannot demote him.
    system = members.Actor("cli", Role.OWNER, None)
    with sessions() as session, pytest.raises(members.LastOwner):
        members.change_member_role(session, companies.acme_id, bob_id, Role.ADMIN, system)

    # With a second owner, Bob may leave; the second owner is then the last one.
    _add_user(sessions, "olga@acme.test", Role.OWNER)
    olga_id = _membership_id(sessions, companies.acme_id, "olga@acme.test")
    with sessions.begin() as session:
        members.change_member_role(session, companies.acme_id, olga_id, Role.ADMIN, system)
        members.change_member_role(session, companies.acme_id, olga_id, Role.OWNER, system)
    assert browser.page(f"/settings/members/{bob_id}/remove").text.count("Leave") >= 1
    left = browser.client.post(f"/settings/members/{bob_id}/remove",
                               data={"csrf_token": token})
    assert left.status_code == 303 and left.headers["location"] == "/"
    assert _roles(sessions, companies.acme_id) == {
        companies.alice: "analyst", "olga@acme.test": "owner"}
    with sessions() as session, pytest.raises(members.LastOwner):
        members.remove_member(session, companies.acme_id, olga_id, system)


def test_an_admin_can_neither_make_nor_unmake_an_owner(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    _add_user(sessions, "adam@acme.test", Role.ADMIN, name="Adam")
    bob_id = _membership_id(sessions, companies.acme_id, companies.bob)
    alice_id = _membership_id(sessions, companies.acme_id, companies.alice)
    browser.log_in("adam@acme.test", PASSWORD)
    token = browser.session_token()

    promote = browser.client.post(f"/settings/members/{alice_id}/role",
                                  data={"role": "owner", "csrf_token": token})
    assert promote.status_code == 403
    assert "Only an owner may" in text_of(promote.text, f"member-error-{alice_id}")
    demote = browser.client.post(f"/settings/members/{bob_id}/role",
                                 data={"role": "admin", "csrf_token": token})
    assert demote.status_code == 403
    assert browser.client.post(f"/settings/members/{bob_id}/remove",
                               data={"csrf_token": token}).status_code == 403
    new_owner = browser.client.post("/settings/members", data={
        "email": "eve@new.test", "role": "owner", "csrf_token": token})
    assert new_owner.status_code == 403
    assert "Only an owner may" in text_of(new_owner.text, "member-new-role-error")
    assert 'value="eve@new.test"' in new_owner.text
    bad_role = browser.client.post("/settings/members", data={
        "email": "eve@new.test", "role": "emperor", "csrf_token": token})
    assert bad_role.status_code == 422
    bad_email = browser.client.post("/settings/members", data={
        "email": "not an address", "role": "viewer", "csrf_token": token})
    assert bad_email.status_code == 422
    assert "name@example.com" in text_of(bad_email.text, "member-email-error")
    assert _roles(sessions, companies.acme_id) == {
        companies.alice: "analyst", companies.bob: "owner", "adam@acme.test": "admin"}
    with sessions() as session:
        assert session.scalar(select(User).where(User.email == "eve@new.test")) is None

    # What an admin may do: manage the other roles.
    assert browser.client.post(f"/settings/members/{alice_id}/role", data={
        "role": "viewer", "csrf_token": token}).status_code == 303
    with sessions() as session, pytest.raises(PermissionDenied):
        members.change_member_role(session, companies.acme_id, alice_id, Role.OWNER,
                                   members.Actor("adam@acme.test", Role.ADMIN, None))


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANALYST, Role.MANAGER])
def test_other_roles_neither_see_nor_use_the_section(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session], role: Role,
) -> None:
    _add_user(sessions, "vic@acme.test", role)
    alice_id = _membership_id(sessions, companies.acme_id, companies.alice)
    browser.log_in("vic@acme.test", PASSWORD)
    page = browser.page("/settings")
    assert 'id="members"' not in page.text and 'action="/settings/members"' not in page.text
    token = csrf_token_in(page.text)
    added = browser.client.post("/settings/members", data={
        "email": "mallory@evil.test", "role": "owner", "csrf_token": token})
    assert added.status_code == 403
    assert "Only a workspace owner or admin may manage the members" in added.text
    assert browser.client.post(f"/settings/members/{alice_id}/role", data={
        "role": "viewer", "csrf_token": token}).status_code == 403
    assert browser.client.get(f"/settings/members/{alice_id}/remove").status_code == 403
    assert browser.client.post(f"/settings/members/{alice_id}/remove",
                               data={"csrf_token": token}).status_code == 403
    assert _roles(sessions, companies.acme_id)[companies.alice] == "analyst"
    assert "mallory@evil.test" not in _roles(sessions, companies.acme_id)


def test_missing_csrf_is_refused(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    alice_id = _membership_id(sessions, companies.acme_id, companies.alice)
    browser.log_in(companies.bob, PASSWORD)
    assert browser.client.post("/settings/members", data={
        "email": "x@y.test", "role": "viewer"}).status_code == 403
    assert browser.client.post(f"/settings/members/{alice_id}/role",
                               data={"role": "admin"}).status_code == 403
    assert browser.client.post(f"/settings/members/{alice_id}/remove",
                               data={"csrf_token": "forged"}).status_code == 403
    assert _roles(sessions, companies.acme_id) == {
        companies.alice: "analyst", companies.bob: "owner"}


def test_a_hostile_name_is_escaped(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    hostile = '<script>alert("m")</script>'
    _add_user(sessions, "xss@acme.test", Role.VIEWER, name=hostile)
    member_id = _membership_id(sessions, companies.acme_id, "xss@acme.test")
    browser.log_in(companies.bob, PASSWORD)
    for path in ("/settings", f"/settings/members/{member_id}/remove"):
        html = browser.page(path).text
        assert hostile not in html
        assert "&lt;script&gt;alert(&#34;m&#34;)&lt;/script&gt;" in html


def test_a_member_of_another_workspace_is_not_found(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    _add_user(sessions, "gina@globex.test", Role.ANALYST, workspace="globex", name="Gina")
    theirs = _membership_id(sessions, companies.globex_id, "gina@globex.test")
    browser.log_in(companies.bob, PASSWORD)  # owner of Acme
    page = browser.page("/settings")
    assert "gina@globex.test" not in page.text
    token = csrf_token_in(page.text)
    assert browser.client.get(f"/settings/members/{theirs}/remove").status_code == 404
    assert browser.client.post(f"/settings/members/{theirs}/remove",
                               data={"csrf_token": token}).status_code == 404
    assert browser.client.post(f"/settings/members/{theirs}/role", data={
        "role": "viewer", "csrf_token": token}).status_code == 404
    assert _roles(sessions, companies.globex_id)["gina@globex.test"] == "analyst"


def test_the_section_speaks_russian_and_hungarian(
    browser: Browser, companies: SeededCompanies,
) -> None:
    browser.log_in(companies.bob, PASSWORD)
    ru = browser.page("/settings?lang=ru").text
    assert "Участники" in text_of(ru, "members-heading")
    hu = browser.page("/settings?lang=hu").text
    assert "Tagok" in text_of(hu, "members-heading")


@pytest.mark.usefixtures("mid_window_limits")
def test_set_password_posts_are_rate_limited_per_address(
    stranger: Browser, companies: SeededCompanies, app: FastAPI,
) -> None:
    settings = app.state.kano_web.container.settings
    form_token = set_password._csrf_serializer(settings).dumps("rate")
    stranger.client.cookies.set(set_password.CSRF_COOKIE, form_token, domain="testserver.local",
                                path="/set-password")
    limit = set_password.POSTS_PER_MINUTE_PER_IP
    answers = [stranger.client.post("/set-password", data={
        "token": "x", "password": "abcd", "password_again": "abcd", "csrf_token": form_token,
    }) for _ in range(limit + 1)]
    assert [answer.status_code for answer in answers] == [400] * limit + [429]
    assert int(answers[-1].headers["retry-after"]) >= 1
    assert "Too many attempts" in text_of(answers[-1].text, "too-many")


def test_a_new_link_replaces_a_lost_one_and_only_for_someone_without_a_password(
    browser: Browser, stranger: Browser, companies: SeededCompanies,
    sessions: sessionmaker[Session],
) -> None:
    browser.log_in(companies.bob, PASSWORD)
    added = browser.client.post("/settings/members", data={
        "email": "erin@new.test", "role": "viewer", "csrf_token": browser.session_token()})
    lost = _link_in(added.text).removeprefix("http://testserver")
    erin = _membership_id(sessions, companies.acme_id, "erin@new.test")
    token = browser.session_token()
    assert browser.client.post(f"/settings/members/{erin}/link").status_code == 403  # no CSRF
    renewed = browser.client.post(f"/settings/members/{erin}/link", data={"csrf_token": token})
    assert renewed.status_code == 200 and renewed.headers["cache-control"] == "no-store"
    assert "no longer work" in text_of(renewed.text, "links-renewed")
    fresh = _link_in(renewed.text).removeprefix("http://testserver")
    assert fresh != lost
    assert stranger.client.get(lost).status_code == 400  # the lost link is dead
    form = stranger.page(fresh)
    done = stranger.client.post("/set-password", data={
        "token": fresh.split("token=")[1], "password": "s3cret-pass",
        "password_again": "s3cret-pass", "csrf_token": csrf_token_in(form.text)})
    assert done.status_code == 303
    assert stranger.log_in("erin@new.test", "s3cret-pass").status_code == 303

    # Someone with a password needs no link: a new one would let its holder take over.
    refused = browser.client.post(f"/settings/members/{erin}/link", data={"csrf_token": token})
    assert refused.status_code == 422
    assert "no link is needed" in refused.text
    alice = _membership_id(sessions, companies.acme_id, companies.alice)
    assert browser.client.post(f"/settings/members/{alice}/link",
                               data={"csrf_token": token}).status_code == 422
    # Another workspace's member is not found; a viewer may not ask.
    _add_user(sessions, "gina@globex.test", Role.ANALYST, workspace="globex", name="Gina")
    theirs = _membership_id(sessions, companies.globex_id, "gina@globex.test")
    assert browser.client.post(f"/settings/members/{theirs}/link",
                               data={"csrf_token": token}).status_code == 404
    viewer = stranger.client.post(f"/settings/members/{alice}/link",
                                  data={"csrf_token": stranger.session_token()})
    assert viewer.status_code == 403
