"""``kano survey list|link``: a workspace's surveys, and the public link and widget snippet
of one (the same the builder page at /surveys/KEY shows)."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from kano.adapters.cli.console import console, friendly_errors
from kano.domain.shared.errors import InvalidInput

survey_app = typer.Typer(
    help="Surveys: list them, print the public link and the widget snippet of one.",
    no_args_is_help=True,
)


@survey_app.command("list")
@friendly_errors
def list_surveys(
    workspace: str = typer.Option(..., "--workspace", help="Workspace slug."),
) -> None:
    """The workspace's surveys with their touchpoint and number of questions."""
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
    for column in ("key", "name", "touchpoint", "questions"):
        table.add_column(column)
    for line in lines:
        table.add_row(escape(line.key), escape(line.name), escape(line.touchpoint or "–"),
                      str(line.questions))
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
