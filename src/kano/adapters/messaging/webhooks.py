"""Outbound webhooks signed the Standard Webhooks way (what Formbricks and Svix use).

Headers ``webhook-id`` (the outbox dedupe key, stable across retries so receivers can
drop a duplicate), ``webhook-timestamp`` (Unix seconds) and ``webhook-signature``
(``v1,`` + base64 HMAC-SHA256 of ``id.timestamp.body`` under the base64 secret after the
``whsec_`` prefix). During a secret rotation's overlap the header carries one signature per
secret, space separated, the new secret's first (``v1,<new> v1,<old>``): a Standard
Webhooks receiver accepts a delivery when any of them verifies. Targets on loopback,
private, link-local or reserved addresses are refused unless ``KANO_WEBHOOK_ALLOW_PRIVATE``
is set: a webhook URL is user input and must not become a way into the internal network.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from kano.domain.shared.errors import InvalidInput

SECRET_PREFIX = "whsec_"


class PermanentFailure(Exception):
    """A delivery that retrying cannot fix (refused target, 4xx other than 408/429)."""


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    if not secret.startswith(SECRET_PREFIX):
        raise InvalidInput("secret", f"must start with {SECRET_PREFIX}")
    key = base64.b64decode(secret[len(SECRET_PREFIX) :])
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signatures(secrets: Sequence[str], message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value: a signature under each secret, in their order."""
    if not secrets:
        raise InvalidInput("secret", "at least one secret signs a delivery")
    return " ".join(signature(secret, message_id, timestamp, body) for secret in secrets)


def old_secret_signs_until(previous_secret: str | None, until: datetime | None,
                           now: datetime) -> datetime | None:
    """Until when the replaced secret still signs, if it does at ``now`` (else None).

    ``until`` is the rotation's own end of overlap, fixed when the secret was rotated, so
    changing ``KANO_WEBHOOK_SECRET_OVERLAP_HOURS`` later moves no overlap already given.
    """
    if previous_secret and until is not None and now < until:
        return until
    return None


def signing_secrets(secret: str, previous_secret: str | None, until: datetime | None,
                    now: datetime) -> tuple[str, ...]:
    """The secrets a delivery is signed with at ``now``: the current one, then the one it
    replaced while the rotation's overlap (which ends at ``until``) lasts."""
    if previous_secret and old_secret_signs_until(previous_secret, until, now):
        return (secret, previous_secret)
    return (secret,)


def check_target(url: str, allow_private: bool) -> None:
    """Refuse URLs that are not http(s) or that resolve to a non-public address."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise InvalidInput("url", f"{url!r} is not an http(s) URL")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except socket.gaierror as error:
        raise InvalidInput("url", f"cannot resolve {parts.hostname}: {error}") from error
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise InvalidInput(
                "url",
                f"{parts.hostname} resolves to the non-public address {address}; "
                "set KANO_WEBHOOK_ALLOW_PRIVATE=true to allow it",
            )


def post_webhook(
    url: str, secrets: Sequence[str], message_id: str, payload: dict[str, Any],
    allow_private: bool,
) -> None:
    """POST ``payload`` signed under each of ``secrets`` (the current one first)."""
    try:
        check_target(url, allow_private)
    except InvalidInput as error:
        raise PermanentFailure(str(error)) from error
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signatures(secrets, message_id, timestamp, body),
        "user-agent": "Kano-Webhooks/1",
    }
    # No redirects: a redirect could point a checked public URL at a private one.
    response = httpx.post(url, content=body, headers=headers, timeout=10, follow_redirects=False)
    if response.is_success:
        return
    if 400 <= response.status_code < 500 and response.status_code not in {408, 429}:
        raise PermanentFailure(f"HTTP {response.status_code}")
    response.raise_for_status()
    raise RuntimeError(f"HTTP {response.status_code}")  # a 3xx: not followed, retried
