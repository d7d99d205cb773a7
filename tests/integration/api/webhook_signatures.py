"""A receiver's check of a Standard Webhooks delivery, written here independently of
Kano's signer: ``webhook-signature`` may carry several space-separated ``v1,<base64>``
signatures, and the delivery is accepted when one of them is the HMAC-SHA256 of
``id.timestamp.body`` under the receiver's secret and the timestamp is recent."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

TOLERANCE_SECONDS = 5 * 60  # what the standardwebhooks libraries allow


def accepted_by(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """Whether a receiver holding ``secret`` accepts this delivery."""
    if abs(time.time() - int(headers["webhook-timestamp"])) > TOLERANCE_SECONDS:
        return False
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for candidate in headers["webhook-signature"].split(" "):
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return True
    return False


def signature_count(headers: dict[str, str]) -> int:
    return len(headers["webhook-signature"].split(" "))
