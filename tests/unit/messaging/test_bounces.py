"""The bounce parser over returned messages in the styles relays write (files beside)."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kano.adapters.messaging.bounces import parse_bounce
from kano.domain.feedback.bounces import Bounce, UnreadableBounce, email_undeliverable

FILES = Path(__file__).parent / "bounces"
SIGNATURE = "q3x7m2ab5cdefgh2ijkl"
"""The returned Message-IDs are signed (``<key.signature@kano>``); the parser keeps them
whole and checks nothing: :mod:`kano.adapters.db.bounces` checks the signature."""


def ours(key: str) -> str:
    return f"{key}.{SIGNATURE}@kano"


def _parsed(name: str) -> Bounce:
    return parse_bounce((FILES / name).read_bytes())


def test_postfix_rfc3464_report_names_recipient_status_diagnostic_and_our_message() -> None:
    bounce = _parsed("postfix_dsn.eml")
    assert bounce.original_message_id == ours("ack-email-101")
    [recipient] = bounce.recipients
    assert recipient.address == "nobody@customer.example"
    assert recipient.status == "5.1.1"
    assert recipient.permanent and bounce.permanent
    assert recipient.diagnostic == (
        "550 5.1.1 <nobody@customer.example>: Recipient address rejected: "
        "User unknown in virtual mailbox table"
    )


def test_a_delay_report_is_a_transient_bounce_with_the_original_attached() -> None:
    bounce = _parsed("postfix_delayed.eml")
    assert bounce.original_message_id == ours("ack-email-102")
    [recipient] = bounce.recipients
    assert (recipient.address, recipient.status) == ("slow@customer.example", "4.4.1")
    assert not bounce.permanent
    assert recipient.diagnostic is not None and "Connection timed out" in recipient.diagnostic


def test_exim_free_text_bounce_with_the_headers_copied_into_the_body() -> None:
    bounce = _parsed("exim_plain.eml")
    assert bounce.original_message_id == ours("invitation-0f3c9a7d2b1e4c5a8d6f7e9a0b1c2d3e")
    [recipient] = bounce.recipients
    assert (recipient.address, recipient.status) == ("gone@customer.example", "5.1.1")
    assert recipient.diagnostic is not None and "User unknown" in recipient.diagnostic


def test_gmail_bounce_with_the_original_attached_but_no_delivery_status_part() -> None:
    bounce = _parsed("gmail.eml")
    assert bounce.original_message_id == ours("ack-email-103")  # not Gmail's own Message-ID
    [recipient] = bounce.recipients
    assert (recipient.address, recipient.status) == ("nosuchuser@gmail.com", "5.1.1")
    assert bounce.permanent


def test_microsoft_undeliverable_with_original_headers_quoted_in_the_text() -> None:
    bounce = _parsed("microsoft.eml")
    assert bounce.original_message_id == ours("ack-email-104")
    [recipient] = bounce.recipients
    assert (recipient.address, recipient.status) == ("alex.former@contoso.com", "5.1.10")
    assert recipient.diagnostic is not None
    assert "RESOLVER.ADR.RecipientNotFound" in recipient.diagnostic


def test_an_auto_reply_is_not_taken_for_a_bounce() -> None:
    with pytest.raises(UnreadableBounce, match="no delivery status code"):
        _parsed("auto_reply.eml")


@pytest.mark.parametrize("raw", [b"", b"   \n", (FILES / "garbage.eml").read_bytes()])
def test_garbage_is_unreadable(raw: bytes) -> None:
    with pytest.raises(UnreadableBounce):
        parse_bounce(raw)


def test_a_report_of_a_successful_delivery_is_no_bounce() -> None:
    report = (FILES / "postfix_dsn.eml").read_bytes()
    delivered = report.replace(b"Action: failed", b"Action: delivered").replace(
        b"Status: 5.1.1", b"Status: 2.0.0"
    )
    with pytest.raises(UnreadableBounce, match="no failed recipient"):
        parse_bounce(delivered)


def test_an_smtp_reply_without_enhanced_code_counts_by_its_class() -> None:
    message = EmailMessage()
    message["From"] = "MAILER-DAEMON@old.example"
    message["To"] = "feedback@kano.example.com"
    message["Subject"] = "failure notice"
    message["X-Failed-Recipients"] = "x@customer.example"
    message.set_content(
        "Sorry, I couldn't deliver your message.\n<x@customer.example>:\n"
        "203.0.113.9 does not like recipient.\nRemote host said: 554 no such mailbox\n"
        "--- Below this line is a copy of the message.\n\n"
        f"Message-ID: <{ours('ack-email-7')}>\n"
    )
    bounce = parse_bounce(message.as_bytes())
    assert bounce.original_message_id == ours("ack-email-7")
    assert [(r.address, r.status) for r in bounce.recipients] == [("x@customer.example", "5.0.0")]


@given(st.binary(max_size=400))
def test_any_bytes_give_a_bounce_or_a_clear_refusal(raw: bytes) -> None:
    try:
        bounce = parse_bounce(raw)
    except UnreadableBounce as refusal:
        assert str(refusal)
    else:
        assert bounce.recipients


def test_the_mark_holds_for_the_bounced_address_only() -> None:
    assert email_undeliverable("Ann@Example.com", "ann@example.com")
    assert not email_undeliverable("ann.new@example.com", "ann@example.com")
    assert not email_undeliverable("ann@example.com", None)
    assert not email_undeliverable(None, "ann@example.com")


def test_a_sendmail_style_text_keeps_its_explanation_before_the_copy() -> None:
    message = EmailMessage()
    message["From"] = "Mail Delivery Subsystem <MAILER-DAEMON@mx.old.example>"
    message["To"] = "feedback@kano.example.com"
    message["Subject"] = "Returned mail: see transcript for details"
    message.set_content(
        "The original message was received at Sat, 5 Dec 2026 04:00:00 GMT\n\n"
        "   ----- The following addresses had permanent fatal errors -----\n"
        "<old@customer.example>\n    (reason: 550 5.1.1 <old@customer.example>... User unknown)\n\n"
        "   ----- Original message follows -----\n\n"
        "From: Kano <feedback@kano.example.com>\nTo: old@customer.example\n"
        f"Message-ID: <{ours('ack-email-9')}>\n"
    )
    bounce = parse_bounce(message.as_bytes())
    assert bounce.original_message_id == ours("ack-email-9")
    [recipient] = bounce.recipients
    assert (recipient.address, recipient.status) == ("old@customer.example", "5.1.1")
