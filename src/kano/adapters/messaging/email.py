"""Sending e-mail through the SMTP server named by ``KANO_SMTP_URL``.

``smtp://host:port`` (plain, as a local relay or a test server), ``smtp://…?starttls=true``
or ``smtps://host:465`` (TLS), with ``user:password@`` for login. The message carries the
outbox row's dedupe key as its Message-ID, so a resend after a crash is recognisable.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from kano.domain.shared.errors import InvalidInput


def send_email(
    smtp_url: str, sender: str, recipient: str, subject: str, body: str, message_id: str
) -> None:
    parts = urlsplit(smtp_url)
    if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
        raise InvalidInput("KANO_SMTP_URL", f"{smtp_url!r}: use smtp://host:port or smtps://…")
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Message-ID"] = f"<{message_id}@kano>"
    message.set_content(body)
    port = parts.port or (465 if parts.scheme == "smtps" else 25)
    client_class = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    with client_class(parts.hostname, port, timeout=30) as client:
        if parse_qs(parts.query).get("starttls", ["false"])[-1].lower() == "true":
            client.starttls()
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)
