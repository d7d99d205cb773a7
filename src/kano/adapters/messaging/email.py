"""Sending e-mail through the SMTP server named by ``KANO_SMTP_URL``.

``smtp://host:port`` (plain, as a local relay or a test server), ``smtp://…?starttls=true``
or ``smtps://host:465`` (TLS), with ``user:password@`` for login.

The message's Message-ID is the outbox row's dedupe key signed with the server's secret
key (:func:`message_id`: ``<{dedupe key}.{signature}@kano>``). Derived from the key, it is
the same on a resend after a crash, so the resend is recognisable; signed, it lets a
bounce be matched to the message it returns without trusting whoever delivered the
bounce (:func:`dedupe_key_of`): dedupe keys are guessable, signatures are not.

:class:`Mailer` keeps one SMTP connection open for many messages (connecting, EHLO and
login cost more than the message itself), across the outbox's batches too: a connection
idle for ``IDLE_SECONDS`` is replaced before use, and one the server closed meanwhile is
reopened and the message sent on the new one (the same Message-ID, should the server
have taken it after all). :func:`send_email` sends a single message. The
message is a plain UTF-8 text part written out directly (:func:`message_bytes`): the
``email`` package's generator costs more CPU than the rest of a send together.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import smtplib
import time
from email.header import Header
from email.utils import formataddr, formatdate, parseaddr
from functools import lru_cache
from types import TracebackType
from urllib.parse import parse_qs, unquote, urlsplit

from kano.domain.shared.errors import InvalidInput

SMTP_TIMEOUT_SECONDS = 10
IDLE_SECONDS = 30.0
"""A connection unused for this long is closed and a new one opened: servers drop idle
clients after a while (aiosmtpd and Postfix after 300 s), and a fresh one is cheap then."""

MESSAGE_ID_DOMAIN = "@kano"
SIGNATURE_LENGTH = 20
"""Base32 characters of the HMAC-SHA256 kept in a Message-ID: 100 bits."""
_SIGNATURE_PURPOSE = b"kano.message-id:"
"""Prefixed to the signed dedupe key: the secret key signs other things too."""
_DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
"""RFC 5322 ``dot-atom-text``: what the left part of a Message-ID may be."""


def _signature(secret_key: str, dedupe_key: str) -> str:
    digest = hmac.new(
        secret_key.encode(), _SIGNATURE_PURPOSE + dedupe_key.encode(), hashlib.sha256
    ).digest()
    return base64.b32encode(digest).decode("ascii")[:SIGNATURE_LENGTH].lower()


def message_id(secret_key: str, dedupe_key: str) -> str:
    """The Message-ID (without ``<>``) of the outbox message ``dedupe_key``:
    ``{dedupe key}.{signature}@kano``, the signature the first characters of the base32
    HMAC-SHA256 of the key with ``secret_key`` (lower case: RFC 5322 dot-atom-text)."""
    if not _DOT_ATOM.fullmatch(dedupe_key):
        raise ValueError(f"dedupe key {dedupe_key!r} cannot be written into a Message-ID")
    return f"{dedupe_key}.{_signature(secret_key, dedupe_key)}{MESSAGE_ID_DOMAIN}"


def is_kano_message_id(value: str) -> bool:
    """Whether ``value`` (without ``<>``) has the form of Kano's Message-IDs, signed or
    not (``…@kano``)."""
    return value.endswith(MESSAGE_ID_DOMAIN)


def dedupe_key_of(secret_key: str, value: str) -> str | None:
    """The dedupe key of a Message-ID (without ``<>``) that ``secret_key`` signed; None
    for any other (unsigned as before signing began, a wrong signature, another secret
    key, not Kano's). The signature is compared in constant time."""
    if not value.endswith(MESSAGE_ID_DOMAIN) or not value.isascii():
        return None  # not ASCII: a header's undecodable bytes, never a signature of ours
    key, dot, signature = value[: -len(MESSAGE_ID_DOMAIN)].rpartition(".")
    if not dot or not key:
        return None
    expected = _signature(secret_key, key)
    if not hmac.compare_digest(signature.encode(), expected.encode()):
        return None
    return key


@lru_cache(maxsize=1024)  # subjects and senders repeat: encode each once
def _header(value: str) -> str:
    """A header value, RFC 2047-encoded when it is not plain ASCII."""
    return value if value.isascii() else Header(value, "utf-8").encode()


@lru_cache(maxsize=64)
def _address(value: str) -> str:
    name, address = parseaddr(value)
    return formataddr((name, address), charset="utf-8") if name else address


def message_bytes(sender: str, recipient: str, subject: str, body: str, message_id: str) -> bytes:
    """A text/plain UTF-8 message (base64 when not ASCII) with its Message-ID
    (``message_id`` without ``<>``, as :func:`message_id` makes it)."""
    if body.isascii():
        encoding, text = "7bit", body
    else:
        encoded = base64.b64encode(body.encode()).decode()
        encoding = "base64"
        text = "\r\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))
    return (
        f"From: {_address(sender)}\r\n"
        f"To: {recipient}\r\n"
        f"Subject: {_header(subject)}\r\n"
        f"Date: {formatdate(usegmt=True)}\r\n"
        f"Message-ID: <{message_id}>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: text/plain; charset="utf-8"\r\n'
        f"Content-Transfer-Encoding: {encoding}\r\n"
        f"\r\n{text}\r\n"
    ).encode()


class Mailer:
    """Sends messages over one SMTP connection, opened on first use and reopened after
    a failure (the next message then starts on a fresh connection)."""

    def __init__(self, smtp_url: str, sender: str, secret_key: str) -> None:
        parts = urlsplit(smtp_url)
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise InvalidInput(
                "KANO_SMTP_URL", f"{smtp_url!r}: use smtp://host:port or smtps://…"
            )
        self._parts = parts
        self._sender = sender
        self.sender = sender
        self._envelope_sender = parseaddr(sender)[1]
        self.secret_key = secret_key
        """Signs each message's Message-ID (:func:`message_id`)."""
        self._client: smtplib.SMTP | None = None
        self._last_used = 0.0
        self.url = smtp_url

    def _connect(self) -> smtplib.SMTP:
        parts = self._parts
        port = parts.port or (465 if parts.scheme == "smtps" else 25)
        client_class = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
        client = client_class(parts.hostname or "", port, timeout=SMTP_TIMEOUT_SECONDS)
        try:
            if parse_qs(parts.query).get("starttls", ["false"])[-1].lower() == "true":
                client.starttls()
            if parts.username:
                client.login(unquote(parts.username), unquote(parts.password or ""))
        except BaseException:
            client.close()
            raise
        return client

    def send(self, recipient: str, subject: str, body: str, dedupe_key: str) -> None:
        """Send one message, its Message-ID signed from ``dedupe_key``."""
        signed = message_id(self.secret_key, dedupe_key)
        message = message_bytes(self._sender, recipient, subject, body, signed)
        now = time.monotonic()
        if self._client is not None and now - self._last_used > IDLE_SECONDS:
            self.close()
        reused = self._client is not None
        if self._client is None:
            self._client = self._connect()
        try:
            self._client.sendmail(self._envelope_sender, [recipient], message)
        except smtplib.SMTPRecipientsRefused:
            raise  # the connection is still good; this message is not
        except (smtplib.SMTPServerDisconnected, ConnectionError):
            self.close()
            if not reused:
                raise
            # A kept connection the server had closed: once more on a new one.
            self._client = self._connect()
            try:
                self._client.sendmail(self._envelope_sender, [recipient], message)
            except smtplib.SMTPRecipientsRefused:
                raise
            except BaseException:
                self.close()
                raise
        except BaseException:
            self.close()
            raise
        self._last_used = time.monotonic()

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()

    def __enter__(self) -> Mailer:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.close()


def send_email(
    smtp_url: str,
    sender: str,
    secret_key: str,
    recipient: str,
    subject: str,
    body: str,
    dedupe_key: str,
) -> None:
    with Mailer(smtp_url, sender, secret_key) as mailer:
        mailer.send(recipient, subject, body, dedupe_key)
