"""``kano value rfm|matrix|profit|clv|churn``: the shared analyses of
:mod:`kano.analytics.value.views`, printed as a table, JSON or CSV."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape
from rich.table import Table

from kano.adapters.cli.console import console, friendly_errors
from kano.adapters.cli.value.output import day_option, emit, options_named
from kano.domain.shared.errors import InvalidInput

if TYPE_CHECKING:  # the value models load scipy, which the CLI's start-up must not pay
    from kano.analytics.value.views import ClvProblem

value_app = typer.Typer(
    help="Customer value and portfolio on the warehouse data: RFM segments, the 3×3 client "
    "matrix, the profit formula with attribution, CLV (BG/NBD + Gamma-Gamma) and churn risk.",
    no_args_is_help=True,
)

WorkspaceOption = typer.Option(
    None, "--workspace", help="Workspace slug (default: the only one, or demo)."
)
SegmentOption = typer.Option(
    None, "--segment",
    help="Only the current members of this segment (key, e.g. smb): manual, rule, RFM, "
    "value tier or matrix cell, as of the last warehouse load.",
)
JsonOption = typer.Option(False, "--json", help="Print JSON.")
CsvOption = typer.Option(False, "--csv", help="Print CSV (one row per customer).")
AsOfOption = typer.Option(
    None,
    "--as-of",
    help="Score as of this day (YYYY-MM-DD; default: the day after the last order).",
)
OPTION_NAMES = {
    "as_of": "--as-of", "lookback_days": "--lookback-days", "segment": "--segment",
    "transitions_from": "--transitions-from", "movements_from": "--movements-from",
    "method": "--method", "window_days": "--window-days", "time_unit": "--time-unit",
    "horizon": "--horizon", "calibration_end": "--calibration-end", "holdout": "--holdout",
}  # fmt: skip


@contextmanager
def _warehouse(workspace: str | None) -> Iterator[tuple[str, Any, int]]:
    """The workspace's slug, the warehouse backend and the workspace id; errors of the
    analyses name this command's options."""
    from kano.adapters.cli.analyze import _workspace_and_warehouse
    from kano.adapters.jobs.compute import warehouse_backend

    slug, workspace_id, url = _workspace_and_warehouse(workspace)
    with warehouse_backend(url) as backend, options_named(OPTION_NAMES):
        yield slug, backend, workspace_id


@value_app.command("rfm")
@friendly_errors
def rfm(
    workspace: str | None = WorkspaceOption,
    segment: str | None = SegmentOption,
    as_of: str | None = AsOfOption,
    lookback_days: int = typer.Option(
        365,
        "--lookback-days",
        min=1,
        help="Orders and revenue counted over this many days before --as-of.",
    ),
    transitions_from: str | None = typer.Option(
        None,
        "--transitions-from",
        help="Instead of the customers, count the moves between segments from this day "
        "(YYYY-MM-DD) to --as-of; '(none)' is a customer not active on one of the days.",
    ),
    segments_file: Path | None = typer.Option(
        None,
        "--segments",
        help="YAML of your own segment names and score ranges (`segments:` list of name, "
        "recency: [low, high], frequency_monetary: [low, high]; the first that covers a "
        "customer names it).",
    ),
    as_json: bool = JsonOption,
    as_csv: bool = CsvOption,
) -> None:
    """Recency, frequency and monetary scores 1–5 and the RFM segment of every customer."""
    from kano.analytics.value.rfm import DEFAULT_SEGMENTS, segment_rules_from_yaml
    from kano.analytics.value.views import rfm_view

    rules = DEFAULT_SEGMENTS
    if segments_file is not None:
        try:
            text = segments_file.read_text(encoding="utf-8")
        except OSError as error:
            raise InvalidInput("--segments", f"cannot read {segments_file}: {error}") from error
        rules = segment_rules_from_yaml(text)

    with _warehouse(workspace) as (slug, backend, workspace_id):
        view = rfm_view(backend, workspace_id, segment=segment,
                        as_of=day_option(as_of, "--as-of"), lookback_days=lookback_days,
                        transitions_from=day_option(transitions_from, "--transitions-from"),
                        segments=rules)
    if transitions_from:
        if not emit(view.transitions, as_json, as_csv):
            table = Table(title=f"RFM segment moves in {escape(slug)}: "
                                f"{transitions_from} → {view.as_of:%Y-%m-%d}")  # fmt: skip
            for column in ("from", "to", "customers"):
                table.add_column(column, justify="right" if column == "customers" else "left")
            for move in sorted(view.transitions, key=lambda r: -int(r["customers"])):
                table.add_row(escape(str(move["from"])), escape(str(move["to"])),
                              f"{move['customers']:,}")  # fmt: skip
            console.print(table)
        return
    if emit(view.customers, as_json, as_csv):
        return
    table = Table(title=f"RFM segments in {escape(slug)} as of {view.as_of:%Y-%m-%d} "
                        f"({len(view.customers):,} customers)")  # fmt: skip
    for column in ("segment", "customers", "revenue", "share of revenue", "NPS"):
        table.add_column(column, justify="left" if column == "segment" else "right")
    for row in view.segments:
        nps = "–" if row["nps"] is None else f"{row['nps']:+.0f} (n={row['nps_answers']})"
        table.add_row(escape(row["segment"]), f"{row['customers']:,}", f"{row['revenue']:,.0f}",
                      f"{row['revenue_share']:.0%}", nps)  # fmt: skip
    console.print(table)


@value_app.command("matrix")
@friendly_errors
def matrix(
    workspace: str | None = WorkspaceOption,
    segment: str | None = SegmentOption,
    as_of: str | None = AsOfOption,
    everyone: bool = typer.Option(
        False, "--all-customers", help="Place every customer, not only accounts (kind = account)."
    ),
    movements_from: str | None = typer.Option(
        None,
        "--movements-from",
        help="Instead of the accounts, count the moves between cells from this day "
        "(YYYY-MM-DD) to --as-of (accounts placed on both days).",
    ),
    as_json: bool = JsonOption,
    as_csv: bool = CsvOption,
) -> None:
    """Place each account in the 3×3 client matrix with the cell's recommended strategy.

    The matrix is attractiveness × relationship. Attractiveness: revenue, margin and
    growth over the last year; relationship: tenure, share of wallet, last NPS, contact
    breadth, support cases."""
    from kano.analytics.value.views import matrix_view

    with _warehouse(workspace) as (slug, backend, workspace_id):
        view = matrix_view(backend, workspace_id, segment=segment,
                           as_of=day_option(as_of, "--as-of"), all_customers=everyone,
                           movements_from=day_option(movements_from, "--movements-from"))
    if movements_from:
        if not emit(view.movements, as_json, as_csv):
            console.print_json(data=view.movements)
        return
    if emit(view.accounts, as_json, as_csv):
        return
    counts = {(c["attractiveness_level"], c["relationship_level"]): c["accounts"]
              for c in view.cells}  # fmt: skip
    table = Table(title=f"Client matrix of {escape(slug)} as of {view.as_of:%Y-%m-%d} "
                        f"({len(view.accounts):,} accounts)")  # fmt: skip
    table.add_column("attractiveness ↓ / relationship →")
    for level in ("low", "medium", "high"):
        table.add_column(level, justify="right")
    for a in ("high", "medium", "low"):
        table.add_row(a, *(f"{counts[(a, r)]:,}" for r in ("low", "medium", "high")))
    console.print(table)
    for cell in view.cells:
        strategy = escape(cell["strategy"])
        console.print(f"  {cell['attractiveness_level']} attractiveness × "
                      f"{cell['relationship_level']} relationship: {strategy}")  # fmt: skip


@value_app.command("profit")
@friendly_errors
def profit(
    workspace: str | None = WorkspaceOption,
    segment: str | None = SegmentOption,
    months: int = typer.Option(
        3,
        "--months",
        min=1,
        max=24,
        help="Length of each period: the last complete one against the one before.",
    ),
    costs_before: float = typer.Option(0.0, "--costs-before", help="Costs of the earlier period."),
    costs_after: float = typer.Option(0.0, "--costs-after", help="Costs of the later period."),
    industry: str = typer.Option(
        "generic", "--industry", help="Lever labels: generic, saas, retail, hospitality or b2b."
    ),
    method: str = typer.Option("shapley", "--method", help="shapley or log."),
    start: str | None = typer.Option(
        None, "--start", help="First day of the earlier period (YYYY-MM-DD), used as given; "
        "default: the last two complete periods inside the data window."
    ),
    as_json: bool = JsonOption,
) -> None:
    """The profit formula for the last two periods, the change attributed to each lever.

    Profit = leads × conversion × ARPU × lifetime × margin − costs for the last two
    periods, and the change attributed to each lever (contributions add up exactly). The
    default periods lie inside the data window (before it the order history holds only
    carried-in orders): when they would reach into it, both are shortened to fit."""
    from kano.analytics.value.views import profit_view

    with _warehouse(workspace) as (slug, backend, workspace_id):
        payload = {"workspace": slug, **profit_view(
            backend, workspace_id, segment=segment, months=months, costs_before=costs_before,
            costs_after=costs_after, industry=industry, method=method,
            start=day_option(start, "--start"))}  # fmt: skip
    if payload["windowed"] and not as_json:
        console.print(f"Each period is shortened from {payload['months_asked']} to "
                      f"{payload['months']} months, so that both lie inside the data window "
                      "(give --start to compare earlier months).")  # fmt: skip
    if as_json:
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
        return
    start, middle = payload["before_period"]
    end = payload["after_period"][1]
    table = Table(title=f"Profit formula of {escape(slug)}: {start} – {middle} → {middle} – {end}")
    for column in ("lever", "before", "after", "contribution"):
        table.add_column(column, justify="left" if column == "lever" else "right")
    for lever in payload["levers"]:
        table.add_row(escape(lever["label"]), f"{lever['before']:,.4g}", f"{lever['after']:,.4g}",
                      f"{lever['contribution']:+,.0f}")  # fmt: skip
    table.add_row("Profit", f"{payload['profit_before']:,.0f}", f"{payload['profit_after']:,.0f}",
                  f"{payload['change']:+,.0f}", style="bold")  # fmt: skip
    console.print(table)


@value_app.command("clv")
@friendly_errors
def clv(
    workspace: str | None = WorkspaceOption,
    segment: str | None = SegmentOption,
    horizon: float = typer.Option(52.0, "--horizon", min=0.0, help="CLV horizon in time units."),
    steps: int = typer.Option(12, "--steps", min=1, help="Discounting periods in the horizon."),
    discount_rate: float = typer.Option(
        0.01, "--discount-rate", help="Discount rate per discounting period."
    ),
    margin: float = typer.Option(
        1.0, "--margin", help="Share of spend that is margin (1 = value in revenue)."
    ),
    time_unit: str = typer.Option("week", "--time-unit", help="day, week or month."),
    pooled: bool = typer.Option(
        False, "--pooled", help="One fit for all customers instead of one per segment."
    ),
    from_csv: Path | None = typer.Option(
        None, "--from-csv", help="Fit a transaction file instead of the warehouse."
    ),
    customer_col: str = typer.Option("customer_id", "--customer-col", help="CSV customer column."),
    date_col: str = typer.Option("date", "--date-col", help="CSV date column."),
    amount_col: str = typer.Option("amount", "--amount-col", help="CSV amount column."),
    calibration_end: str | None = typer.Option(
        None, "--calibration-end", help="Last day of the calibration period (YYYY-MM-DD)."
    ),
    holdout: float | None = typer.Option(
        None,
        "--holdout",
        min=0.0,
        help="Calibration/holdout check instead of CLV: fit up to this many time units "
        "before the end (or up to --calibration-end) and compare predicted with actual "
        "purchases in the holdout, by calibration frequency.",
    ),
    params_json: bool = typer.Option(
        False,
        "--params-json",
        help="Print the fitted BG/NBD and Gamma-Gamma parameters and log-likelihoods as JSON.",
    ),
    as_json: bool = JsonOption,
    as_csv: bool = CsvOption,
) -> None:
    """Expected purchases, P(alive) and discounted CLV of every customer.

    The models: BG/NBD for how
    often, Gamma-Gamma for how much; fitted by maximum likelihood per segment)."""
    from kano.adapters.cli.value.csv_fit import csv_summary
    from kano.analytics.value.clv import OWN_AVERAGE_NOTE
    from kano.analytics.value.transactions import TIME_UNITS, calibration_check
    from kano.analytics.value.views import (
        ClvNotFitted,
        ClvView,
        clv_records,
        clv_view,
        fit_summaries,
    )

    if time_unit not in TIME_UNITS:
        raise InvalidInput("--time-unit", f"choose one of {', '.join(TIME_UNITS)}")
    cal_end = day_option(calibration_end, "--calibration-end")
    if from_csv is not None:
        slug = from_csv.name
        summary = csv_summary(from_csv, customer_col, date_col, amount_col, cal_end, time_unit,
                              holdout)  # fmt: skip
        try:
            fits = fit_summaries([(None, summary)])
        except ClvNotFitted as error:
            _warn_not_fitted(error.problems, alone=True, nothing_fitted=True)
            raise
        if holdout:
            buckets = [{"segment": None, **vars(b)} for b in calibration_check(fits[0].bg, summary)]
            view = ClvView(time_unit, fits, holdout=buckets)
        elif params_json:
            view = ClvView(time_unit, fits)
        else:
            view = ClvView(time_unit, fits, customers=clv_records(
                fits, horizon=horizon, steps=steps, discount_rate=discount_rate, margin=margin))
    else:
        with _warehouse(workspace) as (slug, backend, workspace_id):
            try:
                view = clv_view(backend, workspace_id, segment=segment, pooled=pooled,
                                calibration_end=cal_end, time_unit=time_unit, holdout=holdout,
                                horizon=horizon, steps=steps, discount_rate=discount_rate,
                                margin=margin)  # fmt: skip
            except ClvNotFitted as error:
                # Each segment with why and what to do, then one error line (exit code 2).
                _warn_not_fitted(error.problems, alone=bool(segment), nothing_fitted=True)
                option = "--segment" if segment else "--pooled" if pooled else "segments"
                raise InvalidInput(option, error.message) from error
    _warn_not_fitted(view.problems)
    if params_json:
        # Segments not fitted are listed too, each with "status": "not_fitted" and why.
        payload = view.parameters() + [problem.status() for problem in view.problems]
        result: Any = payload[0] if from_csv is not None or len(payload) == 1 else payload
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
        return
    if holdout:
        _print_holdout_check(view.holdout, slug, as_json, as_csv)
        return
    if emit(view.customers, as_json, as_csv):
        return
    table = Table(title=f"CLV over {horizon:g} {time_unit}s in {escape(slug)} "
                        f"({len(view.customers):,} customers)")  # fmt: skip
    for column in ("segment", "customers", "r", "alpha", "a", "b", "p", "q", "gamma",
                   "mean CLV", "total CLV"):  # fmt: skip
        table.add_column(column, justify="left" if column == "segment" else "right")
    for fit in view.fits:
        values = [float(r["clv"]) for r in view.customers if r["segment"] == fit.segment]
        bg, gg = fit.bg, fit.gg
        spend = ("∞", f"{gg.q:.4g}", "—") if gg.own_average else (
            f"{v:.4g}" for v in (gg.p, gg.q, gg.gamma))  # fmt: skip
        table.add_row(
            escape(str(fit.segment or "all")) + (" *" if gg.own_average else ""),
            f"{len(values):,}",
            *(f"{v:.4g}" for v in (bg.r, bg.alpha, bg.a, bg.b)),
            *spend,
            f"{sum(values) / len(values):,.0f}",
            f"{sum(values):,.0f}",
        )
    for problem in view.problems:
        table.add_row(escape(str(problem.segment or "all")), f"{problem.customers:,}",
                      "not fitted", *[""] * 8, style="dim")  # fmt: skip
    own = [str(fit.segment or "all") for fit in view.fits if fit.gg.own_average]
    if own:
        table.caption = escape(f"* expected spend in {', '.join(own)}: {OWN_AVERAGE_NOTE} "
                               "(Gamma-Gamma's limit p → ∞)")  # fmt: skip
    console.print(table)


def _warn_not_fitted(
    problems: list[ClvProblem], *, alone: bool = False, nothing_fitted: bool = False
) -> None:
    """Say on stderr which segments the models could not be fitted to, why and what to do
    (the output holds the others; its customers are missing from it). ``alone``: the
    request was one segment or one pooled fit, so --pooled alone does not help."""
    pool = ("leave out --segment and use --pooled to fit it with every other customer"
            if alone else "use --pooled to fit every customer together")  # fmt: skip
    for problem in problems:
        steps = []
        if problem.reason == "heavy_tail":
            steps.append("check its largest orders (returns, typing errors)")
        if problem.segment is not None:  # no pooling helps when every customer is in already
            steps.append(pool)
        if problem.reason != "heavy_tail":
            steps.append("wait for more repeat orders")
        left_out = "" if nothing_fitted else "its customers are left out; "
        sys.stderr.write(f"segment {problem.segment or 'all'} not fitted ({problem.reason}): "
                         f"{problem.message}; {left_out}{', or '.join(steps)}.\n")  # fmt: skip


def _print_holdout_check(
    rows: list[dict[str, Any]], slug: str, as_json: bool, as_csv: bool
) -> None:
    if emit(rows, as_json, as_csv):
        return
    table = Table(title=f"Holdout check in {escape(slug)}: mean purchases per customer")
    for column in ("segment", "calibration purchases", "customers", "actual", "predicted"):
        table.add_column(column, justify="left" if column == "segment" else "right")
    for row in rows:
        numbers = (f"{row['customers']:,}", f"{row['actual']:.3f}", f"{row['predicted']:.3f}")
        table.add_row(escape(str(row["segment"] or "all")), row["frequency"], *numbers)
    console.print(table)


@value_app.command("churn")
@friendly_errors
def churn(
    workspace: str | None = WorkspaceOption,
    segment: str | None = SegmentOption,
    method: str = typer.Option("logistic", "--method", help="logistic or boosting."),
    window_days: int = typer.Option(
        180, "--window-days", min=30, help="Churn = no order in this many days."
    ),
    top: int = typer.Option(20, "--top", min=0, help="Customers shown in the table."),
    as_json: bool = JsonOption,
    as_csv: bool = CsvOption,
) -> None:
    """Churn probability of every active customer with its top reasons.

    The figures come from a model
    trained on an earlier cut-off and judged on a later one (AUC and calibration shown)."""
    from kano.analytics.value.views import ChurnNotFitted, churn_view

    with _warehouse(workspace) as (slug, backend, workspace_id):
        try:
            view = churn_view(backend, workspace_id, segment=segment, method=method,
                              window_days=window_days)  # fmt: skip
        except ChurnNotFitted as error:
            # What was tried and what to do, then one error line (exit code 2).
            tried = "; ".join(f"{a[0]}: {a[2]} of {a[1]} iterations" for a in error.attempts)
            other = "leave out --segment, " if segment else ""
            sys.stderr.write(f"churn model not fitted ({error.reason}): tried {tried}; "
                             f"use --method boosting, {other}or wait for more data.\n")  # fmt: skip
            raise InvalidInput("--method", error.message) from error
    quality = view.quality
    if emit(view.customers, as_json, as_csv, extra=quality):
        return
    console.print(
        f"Churn model for {escape(slug)}: holdout AUC {quality['holdout_auc']:.3f}, Brier "
        f"{quality['holdout_brier']:.3f} (base rate {quality['holdout_base_rate']:.1%})"
    )
    drivers = Table(title="Drivers (drop in holdout AUC when shuffled)")
    drivers.add_column("feature")
    drivers.add_column("importance", justify="right")
    for driver in quality["drivers"]:
        drivers.add_row(driver["feature"], f"{driver['importance']:.4f}")
    console.print(drivers)
    table = Table(title=f"Highest churn risk ({len(view.customers):,} active customers)")
    for column in ("customer", "risk", "reasons"):
        table.add_column(column, justify="right" if column == "risk" else "left")
    for record in view.customers[:top]:
        table.add_row(str(record["customer_id"]), f"{record['churn_risk']:.0%}",
                      escape(str(record["reasons"])))  # fmt: skip
    console.print(table)
