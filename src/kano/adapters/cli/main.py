"""``kano``: the command line. One Typer group per context; settings from KANO_* variables."""

from __future__ import annotations

import typer

from kano import __version__
from kano.adapters.cli.access import token_app, user_app
from kano.adapters.cli.analyze import analyze_app
from kano.adapters.cli.bounces import bounces_command
from kano.adapters.cli.cases import cases_app
from kano.adapters.cli.company import demo, generate
from kano.adapters.cli.console import console, friendly_errors
from kano.adapters.cli.db import db_app
from kano.adapters.cli.feedback import feedback_app
from kano.adapters.cli.jobs import compute, worker
from kano.adapters.cli.metrics import metrics_app
from kano.adapters.cli.okr import okr_app
from kano.adapters.cli.products import products_app
from kano.adapters.cli.requirements import requirements_app
from kano.adapters.cli.segments import segments_app
from kano.adapters.cli.strategy import strategy_app
from kano.adapters.cli.surveys import survey_app
from kano.adapters.cli.text import text_app
from kano.adapters.cli.value import value_app
from kano.adapters.cli.warehouse import warehouse_app
from kano.adapters.cli.webhooks import webhook_app

app = typer.Typer(
    name="kano",
    help="Kano — the customer at the centre of strategy. Settings come from KANO_* "
    "environment variables (KANO_DATABASE_URL, KANO_WAREHOUSE_URL, KANO_SECRET_KEY …).",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(strategy_app, name="strategy")
app.add_typer(okr_app, name="okr")
app.add_typer(metrics_app, name="metrics")
app.add_typer(warehouse_app, name="warehouse")
app.add_typer(webhook_app, name="webhook")
app.add_typer(analyze_app, name="analyze")
app.add_typer(text_app, name="text")
app.add_typer(value_app, name="value")
feedback_app.command("bounces")(bounces_command)
app.add_typer(feedback_app, name="feedback")
app.add_typer(requirements_app, name="requirements")
app.add_typer(products_app, name="products")
app.add_typer(segments_app, name="segments")
app.add_typer(survey_app, name="survey")
app.add_typer(cases_app, name="cases")
app.command("generate")(generate)
app.command("demo")(demo)
app.command("compute")(compute)
app.command("worker")(worker)


def _print_version(value: bool) -> None:
    if value:
        console.print(f"kano {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False,
        "--version",
        callback=_print_version,
        is_eager=True,
        help="Show the version and exit.",
    ),
) -> None:
    """Kano command line."""


def run_server(host: str, port: int, workers: int, access_log: bool = True) -> None:
    """uvicorn in this process (one worker) or supervised processes, each with its own
    SO_REUSEPORT socket so connections are spread evenly (kano.adapters.api.serving)."""
    from kano.adapters.api.serving import ServeOptions
    from kano.adapters.api.serving import run_server as serve_processes

    # The access log (one formatted line per request) cost about a tenth of the server's
    # CPU per accepted response in bench/ingest.py; a proxy in front usually logs anyway.
    serve_processes(ServeOptions(host, port, access_log=access_log), workers)


@app.command("serve")
@friendly_errors
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    workers: int = typer.Option(
        1,
        "--workers",
        min=1,
        help="Server processes (stateless; scale out freely). More than one: each listens "
        "on its own SO_REUSEPORT socket and is restarted if it dies.",
    ),
    migrate_first: bool = typer.Option(
        True, "--migrate/--no-migrate", help="Run `kano db upgrade` before serving."
    ),
    access_log: bool = typer.Option(
        True, "--access-log/--no-access-log", help="Log one line per request (uvicorn's)."
    ),
) -> None:
    """Serve the web UI and the REST API (/api/v1) on the configured database."""
    if migrate_first:
        from kano.adapters.db import migrate
        from kano.config import get_settings

        migrate.upgrade(get_settings().database_url)
    run_server(host, port, workers, access_log)


def run() -> None:
    app()
