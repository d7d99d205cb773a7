"""``kano feedback bounces``: record bounced e-mails from files, stdin or a Maildir.

Registered on the ``kano feedback`` group by ``kano.adapters.cli.main``. As a mail
server's pipe transport (stdin, one message) it exits 0 for anything it read, bounce or
not (the server must not bounce a bounce), and 75 (EX_TEMPFAIL) when the database could
not be reached, so the server keeps the message and tries again.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.exc import OperationalError

from kano.adapters.cli.console import console, error_console, friendly_errors
from kano.domain.shared.errors import InvalidInput

EX_TEMPFAIL = 75
DETAILS_SHOWN = 50
OUTCOME_LABELS = {
    "recorded": "recorded (bounced for good: e-mail to the address stops)",
    "transient": "transient (recorded; the mail server still tries)",
    "repeated": "already recorded (nothing changed)",
    "unknown": "unknown Message-ID (ignored)",
    "unsigned": "Message-ID not signed by this server: forged or old (ignored)",
    "unreadable": "not a readable bounce",
}
"""The summary's line for each outcome (:data:`kano.adapters.db.bounces.OUTCOMES`)."""


@friendly_errors
def bounces_command(
    files: list[Path] = typer.Argument(
        None, help="Bounce messages (.eml), one per file. None and no --maildir: stdin."
    ),
    maildir: Path | None = typer.Option(
        None, "--maildir", help="Read the new messages of this Maildir (as the worker does "
        "with KANO_BOUNCE_MAILDIR) and move them to cur/."
    ),
) -> None:
    """Record bounced e-mails, so that dead addresses get no more messages.

    The e-mail shows as bounced on its response, and an address
    that bounced for good (5.x.x) gets no more acknowledgements or invitations until the
    customer's address changes. Transient bounces (4.x.x) are recorded only.

    A bounce is matched by the Message-ID of the returned message: that message decides
    the workspace. Its signature must be this server's (set the same KANO_SECRET_KEY as
    the server and worker): a Message-ID without it is counted as unsigned (forged, or of
    an e-mail sent before Kano signed its Message-IDs) and changes nothing. Unknown
    Message-IDs and messages that are not bounces are counted.
    """
    from kano.adapters.db.bounces import tally
    from kano.adapters.jobs.bounces import read_maildir, record_messages
    from kano.bootstrap import build_container

    if files and maildir is not None:
        raise InvalidInput("--maildir", "give files or a Maildir, not both")
    for path in files or []:
        if not path.is_file():
            raise InvalidInput(str(path), "no such file")
    container = build_container()
    try:
        if maildir is not None:
            outcomes = read_maildir(container, maildir)
            sources = [f"{maildir}"] * len(outcomes)
        elif files:
            outcomes = record_messages(container, (path.read_bytes() for path in files))
            sources = [path.name for path in files]
        else:
            try:
                outcomes = record_messages(container, [sys.stdin.buffer.read()])
            except OperationalError as error:
                error_console.print(f"[bold red]Database error:[/] {error.orig}")
                raise typer.Exit(EX_TEMPFAIL) from error
            sources = ["stdin"]
    finally:
        container.close()
    counts = tally(outcomes)
    summary = Table(title="Bounces", show_header=False)
    for name, label in OUTCOME_LABELS.items():
        summary.add_row(label, f"{counts[name]:,}")
    marked = sum(o.customers_marked for o in outcomes)
    summary.add_row("customers marked undeliverable", f"{marked:,}")
    console.print(summary)
    noteworthy = [(s, o) for s, o in zip(sources, outcomes, strict=True)
                  if o.outcome in {"unknown", "unsigned", "unreadable"}]
    if noteworthy:
        details = Table(title="Not recorded")
        for column in ("message", "outcome", "why"):
            details.add_column(column)
        for source, outcome in noteworthy[:DETAILS_SHOWN]:
            details.add_row(escape(source), outcome.outcome, escape(outcome.detail))
        console.print(details)
