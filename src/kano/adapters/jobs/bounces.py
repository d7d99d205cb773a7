"""Reading bounces: from raw messages (files, stdin, HTTP) and from a Maildir.

Every way in ends in :func:`kano.adapters.db.bounces.record_bounce`, one transaction per
message. The Maildir (``KANO_BOUNCE_MAILDIR``; a ``kano worker`` job every minute, or
``kano feedback bounces --maildir``) is read with the standard library's
:class:`mailbox.Maildir`: each message in ``new/`` is recorded, then moved to ``cur/``
with the seen flag, so it is never recorded twice (should a crash fall between the commit
and the move, reading it again changes nothing: recording is idempotent). A message that
is not a bounce Kano can read goes to the ``.unreadable`` sub-folder (Maildir++), not back
to ``new/``, so it is not read over and over; a database error leaves the message in
``new/`` for the next run.
"""

from __future__ import annotations

import logging
import mailbox
import os
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from kano.adapters.db.bounces import BounceOutcome, record_bounce, tally
from kano.adapters.db.engine import transaction
from kano.bootstrap import Container
from kano.domain.shared.errors import InvalidInput

log = logging.getLogger("kano.bounces")

BOUNCE_JOB = "read-bounces"
UNREADABLE_FOLDER = "unreadable"
MAILDIR_BATCH = 500
"""At most this many new messages per run (the next run takes the rest)."""


def record_messages(
    container: Container, messages: Iterable[bytes], workspace_id: int | None = None
) -> list[BounceOutcome]:
    """Record each raw message in a transaction of its own: one bad message does not
    undo the others."""
    outcomes = []
    for raw in messages:
        with transaction(container.sessions) as session:
            outcomes.append(record_bounce(
                session, raw, secret_key=container.settings.secret_key,
                workspace_id=workspace_id,
            ))
    return outcomes


def open_maildir(path: str | Path) -> mailbox.Maildir:
    folder = Path(path)
    if not (folder / "new").is_dir() or not (folder / "cur").is_dir():
        raise InvalidInput(
            "KANO_BOUNCE_MAILDIR", f"{str(folder)!r} is not a Maildir (no new/ and cur/)"
        )
    return mailbox.Maildir(folder, factory=None, create=False)


def read_maildir(container: Container, path: str | Path) -> list[BounceOutcome]:
    """Record the Maildir's new messages and move each out of ``new/``; the outcomes."""
    box = open_maildir(path)
    outcomes: list[BounceOutcome] = []
    keys = _new_keys(box, Path(path))[:MAILDIR_BATCH]
    for key in keys:
        try:
            raw = box.get_bytes(key)
        except (KeyError, FileNotFoundError):
            continue  # another reader took it meanwhile
        with transaction(container.sessions) as session:
            outcome = record_bounce(session, raw, secret_key=container.settings.secret_key)
        outcomes.append(outcome)
        try:
            if outcome.outcome == "unreadable":
                _move_aside(box, key, raw)
                log.warning("bounce %s unreadable (%s): moved to .%s", key, outcome.detail,
                            UNREADABLE_FOLDER)
            else:
                _mark_seen(box, key)
        except (KeyError, FileNotFoundError):
            continue  # moved by another reader after we read it: recorded once all the same
    return outcomes


def _new_keys(box: mailbox.Maildir, folder: Path) -> list[str]:
    """The keys of the messages in ``new/``, oldest file name first (a key is the file
    name up to the info separator; ``cur/`` is never listed, however large it grows)."""
    names = sorted(n for n in os.listdir(folder / "new") if not n.startswith("."))
    return [name.split(box.colon)[0] for name in names]


def _mark_seen(box: mailbox.Maildir, key: str) -> None:
    message = box.get_message(key)
    message.set_subdir("cur")
    message.add_flag("S")
    box[key] = message


def _move_aside(box: mailbox.Maildir, key: str, raw: bytes) -> None:
    folder = (
        box.get_folder(UNREADABLE_FOLDER)
        if UNREADABLE_FOLDER in box.list_folders()
        else box.add_folder(UNREADABLE_FOLDER)
    )
    aside = mailbox.MaildirMessage(raw)
    aside.set_subdir("cur")
    aside.add_flag("S")
    folder.add(aside)
    box.remove(key)


def read_bounce_maildir(container: Container) -> str:
    """The worker job: read ``KANO_BOUNCE_MAILDIR``; a one-line summary."""
    path = container.settings.bounce_maildir
    if not path:
        return "KANO_BOUNCE_MAILDIR is not set"
    return summary(read_maildir(container, path))


def summary(outcomes: list[BounceOutcome]) -> str:
    counts: Counter[str] = tally(outcomes)
    return "bounces: " + ", ".join(f"{counts[name]} {name}" for name in counts)
