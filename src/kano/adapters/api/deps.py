"""FastAPI dependencies as ``Annotated`` aliases, so routes read like their contract.

``def list_customers(caller: ReadAccess, session: SessionDep)`` says: a ``read`` token is
required, and the route queries through the request's session.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response, Security
from fastapi.security import HTTPAuthorizationCredentials, SecurityScopes
from sqlalchemy.orm import Session

from kano.adapters.api.auth import (
    Caller,
    bearer_scheme,
    granted_scopes,
    insufficient_scope,
    not_authenticated,
    record_token_use,
)
from kano.adapters.db import accounts
from kano.adapters.web.i18n import LANGUAGES, accepted_languages, supported
from kano.bootstrap import Container
from kano.domain.workspaces import Scope


def container_of(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def request_session(request: Request) -> Iterator[Session]:
    """One session per request, closed (uncommitted work rolled back) when it ends."""
    with container_of(request).sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(request_session)]


def authenticated_caller(
    security_scopes: SecurityScopes,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Caller:
    """The caller behind the bearer token, checked against the scopes the route needs.

    FastAPI caches ``request_session`` per request, so this is the route's own session
    and the token and workspace returned stay attached to it.
    """
    if credentials is None:
        raise not_authenticated(
            "Send an API token in the header `Authorization: Bearer kano_…`.",
            invalid_token=False,
        )
    found = accounts.authenticate_token(session, credentials.credentials)
    if found is None:
        raise not_authenticated("The token is unknown or has been revoked.", invalid_token=True)
    token, workspace = found
    record_token_use(session, token)
    caller = Caller(token=token, workspace=workspace, scopes=granted_scopes(token.scopes))
    for needed in map(Scope, security_scopes.scopes):
        if not caller.may(needed):
            raise insufficient_scope(caller, needed)
    return caller


def require_scope(scope: Scope) -> Any:
    """A dependency marker requiring ``scope``; it also lists the scope in the OpenAPI
    security requirement, so clients see which token each operation needs."""
    return Security(authenticated_caller, scopes=[scope.value])


CurrentCaller = Annotated[Caller, Depends(authenticated_caller)]
"""Any valid token, whatever its scope."""

ReadAccess = Annotated[Caller, require_scope(Scope.READ)]
WriteAccess = Annotated[Caller, require_scope(Scope.WRITE)]


def reader_language(
    response: Response,
    accept_language: Annotated[
        str | None,
        Header(
            description="The reader's language for the `…_display` fields: `en`, `ru` or "
            "`hu` (the first of these the header names; English otherwise)."
        ),
    ] = None,
) -> str:
    """The first supported language the request's ``Accept-Language`` names, else English
    (the web UI's order for a browser, without its cookie or profile); the response says
    which in ``Content-Language``, and ``Vary`` tells caches it depends on the header."""
    chosen = next(filter(None, map(supported, accepted_languages(accept_language))), LANGUAGES[0])
    response.headers["Content-Language"] = chosen
    response.headers["Vary"] = "Accept-Language"
    return chosen


ReaderLanguage = Annotated[str, Depends(reader_language)]
"""The language of the texts an endpoint writes for people to read (``title_display``)."""
