"""``kano analyze``: the layers linked on the warehouse data -- links and key drivers."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from kano.adapters.cli.console import console, friendly_errors
from kano.domain.shared.errors import InvalidInput

analyze_app = typer.Typer(
    help="Test cause-and-effect links between the layers (EX → OX → CX → TX → money) and "
    "rank the drivers of an outcome, on the warehouse data.",
    no_args_is_help=True,
)
LINK_FIELDS = ("cause", "effect", "estimate", "ci_low", "ci_high", "lag", "n", "method", "verdict")
VERDICT_STYLE = {"supported": "green", "not supported": "yellow", "wrong sign": "red"}


def read_link_file(path: Path) -> list[Any]:
    """Links of a YAML file: a ``ground_truth.yaml`` (``effects:``) or a ``links:`` list."""
    import yaml

    from kano.analytics.linkage import parse_link_specs

    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise InvalidInput("--links", f"cannot read {path}: {error}") from error
    key = next((k for k in ("links", "effects") if isinstance(loaded, dict) and k in loaded), None)
    if key is None or not isinstance(loaded[key], list):
        raise InvalidInput("--links", f"{path} needs a list under `links:` (or `effects:`)")
    return parse_link_specs(loaded[key], key)


def _workspace_and_warehouse(workspace: str | None) -> tuple[str, int, str]:
    from kano.adapters.cli.metrics import _workspace
    from kano.config import get_settings

    slug, workspace_id, _custom = _workspace(workspace)
    return slug, workspace_id, get_settings().resolved_warehouse_url()


@analyze_app.command("links")
@friendly_errors
def links(
    workspace: str | None = typer.Option(
        None, "--workspace", help="Workspace slug (default: the only one, or demo)."
    ),
    link_file: Path | None = typer.Option(
        None, "--links", help="YAML with the links to test (`links:` list, or a generated "
        "company's ground_truth.yaml); default: the service-profit chain.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (one object per link)."),
) -> None:
    """Test each link on the data: effect per unit of the cause, 95 % interval, lag, n, verdict."""
    from kano.adapters.jobs.compute import warehouse_backend
    from kano.analytics.linkage import SERVICE_PROFIT_CHAIN, test_link

    specs = read_link_file(link_file) if link_file else list(SERVICE_PROFIT_CHAIN)
    slug, workspace_id, url = _workspace_and_warehouse(workspace)
    results = []
    with warehouse_backend(url) as backend:
        if as_json:
            results = [test_link(backend, spec, workspace_id) for spec in specs]
        else:
            from kano.adapters.cli.console import row_progress

            with row_progress(f"Testing links in {slug}", len(specs)) as advance:
                for spec in specs:
                    results.append(test_link(backend, spec, workspace_id))
                    advance(f"{spec.cause} → {spec.effect}", 1)
    if as_json:
        records = [_link_record(result) for result in results]
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=1) + "\n")
        return
    table = Table(title=f"Links tested on {escape(slug)}")
    for column in ("cause → effect", "lag", "estimate", "95 % interval", "n", "verdict"):
        table.add_column(column, justify="right" if column in ("estimate", "n") else "left")
    for r in results:
        interval = "–" if r.ci_low is None else f"{r.ci_low:.4g} – {r.ci_high:.4g}"
        estimate = "–" if r.estimate is None else f"{r.estimate:.4g}"
        style = VERDICT_STYLE.get(r.verdict, "dim")
        table.add_row(f"{r.cause} → {r.effect}", r.lag, estimate, interval, f"{r.n:,}",
                      f"[{style}]{r.verdict}[/]")  # fmt: skip
    console.print(table)


def _link_record(result: Any) -> dict[str, Any]:
    record = result.as_dict()
    ordered = {key: record.pop(key) for key in LINK_FIELDS}
    return {**ordered, **record}


@analyze_app.command("drivers")
@friendly_errors
def drivers(
    outcome: str = typer.Option("nps", "--outcome", help="What to explain: a score (nps, csat, "
                                "ces, rating), or churn / revenue in the 180 days after."),
    survey: str = typer.Option("relationship-nps", "--survey", help="Survey whose answers are "
                               "explained ('' for all)."),
    window_days: int = typer.Option(180, "--window-days", min=1, help="How far back a "
                                    "customer's experiences count."),
    only: str = typer.Option("", "--drivers", help="Comma-separated drivers to use (default: "
                             "every candidate met by at least --min-coverage of respondents)."),
    min_coverage: float = typer.Option(0.3, "--min-coverage", min=0.0, max=1.0, help="Keep a "
                                       "candidate only when at least this share of the "
                                       "respondents has a value for it (0.3 = 30 %)."),
    bootstrap: int = typer.Option(500, "--bootstrap", min=0, help="Bootstrap resamples for "
                                  "the intervals."),
    segment: str | None = typer.Option(None, "--segment", help="Only this segment's customers."),
    workspace: str | None = typer.Option(None, "--workspace", help="Workspace slug."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Relative importance of each driver (Johnson's weights; they add up to R²)."""
    from kano.adapters.jobs.compute import warehouse_backend
    from kano.adapters.web.driver_chart import performance_basis_text
    from kano.adapters.web.formatting import NumberFormats
    from kano.adapters.web.measure_labels import driver_name
    from kano.analytics.linkage import relative_weights
    from kano.analytics.linkage.driver_inputs import driver_frame
    from kano.analytics.linkage.frames import WarehouseReader
    from kano.analytics.linkage.performance import PERFORMANCE_MARK, driver_performance

    slug, workspace_id, url = _workspace_and_warehouse(workspace)
    chosen = [name.strip() for name in only.split(",") if name.strip()]
    with warehouse_backend(url) as backend:
        frame = driver_frame(WarehouseReader(backend, workspace_id), outcome, survey or None,
                             window_days, min_coverage, only=chosen, segment=segment)
    stages = _stage_names(workspace_id)
    left_out = [{"driver": key, "name": driver_name(key, str, stages), "coverage": share}
                for key, share in frame.left_out_coverage()]  # fmt: skip
    if not frame.drivers:
        best = ", ".join(f"{row['name']} {row['coverage']:.0%}" for row in left_out[:3])
        raise InvalidInput("--min-coverage", f"no candidate driver is met by {min_coverage:.0%} "
                           f"of respondents; best covered: {best}")
    data = frame.data
    weights = relative_weights(data[list(frame.drivers)].to_numpy(), data["outcome"].to_numpy(),
                               frame.drivers, bootstrap=bootstrap)  # fmt: skip
    assessed = driver_performance(weights, _driver_targets(workspace_id))
    rows = sorted(weights.rows(assessed), key=lambda row: -float(row["weight"]))
    if as_json:
        payload = {"outcome": outcome, "r_squared": weights.r_squared, "n": weights.n,
                   "min_coverage": min_coverage, "performance_mark": PERFORMANCE_MARK,
                   "drivers": [{**row, "name": driver_name(str(row["driver"]), str, stages),
                                "coverage": frame.coverage.get(str(row["driver"]))}
                               for row in rows],
                   "left_out": list(frame.left_out), "left_out_coverage": left_out}  # fmt: skip
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
        return
    table = Table(title=f"Drivers of {outcome} in {escape(slug)} (R² = {weights.r_squared:.3f}, "
                  f"n = {weights.n:,})")  # fmt: skip
    for column in ("driver", "share of R²", "weight", "95 % interval", "mean", "coverage",
                   "performance", "measured against"):
        table.add_column(column, justify="left" if column in ("driver", "measured against")
                         else "right")  # fmt: skip
    english = NumberFormats("en")
    for row in rows:
        key = str(row["driver"])
        table.add_row(escape(driver_name(key, str, stages)), f"{float(row['share']):.0%}",
                      f"{float(row['weight']):.4f}",
                      f"{float(row['ci_low']):.4f} – {float(row['ci_high']):.4f}",
                      f"{float(row['performance']):.2f}",
                      f"{frame.coverage[key]:.0%}" if key in frame.coverage else "–",
                      f"{float(row['performance_share']):.0%}",
                      escape(performance_basis_text(row, str, english)))  # fmt: skip
    console.print(table)
    console.print(f"Performance: each driver on its own scale (a score on its question's "
                  f"scale, a process measure against its scorecard target or else between "
                  f"the worst and best respondent); from {PERFORMANCE_MARK:.0%} it performs "
                  "well.", soft_wrap=True)  # fmt: skip
    kept = (f"Kept: candidates with a value for at least {min_coverage:.0%} of respondents; "
            f"{weights.n:,} responses have a value for every kept driver.")  # fmt: skip
    console.print(kept if not chosen else f"{weights.n:,} responses have a value for every "
                  "chosen driver.", soft_wrap=True)  # fmt: skip
    if left_out:
        gone = Table(title=f"Left out: coverage below {min_coverage:.0%}", caption="A lower "
                     "--min-coverage ranks them too (on fewer responses).")  # fmt: skip
        gone.add_column("driver")
        gone.add_column("coverage", justify="right")
        for item in left_out:
            gone.add_row(escape(str(item["name"])), f"{float(item['coverage']):.0%}")
        console.print(gone)


def _driver_targets(workspace_id: int) -> dict[str, Any]:
    """The scorecard targets the drivers' performance is scored against (by process
    measure), as the web page and the API read them."""
    from kano.adapters.db.views.driver_targets import driver_targets
    from kano.bootstrap import build_container

    container = build_container()
    try:
        with container.sessions() as session:
            return dict(driver_targets(session, workspace_id))
    finally:
        container.close()


def _stage_names(workspace_id: int) -> dict[str, str]:
    """The workspace's journey stages, key → name, so a stage's score reads as the web
    page names it ("Delivery: CSAT")."""
    from kano.adapters.web.labels import STAGE_NAMES, journey_names
    from kano.bootstrap import build_container

    container = build_container()
    try:
        with container.sessions() as session:
            return journey_names(session, workspace_id)[STAGE_NAMES]
    finally:
        container.close()


from kano.adapters.cli.painpoints import painpoints  # noqa: E402 -- uses this module's helpers

analyze_app.command("painpoints")(painpoints)
