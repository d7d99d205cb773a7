"""Webhook endpoints: where a workspace's events go, signed with a ``whsec_`` secret."""

from __future__ import annotations

from pydantic import BaseModel, Field

from kano.adapters.api.schemas.editing import RequestBody
from kano.adapters.api.timestamps import UtcDateTime
from kano.adapters.db.webhook_endpoints import URL_MAX_LENGTH

_URL_DESCRIPTION = (
    "The http(s) URL to POST events to. Loopback, private, link-local and reserved "
    "addresses are refused unless the server sets `KANO_WEBHOOK_ALLOW_PRIVATE`."
)


class WebhookEndpointIn(RequestBody):
    url: str = Field(min_length=1, max_length=URL_MAX_LENGTH, description=_URL_DESCRIPTION,
                     examples=["https://hooks.example.com/kano"])


class WebhookEndpointChange(RequestBody):
    """Only the fields given change."""

    url: str | None = Field(None, min_length=1, max_length=URL_MAX_LENGTH,
                            description=_URL_DESCRIPTION)
    enabled: bool | None = Field(
        None, description="false: nothing more is sent (messages already queued fail); "
        "true: sending resumes for new events.")
    rotate_secret: bool = Field(
        False, description="true: a new signing secret is returned in `secret`, this one "
        "time, and signs every delivery from now on; the secret it replaces keeps signing "
        "them too (a second signature) until `old_secret_signs_until`, "
        "`KANO_WEBHOOK_SECRET_OVERLAP_HOURS` (24 by default) later. Rotating again keeps "
        "only the secret just replaced.")


class Deliveries(BaseModel):
    delivered: int = Field(description="Messages the endpoint accepted (2xx).")
    failed: int = Field(description="Messages given up on (refused, or out of retries).")
    pending: int = Field(description="Messages queued or waiting for a retry.")


class WebhookEndpoint(BaseModel):
    id: int
    url: str
    enabled: bool
    created_at: UtcDateTime
    deliveries: Deliveries
    secret: str | None = Field(
        None, description="The `whsec_…` signing secret (Standard Webhooks): only in the "
        "answer that created the endpoint or rotated its secret, never again.")
    old_secret_signs_until: UtcDateTime | None = Field(
        None, description="After a rotation: until when the replaced secret still signs "
        "deliveries alongside the new one (`webhook-signature` carries both, the new one "
        "first). Absent when only the current secret signs.")


class WebhookEndpoints(BaseModel):
    items: list[WebhookEndpoint]
