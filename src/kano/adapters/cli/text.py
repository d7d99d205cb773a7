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
_STEPS = ("language", "sentiment", "themes", "topics")


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
) -> None:
    """Detect languages, train the sentiment model on the scored comments (cross-validated),
    find the themes and print the negative-themes ranking."""
    from kano.adapters.cli.analyze import _workspace_and_warehouse
    from kano.adapters.jobs.compute import warehouse_backend
    from kano.analytics.text import negative_themes, theme_summary
    from kano.analytics.text.cache import workspace_text_analysis
    from kano.domain.shared.errors import InvalidInput

    if by not in ("touchpoint", "segment", "all"):
        raise InvalidInput("--by", f"{by!r} is not one of touchpoint, segment, all")
    group: Any = None if by == "all" else by
    slug, workspace_id, url = _workspace_and_warehouse(workspace)
    with warehouse_backend(url) as backend:
        if as_json:
            analysis = workspace_text_analysis(backend, workspace_id, warehouse=url)
        else:
            from kano.adapters.cli.console import row_progress

            with row_progress(f"Analysing comments in {slug}", len(_STEPS)) as advance:
                analysis = workspace_text_analysis(
                    backend, workspace_id, warehouse=url,
                    progress=lambda step: advance(step, 1),
                )  # fmt: skip
    themes = theme_summary(analysis, group)
    ranking = negative_themes(analysis, group)
    if as_json:
        print(json.dumps({
            "workspace": slug, "comments": len(analysis.comments),
            "languages": analysis.languages(), "model": analysis.model.as_dict(),
            "themes": [r.as_dict() for r in themes],
            "negative_themes": [r.as_dict() for r in ranking],
            "topics": [{"index": t.index, "terms": list(t.terms)} for t in analysis.topics],
        }, ensure_ascii=False, indent=2))  # fmt: skip
        return
    model = analysis.model
    console.print(f"[bold]{len(analysis.comments)}[/] comments; languages: "
                  + ", ".join(f"{k} {v}" for k, v in analysis.languages().items()))  # fmt: skip
    if model.trained:
        console.print(f"Sentiment model: {escape(model.message)} Cross-validated accuracy "
                      f"{_number(model.accuracy, 3)}, macro-F1 {_number(model.macro_f1, 3)} "
                      f"({model.folds} folds).")  # fmt: skip
    else:
        console.print(f"[yellow]No sentiment model:[/] {escape(model.message)}")
    table = Table(title="Negative themes")
    for column in ("group", "theme", "negative", "n", "share", "mean sentiment", "NPS with",
                   "NPS without", "impact"):  # fmt: skip
        table.add_column(column)
    for r in ranking[:15]:
        table.add_row(escape(r.group or "all"), r.theme, str(r.negative), str(r.n),
                      f"{r.share:.1%}", _number(r.mean_sentiment, 2), _number(r.nps_with),
                      _number(r.nps_without), _number(r.impact))  # fmt: skip
    console.print(table)
    if analysis.topics:
        console.print("Discovered topics: " + "; ".join(escape(t.label) for t in analysis.topics))


@text_app.command("train")
@friendly_errors
def train(
    workspace: str | None = typer.Option(
        None, "--workspace", help="Workspace slug (default: the only one, or demo)."
    ),
) -> None:
    """Train the workspace's sentiment model on its scored warehouse comments and store it
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
