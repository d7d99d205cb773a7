"""``/webhooks``: the workspace's webhook endpoints (SPEC 2.5, 2.12) — list them with how
their messages fared, add one (its signing secret is in that answer only), enable or
disable it, change its URL, rotate its secret, delete it.

Administering where the workspace's data is sent is the admins' business: every route
needs a `write` token acting as an admin or owner (see **Roles** in the tag description),
listing included, since a URL may carry credentials of the receiving system. The URL rule
is the CLI's and the web page's (:mod:`kano.adapters.db.webhook_endpoints`): a bad URL is
a 422 naming `url`. An endpoint of another workspace is a 404. Every change is audited.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response

from kano.adapters.api.deps import SessionDep, container_of
from kano.adapters.api.editing import EditorDep, write_responses
from kano.adapters.api.params import ResourceId
from kano.adapters.api.schemas.webhooks import (
    Deliveries,
    WebhookEndpoint,
    WebhookEndpointChange,
    WebhookEndpointIn,
    WebhookEndpoints,
)
from kano.adapters.db import webhook_endpoints as store
from kano.adapters.db.webhook_endpoints import EndpointLine
from kano.domain.shared.errors import NotFound

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

WHAT = "webhook endpoints"


def _out(line: EndpointLine, secret: str | None = None) -> WebhookEndpoint:
    return WebhookEndpoint(
        id=line.id, url=line.url, enabled=line.enabled, created_at=line.created_at,
        deliveries=Deliveries(delivered=line.delivered, failed=line.failed,
                              pending=line.pending),
        secret=secret, old_secret_signs_until=line.old_secret_signs_until,
    )


def _not_found(endpoint_id: int) -> HTTPException:
    return HTTPException(404, detail=f"No webhook endpoint {endpoint_id} in this workspace.")


def _allow_private(request: Request) -> bool:
    return container_of(request).settings.webhook_allow_private


@router.get("", summary="List the webhook endpoints", response_model=WebhookEndpoints,
            response_model_exclude_none=True,
            responses=write_responses(401, 403, 500))  # fmt: skip
def list_webhooks(editor: EditorDep, session: SessionDep) -> WebhookEndpoints:
    """In the order they were added, each with its delivered, failed and pending messages,
    and, after a rotation, until when the replaced secret still signs. Secrets are never
    listed."""
    editor.require_admin(WHAT)
    return WebhookEndpoints(items=[_out(line) for line in
                                   store.webhook_endpoints(session, editor.workspace_id)])


@router.post("", summary="Add a webhook endpoint", status_code=201,
             response_model=WebhookEndpoint,
             responses=write_responses(400, 401, 403, 422, 500))  # fmt: skip
def create_webhook(editor: EditorDep, session: SessionDep, request: Request,
                   body: WebhookEndpointIn) -> WebhookEndpoint:
    """Every accepted response is POSTed to it from now on, signed the Standard Webhooks
    way with the `secret` of this answer: keep it, it is not shown again."""
    editor.require_admin(WHAT)
    added = store.add_webhook_endpoint(
        session, editor.workspace_id, body.url, allow_private=_allow_private(request),
        actor=editor.actor, user_id=editor.user_id)
    session.commit()
    return _out(added.endpoint, added.secret)


@router.patch("/{endpoint_id}", summary="Enable, disable or re-aim a webhook endpoint, "
              "or rotate its secret", response_model=WebhookEndpoint,
              response_model_exclude_none=True,
              responses=write_responses(400, 401, 403, 404, 422, 500))  # fmt: skip
def update_webhook(editor: EditorDep, session: SessionDep, request: Request,
                   endpoint_id: ResourceId, body: WebhookEndpointChange) -> WebhookEndpoint:
    """With `rotate_secret: true` the answer carries the new `secret` (this one time); the
    next delivery, even of a message queued before, is signed with it, and also with the
    replaced secret until `old_secret_signs_until`, so the receiver can switch meanwhile."""
    editor.require_admin(WHAT)
    try:
        line = store.change_webhook_endpoint(
            session, editor.workspace_id, endpoint_id, url=body.url, enabled=body.enabled,
            allow_private=_allow_private(request), actor=editor.actor, user_id=editor.user_id)
        secret = None
        if body.rotate_secret:
            rotated = store.rotate_webhook_secret(
                session, editor.workspace_id, endpoint_id, actor=editor.actor,
                user_id=editor.user_id,
                overlap=store.secret_overlap(container_of(request).settings))
            line, secret = rotated.endpoint, rotated.secret
    except NotFound as error:
        raise _not_found(endpoint_id) from error
    session.commit()
    return _out(line, secret)


@router.delete("/{endpoint_id}", summary="Delete a webhook endpoint", status_code=204,
               response_class=Response,
               responses=write_responses(401, 403, 404, 422, 500))  # fmt: skip
def delete_webhook(editor: EditorDep, session: SessionDep, endpoint_id: ResourceId) -> Response:
    """Nothing more is sent to it; its queued and past messages are deleted with it."""
    editor.require_admin(WHAT)
    try:
        store.delete_webhook_endpoint(session, editor.workspace_id, endpoint_id,
                                      actor=editor.actor, user_id=editor.user_id)
    except NotFound as error:
        raise _not_found(endpoint_id) from error
    session.commit()
    return Response(status_code=204)

