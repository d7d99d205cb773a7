"""Reading a bounce: who bounced, with which status, and which message of ours came back.

:func:`parse_bounce` takes the raw bytes of a returned message (stdlib :mod:`email` only)
and understands

- RFC 3464 delivery status notifications (Postfix, Exim 4 with DSN, Exchange/Outlook,
  Gmail today): a ``multipart/report`` whose ``message/delivery-status`` part has one block
  per recipient (``Final-Recipient``, ``Action``, ``Status``, ``Diagnostic-Code``), the
  original headers as ``text/rfc822-headers`` or the whole message as ``message/rfc822``;
- the older free-text bounces: Exim's "Mail delivery failed" (``X-Failed-Recipients`` and
  the headers copied into the body), Gmail's "Delivery Status Notification" with the
  original attached, Microsoft's "Undeliverable:" with "Remote Server returned '550 …'"
  and "Original message headers:" in the body. Their status code is read from the text
  (``5.1.1`` or, without an enhanced code, the SMTP reply ``550`` as ``5.0.0``).

The original Message-ID comes only from the returned headers (never from the bounce's own
headers). A message with no status code is not taken for a bounce (an auto-reply, a
human answer): :class:`~kano.domain.feedback.bounces.UnreadableBounce` says why, as it
does for anything that is not an e-mail at all.
"""

from __future__ import annotations

import re
from email import message_from_bytes
from email.message import Message
from email.parser import HeaderParser
from email.utils import getaddresses, parseaddr

from kano.domain.feedback.bounces import Bounce, BouncedRecipient, UnreadableBounce

MAX_DIAGNOSTIC = 500

_ENHANCED = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])")
_SMTP_REPLY = re.compile(r"(?<![\d.])([45])\d\d(?=[ -])")
_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
_MESSAGE_ID = re.compile(r"^Message-ID:[ \t]*(<[^>\r\n]+>)", re.IGNORECASE | re.MULTILINE)
_ORIGINAL_STARTS = re.compile(
    r"^\s*(?:-+\s*)?(?:this is a copy of the message|original message|below this line is a "
    r"copy|original message headers)",
    re.IGNORECASE | re.MULTILINE,
)
_NOT_RECIPIENTS = ("mailer-daemon@", "postmaster@")


def parse_bounce(raw: bytes) -> Bounce:
    """The bounce ``raw`` reports; :class:`UnreadableBounce` when it is none (also when
    the ``email`` package fails on a malformed message: such a message is set aside,
    never retried)."""
    try:
        return _parse(raw)
    except UnreadableBounce:
        raise
    except Exception as error:  # whatever a malformed message provokes in ``email``
        name = type(error).__name__
        raise UnreadableBounce(f"the message could not be read ({name})") from error


def _parse(raw: bytes) -> Bounce:
    if not raw.strip():
        raise UnreadableBounce("the message is empty")
    message = message_from_bytes(raw)
    if not message.keys() or (message.defects and not message.get("From")):
        raise UnreadableBounce("not an e-mail message (no headers)")
    status_part = _first(message, "message/delivery-status")
    original = _original_headers(message)
    message_id = _message_id(original) if original is not None else None
    if status_part is not None:
        recipients = _dsn_recipients(status_part)
        if not recipients:
            raise UnreadableBounce("the delivery status reports no failed recipient")
    else:
        text = _explanation(message)
        if message_id is None:
            message_id = _quoted_message_id(text)
        recipients = _text_recipients(message, text, original)
    return Bounce(message_id, tuple(recipients))


def _first(message: Message, content_type: str) -> Message | None:
    for part in message.walk():
        if part.get_content_type() == content_type:
            return part
    return None


def _original_headers(message: Message) -> Message | None:
    """The returned message's headers: ``text/rfc822-headers`` or ``message/rfc822``."""
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "text/rfc822-headers":
            text = _text_of(part)
            return HeaderParser().parsestr(text.lstrip("\r\n"))
        if kind == "message/rfc822":
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                return payload[0]
    return None


def _message_id(headers: Message) -> str | None:
    value = headers.get("Message-ID")
    return _bare_id(str(value)) if value else None


def _bare_id(value: str) -> str | None:
    value = value.strip()
    if value.startswith("<") and ">" in value:
        value = value[1 : value.index(">")]
    value = value.strip()
    return value or None


def _quoted_message_id(text: str) -> str | None:
    """A Message-ID in headers copied into the body (after the bounce's explanation)."""
    found = _MESSAGE_ID.search(text)
    return _bare_id(found.group(1)) if found else None


def _text_of(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        charset = part.get_content_charset() or "utf-8"
        try:
            return payload.decode(charset, errors="replace")
        except LookupError:  # an unknown charset name
            return payload.decode("utf-8", errors="replace")
    inner = part.get_payload()
    return inner if isinstance(inner, str) else ""


def _dsn_recipients(part: Message) -> list[BouncedRecipient]:
    """The failed and delayed recipients of a ``message/delivery-status`` part."""
    blocks = part.get_payload()
    if isinstance(blocks, str):  # some relays write it so that it is not split into blocks
        blocks = [HeaderParser().parsestr(b) for b in re.split(r"\r?\n\r?\n", blocks.strip())]
    if not isinstance(blocks, list):
        return []
    recipients = []
    for block in blocks[1:] if len(blocks) > 1 else blocks:
        if not isinstance(block, Message):
            continue
        action = str(block.get("Action", "")).strip().lower()
        status = _status(str(block.get("Status", "")))
        if status is None or action in {"delivered", "relayed", "expanded"}:
            continue
        if status.startswith("2"):
            continue
        recipient = block.get("Final-Recipient") or block.get("Original-Recipient") or ""
        address = _typed_address(str(recipient))
        if not address:
            continue
        diagnostic = block.get("Diagnostic-Code")
        recipients.append(BouncedRecipient(address, status, _diagnostic(diagnostic, typed=True)))
    return recipients


def _status(value: str) -> str | None:
    found = _ENHANCED.search(value)
    return ".".join(found.groups()) if found else None


def _typed_address(value: str) -> str:
    """``rfc822; user@example.com`` → ``user@example.com``."""
    _, _, address = value.partition(";") if ";" in value else ("", "", value)
    return parseaddr(" ".join(address.split()))[1].strip()


def _diagnostic(value: object, *, typed: bool = False) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    if typed and ";" in text:
        kind, _, rest = text.partition(";")
        if kind.strip().lower() in {"smtp", "x-unix", "x-postfix", "x-local"}:
            text = rest.strip()
    return text[:MAX_DIAGNOSTIC] or None


def _explanation(message: Message) -> str:
    """The human-readable text of a bounce: its first text/plain part (or the HTML one
    stripped of tags), the original message's quoted copy included."""
    plain = html = None
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/rfc822":
            break  # the returned message itself: not the bounce's explanation
        if kind == "text/plain" and plain is None:
            plain = _text_of(part)
        elif kind == "text/html" and html is None:
            html = re.sub(r"<[^>]+>", " ", _text_of(part))
    return plain if plain is not None else html or ""


def _text_recipients(
    message: Message, text: str, original: Message | None
) -> list[BouncedRecipient]:
    """Who bounced in a free-text bounce, with the status code read from its text."""
    marker = _ORIGINAL_STARTS.search(text)
    explanation = text[: marker.start()] if marker else text
    status, line = _text_status(explanation)
    if status is None:
        raise UnreadableBounce("no delivery status code (e.g. 5.1.1 or 550) in the message")
    if status.startswith("2"):
        raise UnreadableBounce(f"status {status} reports a delivery, not a bounce")
    failed = [a for _, a in getaddresses(message.get_all("X-Failed-Recipients", [])) if a]
    if not failed:
        mentioned = [
            a for a in dict.fromkeys(_ADDRESS.findall(explanation))
            if not a.lower().startswith(_NOT_RECIPIENTS)
        ]
        sent_to = [a for _, a in getaddresses(original.get_all("To", []))] if original else []
        failed = [a for a in mentioned if a.lower() in {s.lower() for s in sent_to}]
        failed = failed or sent_to or mentioned[:1]
    if not failed:
        raise UnreadableBounce("the message names no bounced recipient")
    return [BouncedRecipient(address, status, _diagnostic(line)) for address in failed]


def _text_status(text: str) -> tuple[str | None, str | None]:
    """The first enhanced status code of the text (else an SMTP reply code as x.0.0)
    and the line it stands on."""
    for pattern, enhanced in ((_ENHANCED, True), (_SMTP_REPLY, False)):
        for line in text.splitlines():
            found = pattern.search(line)
            if found:
                code = ".".join(found.groups()) if enhanced else f"{found.group(1)}.0.0"
                return code, line.strip()
    return None, None
