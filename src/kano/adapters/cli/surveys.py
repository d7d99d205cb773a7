"""``kano survey list|link|quotas|quota-add``: a workspace's surveys, the public link and
widget snippet of one (the same the builder page at /surveys/KEY shows), its quotas."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from kano.adapters.cli.console import console, friendly_errors
from kano.domain.shared.errors import InvalidInput

survey_app = typer.Typer(
    help="Surveys: list them, print the public link and the widget snippet of one, list "
    "and add its quotas.",
    no_args_is_help=True,
)


@survey_app.command("list")
@friendly_errors
def list_surveys(
    workspace: str = typer.Option(..., "--workspace", help="Workspace slug."),
) -> None:
    """The workspace's surveys with their touchpoint, number of questions and state."""
    from kano.adapters.db import accounts
    from kano.adapters.db.survey_store import surveys_of
    from kano.bootstrap import build_container

    container = build_container()
    try:
        with container.sessions() as session:
            lines = surveys_of(session, accounts.get_workspace(session, workspace).id)
    finally:
        container.close()
    table = Table(title=f"Surveys of {escape(workspace)}")
    for column in ("key", "name", "touchpoint", "questions", "state"):
        table.add_column(column)
    for line in lines:  # state: open, or closed (no answers, no invitations)
        table.add_row(escape(line.key), escape(line.name), escape(line.touchpoint or "–"),
                      str(line.questions), line.status)
    console.print(table)


@survey_app.command("link")
@friendly_errors
def link(
    survey: str = typer.Argument(..., help="The survey's key, e.g. relationship-nps."),
    workspace: str = typer.Option(..., "--workspace", help="Workspace slug."),
    base_url: str = typer.Option(
        "", "--base-url", help="Where customers reach this server (default: KANO_PUBLIC_URL, "
        "else http://127.0.0.1:8000)."),
    lang: str = typer.Option("", "--lang", help="en, ru or hu; default: the browser's."),
) -> None:
    """Print the survey's public link (signed for this workspace) and its widget snippet."""
    from kano.adapters.db import accounts
    from kano.adapters.db.survey_store import defined_survey
    from kano.adapters.web.survey_links import SurveyLinks
    from kano.bootstrap import build_container

    if lang and lang not in ("en", "ru", "hu"):
        raise InvalidInput("--lang", "use en, ru or hu")
    container = build_container()
    try:
        with container.sessions() as session:
            space = accounts.get_workspace(session, workspace)
            found = defined_survey(session, space.id, survey)
        if not found.definition.questions:
            raise InvalidInput("survey", f"{survey!r} has no questions yet (build them at "
                               f"/surveys/{survey})")
        links = SurveyLinks(container.settings.secret_key)
        base = (base_url or getattr(container.settings, "public_url", "")
                or "http://127.0.0.1:8000").rstrip("/")
    finally:
        container.close()
    query = {"lang": lang} if lang else {}
    path = links.path(space.id, survey, **query)
    console.print(base + path, soft_wrap=True, markup=False, highlight=False)
    if found.definition.fits_widget():
        widget = base + path.replace("?", "/widget.js?", 1)
        console.print("\nWidget:", markup=False, highlight=False)
        console.print('<div id="kano-survey"></div>\n'
                      f'<script src="{widget}" data-kano-target="kano-survey" async></script>',
                      soft_wrap=True, markup=False, highlight=False)


@survey_app.command("quotas")
@friendly_errors
def list_quotas(
    survey: str = typer.Argument(..., help="The survey's key."),
    workspace: str = typer.Option(..., "--workspace", help="Workspace slug."),
) -> None:
    """The survey's quotas: who counts, how many responses so far, the limit."""
    from kano.adapters.db import accounts
    from kano.adapters.db.quotas import quota_lines
    from kano.bootstrap import build_container

    container = build_container()
    try:
        with container.sessions() as session:
            lines = quota_lines(session, accounts.get_workspace(session, workspace).id, survey)
    finally:
        container.close()
    if not lines:
        console.print(f"{escape(survey)} has no quota: it takes every response.")
        return
    table = Table(title=f"Quotas of {escape(survey)}")
    for column in ("id", "name", "channel", "language", "segment", "touchpoint", "answer",
                   "filled", "limit", ""):
        table.add_column(column)
    for line in lines:
        table.add_row(str(line.id), escape(line.name), *(escape(value or "any") for value in (
            line.channel, line.language, line.segment, line.touchpoint,
            line.question and f"{line.question} = {line.option}")),
            str(line.filled), str(line.limit), "full" if line.full else "")
    console.print(table)


@survey_app.command("quota-add")
@friendly_errors
def add_quota(
    survey: str = typer.Argument(..., help="The survey's key."),
    workspace: str = typer.Option(..., "--workspace", help="Workspace slug."),
    limit: int = typer.Option(..., "--limit", help="How many responses the quota takes."),
    name: str = typer.Option("", "--name", help="Default: its condition, e.g. 'link'."),
    channel: str = typer.Option("", "--channel", help="link, widget, email, api, call, "
                                "meeting, account-review, import or a touchpoint's channel."),
    language: str = typer.Option("", "--language", help="en, ru or hu."),
    segment: str = typer.Option("", "--segment", help="A segment key."),
    touchpoint: str = typer.Option("", "--touchpoint", help="A touchpoint key."),
    question: str = typer.Option("", "--question", help="With --option: a single or multi "
                                 "choice question's key; only responses with that answer."),
    option: str = typer.Option("", "--option", help="One of the question's choice keys."),
) -> None:
    """Add a quota to a survey.

    The quota starts at the survey's stored responses that match it. Once full,
    the public link, the widget and e-mail invitations refuse the responses it counts
    (the API, staff entry and imports are counted, never refused)."""
    from kano.adapters.db import accounts
    from kano.adapters.db.engine import transaction
    from kano.adapters.db.quotas import add_quota as store_quota
    from kano.bootstrap import build_container

    answer = f"{question} = {option}" if question or option else ""
    label = name or " · ".join(v for v in (channel, language, segment, touchpoint, answer)
                               if v) or "all responses"
    container = build_container()
    try:
        with transaction(container.sessions) as session:
            line = store_quota(
                session, accounts.get_workspace(session, workspace).id, survey, name=label,
                limit=limit, channel=channel or None, language=language or None,
                segment=segment or None, touchpoint=touchpoint or None,
                question=question or None, option=option or None, actor="cli")
    finally:
        container.close()
    console.print(f"Quota {line.id} {escape(line.name)!r} on {escape(survey)}: "
                  f"{line.filled} of {line.limit}{' (full)' if line.full else ''}.")
