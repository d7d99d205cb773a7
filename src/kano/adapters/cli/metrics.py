"""``kano metrics list`` and ``kano metrics show``: the metric catalogue on the warehouse.

The catalogue is the built-in metrics, the workspace's custom metrics (stored by ``kano
strategy import``) and, as an extra, those of a ``--definitions`` file.
"""

from __future__ import annotations

import csv
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from kano.adapters.cli.console import console, error_console, friendly_errors
from kano.domain.shared.errors import InvalidInput

metrics_app = typer.Typer(
    help="The metric catalogue (CX, TX, OX, EX, financial), computed in the warehouse.",
    no_args_is_help=True,
)
FORMATS = ("table", "json", "csv")


def _file_metrics(definitions: Path | None) -> list[Any]:
    """The custom metrics of a ``--definitions`` file (none without one)."""
    from kano.metrics import load_custom_metrics

    if definitions is None:
        return []
    try:
        text = definitions.read_text(encoding="utf-8")
    except OSError as error:
        raise InvalidInput("--definitions", f"cannot read {definitions}: {error}") from error
    try:
        return load_custom_metrics(text)
    except InvalidInput as error:
        raise InvalidInput(f"{definitions}: {error.field}", error.message) from error


def _catalogue(stored: list[Any], definitions: Path | None, slug: str | None) -> Any:
    """Built-in metrics, the workspace's custom ones (``stored``) and the file's."""
    from kano.metrics import Catalogue

    extra = _file_metrics(definitions)
    ids = {metric.id for metric in stored}
    for metric in extra:
        if metric.id in ids:
            raise InvalidInput(
                f"{definitions}", f"metric {metric.id!r} is a custom metric of workspace {slug!r}"
            )
    return Catalogue([*stored, *extra])


def _check_format(output: str) -> str:
    if output not in FORMATS:
        raise typer.BadParameter(f"choose one of {', '.join(FORMATS)}", param_hint="--format")
    return output


@metrics_app.command("list")
@friendly_errors
def list_metrics(
    output: str = typer.Option("table", "--format", help="table or json."),
    language: str = typer.Option("en", "--language", help="en, ru or hu."),
    workspace: str | None = typer.Option(
        None, "--workspace", help="List this workspace's custom metrics as well."
    ),
    definitions: Path | None = typer.Option(
        None, "--definitions", help="A YAML file of custom metrics to list as well."
    ),
) -> None:
    """Every metric: id, layer, name, unit, direction and what it means."""
    _check_format(output)
    stored: list[Any] = []
    if workspace is not None:
        workspace, _workspace_id, stored = _workspace(workspace)
    catalogue = _catalogue(stored, definitions, workspace)
    if output == "json":
        entries = [
            {
                "id": m.id,
                "layer": m.layer.value,
                "names": m.names,
                "unit": m.unit,
                "direction": m.direction.value,
                "format": m.format,
                "description": m.description,
                "descriptions": m.descriptions,
                "custom": m.custom,
            }
            for m in catalogue
        ]
        sys.stdout.write(json.dumps(entries, ensure_ascii=False, indent=1) + "\n")
        return
    table = Table(title=f"{len(catalogue)} metrics")
    for column in ("id", "layer", "name", "unit", "better"):
        table.add_column(column)
    for m in catalogue:
        table.add_row(m.id, m.layer.value, escape(m.name(language)), m.unit, m.direction.value)
    console.print(table)


def _workspace(slug: str | None) -> tuple[str, int, list[Any]]:
    """The workspace (by default the only one, or demo): slug, id and custom metrics."""

    from kano.adapters.cli.workspaces import chosen_workspace
    from kano.adapters.db.metric_catalogue import workspace_catalogue
    from kano.bootstrap import build_container

    container = build_container()
    try:
        with container.sessions() as session:
            slug, workspace_id = chosen_workspace(session, slug)
            custom = [m for m in workspace_catalogue(session, workspace_id) if m.custom]
    finally:
        container.close()
    return slug, workspace_id, custom


def _filters(values: list[str]) -> dict[str, list[str]]:
    filters: dict[str, list[str]] = {}
    for text in values:
        name, sep, allowed = text.partition("=")
        if not sep or not name.strip() or not allowed.strip():
            raise InvalidInput("--filter", f"{text!r}: write NAME=VALUE or NAME=V1,V2")
        filters.setdefault(name.strip(), []).extend(v.strip() for v in allowed.split(","))
    return filters


def _date(option: str, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise InvalidInput(option, f"{text!r} is not a date (YYYY-MM-DD)") from error


@metrics_app.command("show")
@friendly_errors
def show(
    metric_id: str = typer.Argument(..., help="Metric id (see `kano metrics list`)."),
    workspace: str | None = typer.Option(
        None,
        "--workspace",
        help="Workspace slug (default: the only one, or demo); its custom metrics count too.",
    ),
    by: str = typer.Option(
        "",
        "--by",
        help="Slices, comma-separated: a grain (day, week, month, quarter, year) "
        "and any of segment, stage, touchpoint, channel, team, region, survey, product, "
        "customer attributes …",
    ),
    date_from: str | None = typer.Option(None, "--from", help="First day (YYYY-MM-DD)."),
    date_to: str | None = typer.Option(None, "--to", help="Last day (YYYY-MM-DD), inclusive."),
    filters: list[str] = typer.Option(
        [], "--filter", help="NAME=VALUE[,VALUE…]; repeat for more filters."
    ),
    where: str | None = typer.Option(
        None, "--where", help="Extra condition, e.g. \"amount > 1000 and channel = 'web'\"."
    ),
    compare: bool = typer.Option(
        False, "--compare", help="Add the previous period's value and the change."
    ),
    definitions: Path | None = typer.Option(
        None, "--definitions", help="A YAML file of more custom metrics (besides the workspace's)."
    ),
    output: str = typer.Option("table", "--format", help="table, json or csv."),
    language: str = typer.Option("en", "--language", help="en, ru or hu (table titles)."),
) -> None:
    """Compute one metric per slice: value, n and the 95 % interval."""
    from kano.adapters.warehouse import connect
    from kano.config import get_settings
    from kano.metrics import compute_metric
    from kano.metrics.data_window import compared_inside, default_period

    _check_format(output)
    start, end = _date("--from", date_from), _date("--to", date_to)
    if (start is None) != (end is None):
        raise InvalidInput("--from/--to", "give both ends of the period")
    period = (start, end) if start is not None and end is not None else None
    slug, workspace_id, stored = _workspace(workspace)
    metric = _catalogue(stored, definitions, slug).get(metric_id)
    backend = connect(get_settings().resolved_warehouse_url(), read_only=True)
    slices = [name.strip() for name in by.split(",") if name.strip()]
    # an order-history metric over time starts on the data window (kano.metrics.data_window)
    window = default_period(backend, metric, workspace_id, slices, period)
    if window is not None and period is None:
        error_console.print(
            f"Period {window[0]} – {window[1]}: the data window (its months before hold only "
            "the orders carried in); give --from/--to for other months."
        )
    rows = compute_metric(
        backend,
        metric,
        by=slices,
        filters=_filters(filters),
        period=window,
        workspace_id=workspace_id,
        where=where,
        compare=compare,
    )
    if window is not None and period is None and compare:
        rows = compared_inside(rows, slices, window)
    records = [row.as_dict() for row in rows]
    if output == "json":
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=1) + "\n")
    elif output == "csv":
        _write_csv(records)
    else:
        _print_table(metric, slug, records, language)


def _flat(record: dict[str, Any]) -> dict[str, Any]:
    components = record.pop("components", {}) or {}
    record.update({f"component_{k}": v for k, v in components.items()})
    return record


def _write_csv(records: list[dict[str, Any]]) -> None:
    flat = [_flat(dict(record)) for record in records]
    columns: list[str] = []
    for record in flat:
        columns += [key for key in record if key not in columns]
    writer = csv.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(flat)


def _print_table(metric: Any, slug: str, records: list[dict[str, Any]], language: str) -> None:
    title = f"{metric.name(language)} — {slug}"
    table = Table(title=escape(title), caption=escape(metric.describe(language)))
    fixed = {"value", "n", "ci_low", "ci_high", "components", "previous_value", "change"}
    keys = [key for key in (records[0] if records else {}) if key not in fixed]
    for key in keys:
        table.add_column(key)
    table.add_column("value", justify="right")
    table.add_column("95 % interval", justify="right")
    table.add_column("n", justify="right")
    compared = bool(records) and "previous_value" in records[0]
    if compared:
        table.add_column("previous", justify="right")
    for record in records:
        low, high = record["ci_low"], record["ci_high"]
        interval = (
            "" if low is None else f"{format(low, metric.format)} – {format(high, metric.format)}"
        )
        cells = [escape(str(record[key])) if record[key] is not None else "–" for key in keys]
        cells += [metric.format_value(record["value"]), interval, f"{record['n']:,}"]
        if compared:
            cells.append(metric.format_value(record["previous_value"]))
        table.add_row(*cells)
    console.print(table)
