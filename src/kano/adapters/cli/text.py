"""``kano text analyze``: language, sentiment and themes of a workspace's comments."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from kano.adapters.cli.console import console, friendly_errors

text_app = typer.Typer(
    help="Analyse the open-text comments: language, sentiment (learnt from the scores) and "
    "themes per touchpoint or segment, on the warehouse data.",
    no_args_is_help=True,
)


def _number(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


@text_app.command("analyze")
@friendly_errors
def analyze(
    workspace: str | None = typer.Option(
        None, "--workspace", help="Workspace slug (default: the only one, or demo)."
    ),
    by: str = typer.Option("touchpoint", "--by", help="touchpoint, segment or all."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON: model, themes, topics."),
    force: bool = typer.Option(
        False, "--force", help="Analyse again even when the stored analysis is current."
    ),
) -> None:
    """Analyse the comments: languages, sentiment, themes, the negative-themes ranking.

    Detect languages, train the sentiment model on the scored comments (cross-validated),
    find the themes, store the results in the warehouse (what the Themes page and the API
    read; the worker does the same after each load) and print the negative-themes ranking.
    A workspace whose stored analysis is current is only printed."""
    from kano.adapters.cli.analyze import _workspace_and_warehouse
    from kano.adapters.jobs.compute import warehouse_backend
    from kano.adapters.jobs.text_insights import STEPS, analyse_and_store
    from kano.analytics.text.report import Freshness, report_from_analysis
    from kano.analytics.text.stored_results import report_from_store
    from kano.domain.shared.errors import InvalidInput

    if by not in ("touchpoint", "segment", "all"):
        raise InvalidInput("--by", f"{by!r} is not one of touchpoint, segment, all")
    group: Any = None if by == "all" else by
    slug, workspace_id, url = _workspace_and_warehouse(workspace)
    if as_json:
        run = analyse_and_store(url, workspace_id, force=force)
    else:
        from kano.adapters.cli.console import row_progress

        with row_progress(f"Analysing comments in {slug}", len(STEPS)) as advance:
            run = analyse_and_store(url, workspace_id, force=force,
                                    progress=lambda step: advance(step, 1))  # fmt: skip
    with warehouse_backend(url) as backend:  # what the page and the API now show
        report = report_from_store(backend, workspace_id, group)
    if report is None:  # the stored rows vanished between the write and this read
        report = report_from_analysis(run.analysis, group, freshness=Freshness("computed"))
    state = report.freshness
    if as_json:
        print(json.dumps({
            "workspace": slug, "comments": report.comments, "languages": report.languages,
            "model": report.model.as_dict(), "themes": [r.as_dict() for r in report.themes],
            "negative_themes": [r.as_dict() for r in report.ranking],
            "topics": [{"index": t.index, "terms": list(t.terms), "comments": t.comments}
                       for t in report.topics],
            "analysis": {**state.__dict__, "run": run.status, "seconds": round(run.seconds, 2),
                         "analysed_at": state.analysed_at.isoformat() if state.analysed_at
                         else None},
        }, ensure_ascii=False, indent=2))  # fmt: skip
        return
    if run.status == "stored":
        console.print(f"Analysed and stored in the warehouse in {run.seconds:.1f} s.")
    elif run.status == "current":
        console.print(f"The stored analysis of {state.analysed_at:%Y-%m-%d %H:%M} UTC is "
                      "current (--force analyses again).")  # fmt: skip
    else:
        console.print(f"[yellow]Analysed in {run.seconds:.1f} s, {run.status}.[/]")
    model = report.model
    console.print(f"[bold]{report.comments}[/] comments; languages: "
                  + ", ".join(f"{k} {v}" for k, v in report.languages.items()))  # fmt: skip
    if model.trained:
        console.print(f"Sentiment model: {escape(model.message)} Cross-validated accuracy "
                      f"{_number(model.accuracy, 3)}, macro-F1 {_number(model.macro_f1, 3)} "
                      f"({model.folds} folds).")  # fmt: skip
    else:
        console.print(f"[yellow]No sentiment model:[/] {escape(model.message)}")
    table = Table(title="Negative themes")
    for column in ("group", "theme", "negative", "n", "share", "mean sentiment", "NPS with",
                   "NPS without", "impact", "impact 95 % interval"):  # fmt: skip
        table.add_column(column)
    for r in report.ranking[:15]:
        table.add_row(escape(r.group or "all"), r.theme, str(r.negative), str(r.n),
                      f"{r.share:.1%}", _number(r.mean_sentiment, 2), _number(r.nps_with),
                      _number(r.nps_without), _number(r.impact),
                      "–" if r.impact_ci_low is None or r.impact_ci_high is None
                      else f"{_number(r.impact_ci_low)} … {_number(r.impact_ci_high)}")  # fmt: skip
    console.print(table)
    if report.topics:
        console.print("Discovered topics: " + "; ".join(escape(t.label) for t in report.topics))


@text_app.command("train")
@friendly_errors
def train(
    workspace: str | None = typer.Option(
        None, "--workspace", help="Workspace slug (default: the only one, or demo)."
    ),
) -> None:
    """Train the workspace's sentiment model for case rules of kind sentiment.

    It learns from the scored warehouse comments and is stored
    (plain numbers, no pickle) for the case rules of kind sentiment."""
    from kano.adapters.cli.analyze import _workspace_and_warehouse
    from kano.adapters.db.sentiment_models import train_from_warehouse
    from kano.adapters.jobs.compute import warehouse_backend
    from kano.bootstrap import build_container

    slug, workspace_id, url = _workspace_and_warehouse(workspace)
    container = build_container()
    try:
        with warehouse_backend(url) as backend, container.sessions() as session:
            model = train_from_warehouse(session, backend, workspace_id)
            session.commit()
    finally:
        container.close()
    if model.trained:
        console.print(f"{escape(slug)}: sentiment model stored. {escape(model.message)} "
                      f"Cross-validated accuracy {_number(model.accuracy, 3)}, macro-F1 "
                      f"{_number(model.macro_f1, 3)} ({model.folds} folds).")  # fmt: skip
    else:
        console.print(f"[yellow]{escape(slug)}: no sentiment model:[/] {escape(model.message)} "
                      "Sentiment case rules do not fire until there is one.")  # fmt: skip
