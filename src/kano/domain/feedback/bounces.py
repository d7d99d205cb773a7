"""Bounces: what a returned e-mail says about a message Kano sent, and what Kano does.

A relay that accepted a message may return it later (a delivery status notification):
the mailbox does not exist (a permanent failure, status 5.x.x) or could not be reached for
a while (transient, 4.x.x). A permanent bounce makes the address undeliverable: Kano stops
e-mailing it until the customer's address changes. A transient one is only recorded,
since the relay is still trying.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BouncedRecipient:
    address: str
    status: str
    """The enhanced status code (RFC 3463), e.g. ``5.1.1``."""
    diagnostic: str | None

    @property
    def permanent(self) -> bool:
        return self.status.startswith("5")


@dataclass(frozen=True)
class Bounce:
    """A returned message: the original Message-ID (without ``<>``) and who bounced."""

    original_message_id: str | None
    recipients: tuple[BouncedRecipient, ...]

    @property
    def permanent(self) -> bool:
        return any(r.permanent for r in self.recipients)


class UnreadableBounce(ValueError):
    """The message is not a bounce Kano can read (say why)."""


def email_undeliverable(email: str | None, undeliverable_email: str | None) -> bool:
    """Whether the customer's current address is the one that bounced permanently
    (compared without case: the same mailbox); a changed address lifts the mark."""
    return (
        email is not None
        and undeliverable_email is not None
        and email.strip().lower() == undeliverable_email.strip().lower()
    )
