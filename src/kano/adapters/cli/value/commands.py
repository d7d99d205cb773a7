"""``kano value``: customer value and portfolio — RFM, client matrix, profit, CLV, churn."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from kano.adapters.cli.console import console, friendly_errors
from kano.domain.shared.errors import InvalidInput

value_app = typer.Typer(
    help="Customer value and portfolio on the warehouse data: RFM segments, the 3×3 client "
    "matrix, the profit formula with attribution, CLV (BG/NBD + Gamma-Gamma) and churn risk.",
    no_args_is_help=True,
)

WorkspaceOption = typer.Option(
    None, "--workspace", help="Workspace slug (default: the only one, or demo)."
)
SegmentOption = typer.Option(None, "--segment", help="Only this segment (key, e.g. smb).")
JsonOption = typer.Option(False, "--json", help="Print JSON.")
CsvOption = typer.Option(False, "--csv", help="Print CSV (one row per customer).")
AsOfOption = typer.Option(
    None,
    "--as-of",
    help="Score as of this day (YYYY-MM-DD; default: the day after the last order).",
)


@contextmanager
def _reader(workspace: str | None, segment: str | None) -> Iterator[tuple[str, Any]]:
    from kano.adapters.cli.analyze import _workspace_and_warehouse
    from kano.adapters.jobs.compute import warehouse_backend
    from kano.analytics.value.inputs import ValueReader

    slug, workspace_id, url = _workspace_and_warehouse(workspace)
    with warehouse_backend(url) as backend:
        yield slug, ValueReader(backend, workspace_id, segment)


@contextmanager
def _field(name: str) -> Iterator[None]:
    """Analytics raise ValueError (they know no CLI); name the option it came from."""
    try:
        yield
    except InvalidInput:
        raise
    except ValueError as error:
        raise InvalidInput(name, str(error)) from error


def _as_of(reader: Any, given: str | None) -> datetime:
    if given is None:
        end = reader.data_end()
        return datetime(end.year, end.month, end.day) + timedelta(days=1)
    return datetime.combine(_day(given, "--as-of"), datetime.min.time())


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise InvalidInput(option, f"{text!r} is not a date (YYYY-MM-DD)") from error


def _emit(
    records: list[dict[str, Any]], as_json: bool, as_csv: bool, extra: dict[str, Any] | None = None
) -> bool:
    """Print ``records`` as JSON or CSV; False when neither was asked for (show a table)."""
    if as_json and as_csv:
        raise InvalidInput("--json", "choose either --json or --csv")
    from kano.analytics.value.report import plain

    rows = [{key: plain(value) for key, value in record.items()} for record in records]
    if as_json:
        payload: Any = rows if extra is None else {**extra, "customers": rows}
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1, default=str) + "\n")
        return True
    if as_csv:
        buffer = io.StringIO()
        if rows:
            writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        sys.stdout.write(buffer.getvalue())
        return True
    return False


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
    as_json: bool = JsonOption,
    as_csv: bool = CsvOption,
) -> None:
    """Recency, frequency and monetary scores 1–5 and the RFM segment of every customer."""
    from kano.analytics.value.report import rfm_records
    from kano.analytics.value.rfm import segment_transitions

    with _reader(workspace, segment) as (slug, reader):
        day = _as_of(reader, as_of)
        inputs = rfm_inputs_of(reader, day, lookback_days)
        earlier = None
        if transitions_from:
            start = datetime.combine(_day(transitions_from, "--transitions-from"), time())
            earlier = rfm_inputs_of(reader, start, lookback_days)
    with _field("rfm"):
        records = rfm_records(inputs)
        if earlier is not None and transitions_from:
            before = {r["customer_id"]: r["segment"] for r in rfm_records(earlier)}
            after = {r["customer_id"]: r["segment"] for r in records}
            moves = segment_transitions(before, after)
            records = [{"from": a, "to": b, "customers": n} for (a, b), n in moves.items()]
            if not _emit(records, as_json, as_csv):
                _print_transitions(records, slug, transitions_from, day)
            return
    if _emit(records, as_json, as_csv):
        return
    total = float(inputs["monetary"].sum()) or 1.0
    table = Table(
        title=f"RFM segments in {escape(slug)} as of {day:%Y-%m-%d} ({len(records):,} customers)"
    )
    for column in ("segment", "customers", "revenue", "share of revenue"):
        table.add_column(column, justify="left" if column == "segment" else "right")
    summary: dict[str, list[float]] = {}
    for record in records:
        entry = summary.setdefault(str(record["segment"]), [0, 0.0])
        entry[0] += 1
        entry[1] += float(record["monetary"])
    for name, (count, revenue) in sorted(summary.items(), key=lambda item: -item[1][1]):
        table.add_row(escape(name), f"{int(count):,}", f"{revenue:,.0f}", f"{revenue / total:.0%}")
    console.print(table)


def _print_transitions(records: list[dict[str, Any]], slug: str, start: str, day: datetime) -> None:
    table = Table(title=f"RFM segment moves in {escape(slug)}: {start} → {day:%Y-%m-%d}")
    for column in ("from", "to", "customers"):
        table.add_column(column, justify="right" if column == "customers" else "left")
    for record in sorted(records, key=lambda r: -int(r["customers"])):
        table.add_row(escape(str(record["from"])), escape(str(record["to"])),
                      f"{record['customers']:,}")  # fmt: skip
    console.print(table)


def rfm_inputs_of(reader: Any, day: datetime, lookback_days: int) -> Any:
    from kano.analytics.value.inputs import rfm_inputs

    inputs = rfm_inputs(reader, as_of=day, lookback_days=lookback_days)
    if inputs.empty:
        raise InvalidInput("--as-of", f"no order in the {lookback_days} days before {day:%Y-%m-%d}")
    return inputs


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
    """Place each account in the 3×3 client matrix (attractiveness × relationship) with the
    cell's recommended strategy. Attractiveness: revenue, margin and growth over the last
    year; relationship: tenure, share of wallet, last NPS, contact breadth, support cases."""
    from kano.analytics.value.client_matrix import cell_movements
    from kano.analytics.value.inputs import customer_features
    from kano.analytics.value.report import matrix_records

    days = [movements_from] if movements_from else []
    frames = []
    with _reader(workspace, segment) as (slug, reader):
        day = _as_of(reader, as_of)
        for text in days:
            start = datetime.combine(_day(text, "--movements-from"), time())
            frames.append(customer_features(reader, as_of=start))
        frames.append(customer_features(reader, as_of=day))
    if not everyone:
        frames = [frame[frame["kind"] == "account"] for frame in frames]
    with _field("--as-of"):
        placements = [matrix_records(frame) for frame in frames]
    records, placed = placements[-1]
    if movements_from:

        def cells(rows: list[dict[str, Any]]) -> dict[object, tuple[str, str]]:
            return {r["customer_id"]: (r["attractiveness_level"], r["relationship_level"])
                    for r in rows}  # fmt: skip

        moves = cell_movements(cells(placements[0][0]), cells(records))
        records = [
            {
                "from_attractiveness": a[0],
                "from_relationship": a[1],
                "to_attractiveness": b[0],
                "to_relationship": b[1],
                "accounts": n,
            }
            for (a, b), n in sorted(moves.items())
        ]
        if not _emit(records, as_json, as_csv):
            console.print_json(data=records)
        return
    if _emit(records, as_json, as_csv):
        return
    counts = placed.cell_counts()
    table = Table(
        title=f"Client matrix of {escape(slug)} as of {day:%Y-%m-%d} ({len(records):,} accounts)"
    )
    table.add_column("attractiveness ↓ / relationship →")
    for level in ("low", "medium", "high"):
        table.add_column(level, justify="right")
    for a in ("high", "medium", "low"):
        table.add_row(a, *(f"{counts[(a, r)]:,}" for r in ("low", "medium", "high")))
    console.print(table)
    from kano.analytics.value.client_matrix import STRATEGIES

    for (a, r), text in STRATEGIES.items():
        console.print(f"  {a} attractiveness × {r} relationship: {escape(text)}")


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
    as_json: bool = JsonOption,
) -> None:
    """Profit = leads × conversion × ARPU × lifetime × margin − costs for the last two
    periods, and the change attributed to each lever (contributions add up exactly)."""
    from kano.analytics.value.report import profit_report

    with _reader(workspace, segment) as (slug, reader), _field("profit"):
        payload = {"workspace": slug, **profit_report(
            reader, months=months, costs_before=costs_before, costs_after=costs_after,
            industry=industry, method=method)}  # fmt: skip
    start, middle = payload["before_period"]
    end = payload["after_period"][1]
    levers = payload["levers"]
    if as_json:
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
        return
    table = Table(title=f"Profit formula of {escape(slug)}: {start} – {middle} → {middle} – {end}")
    for column in ("lever", "before", "after", "contribution"):
        table.add_column(column, justify="left" if column == "lever" else "right")
    for lever in levers:
        table.add_row(
            escape(lever["label"]),
            f"{lever['before']:,.4g}",
            f"{lever['after']:,.4g}",
            f"{lever['contribution']:+,.0f}",
        )
    table.add_row(
        "Profit",
        f"{payload['profit_before']:,.0f}",
        f"{payload['profit_after']:,.0f}",
        f"{payload['change']:+,.0f}",
        style="bold",
    )
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
    """Expected purchases, P(alive) and discounted CLV of every customer (BG/NBD for how
    often, Gamma-Gamma for how much; fitted by maximum likelihood per segment)."""
    from kano.analytics.value.report import clv_parameters, clv_records, fit_clv
    from kano.analytics.value.transactions import TIME_UNITS

    if time_unit not in TIME_UNITS:
        raise InvalidInput("--time-unit", f"choose one of {', '.join(TIME_UNITS)}")
    groups: list[tuple[str | None, Any]] = []
    if from_csv is not None:
        cal_end = _day(calibration_end, "--calibration-end") if calibration_end else None
        groups.append(
            (
                None,
                _csv_summary(
                    from_csv, customer_col, date_col, amount_col, cal_end, time_unit, holdout
                ),
            )
        )
        slug = from_csv.name
    else:
        groups, slug = _warehouse_summaries(
            workspace, segment, pooled, calibration_end, time_unit, holdout
        )
    fits = []
    for name, summary in groups:
        with _field(f"segment {name}" if name else "data"):
            fits.append((name, summary, *fit_clv(summary)))
    if params_json:
        payload = [
            clv_parameters(name, summary, bg, gg, time_unit) for name, summary, bg, gg in fits
        ]
        result: Any = payload[0] if from_csv is not None or len(payload) == 1 else payload
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
        return
    if holdout:
        _print_holdout_check(fits, slug, as_json, as_csv)
        return
    records = []
    for name, summary, bg, gg in fits:
        with _field("--horizon"):
            records.extend(clv_records(name, summary, bg, gg, horizon=horizon, steps=steps,
                                       discount_rate=discount_rate, margin=margin))  # fmt: skip
    if _emit(records, as_json, as_csv):
        return
    table = Table(
        title=f"CLV over {horizon:g} {time_unit}s in {escape(slug)} ({len(records):,} customers)"
    )
    for column in (
        "segment",
        "customers",
        "r",
        "alpha",
        "a",
        "b",
        "p",
        "q",
        "gamma",
        "mean CLV",
        "total CLV",
    ):
        table.add_column(column, justify="left" if column == "segment" else "right")
    for name, _summary, bg, gg in fits:
        values = [float(r["clv"]) for r in records if r["segment"] == name]
        table.add_row(
            escape(str(name or "all")),
            f"{len(values):,}",
            *(f"{v:.4g}" for v in (bg.r, bg.alpha, bg.a, bg.b, gg.p, gg.q, gg.gamma)),
            f"{sum(values) / len(values):,.0f}",
            f"{sum(values):,.0f}",
        )
    console.print(table)


def _print_holdout_check(fits: list[Any], slug: str, as_json: bool, as_csv: bool) -> None:
    from dataclasses import asdict

    from kano.analytics.value.transactions import calibration_check

    rows = [
        {"segment": name, **asdict(bucket)}
        for name, summary, bg, _gg in fits
        for bucket in calibration_check(bg, summary)
    ]
    if _emit(rows, as_json, as_csv):
        return
    table = Table(title=f"Holdout check in {escape(slug)}: mean purchases per customer")
    for column in ("segment", "calibration purchases", "customers", "actual", "predicted"):
        table.add_column(column, justify="left" if column == "segment" else "right")
    for row in rows:
        numbers = (f"{row['customers']:,}", f"{row['actual']:.3f}", f"{row['predicted']:.3f}")
        table.add_row(escape(str(row["segment"] or "all")), row["frequency"], *numbers)
    console.print(table)


def _csv_summary(
    path: Path,
    customer: str,
    day: str,
    amount: str,
    cal_end: date | None,
    time_unit: str,
    holdout: float | None = None,
) -> Any:
    import pandas as pd

    from kano.analytics.value.transactions import TIME_UNITS, summarise_transactions

    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            head = handle.read(4096)
        try:
            separator = csv.Sniffer().sniff(head, delimiters=",;\t|").delimiter
        except csv.Error:  # whitespace-separated, as CDNOW_master.txt is
            separator = r"\s+"
        frame = pd.read_csv(path, sep=separator)
    except (OSError, ValueError) as error:
        raise InvalidInput("--from-csv", f"cannot read {path}: {error}") from error
    for option, column in (
        ("--customer-col", customer),
        ("--date-col", day),
        ("--amount-col", amount),
    ):
        if column not in frame.columns:
            raise InvalidInput(
                option,
                f"no column {column!r} in {path.name} (columns: "
                f"{', '.join(map(str, frame.columns))})",
            )
    dates = frame[day]
    if pd.api.types.is_integer_dtype(dates) and dates.between(10_000_101, 99_991_231).all():
        dates = pd.to_datetime(dates.astype(str), format="%Y%m%d")  # CDNOW-style 19970101
    if cal_end is None:
        raise InvalidInput("--calibration-end", "is needed with --from-csv")
    observation_end = None
    if holdout:
        observation_end = str(cal_end + timedelta(days=holdout * TIME_UNITS[time_unit]))
    with _field("--from-csv"):
        return summarise_transactions(
            frame[customer], dates, frame[amount], calibration_end=str(cal_end),
            observation_end=observation_end, time_unit=time_unit,
        )  # fmt: skip


def _warehouse_summaries(
    workspace: str | None,
    segment: str | None,
    pooled: bool,
    calibration_end: str | None,
    time_unit: str,
    holdout: float | None = None,
) -> tuple[list[tuple[str | None, Any]], str]:
    from kano.analytics.value.inputs import ValueReader, clv_summary
    from kano.analytics.value.transactions import TIME_UNITS

    span = timedelta(days=(holdout or 0.0) * TIME_UNITS[time_unit])

    groups: list[tuple[str | None, Any]] = []
    with _reader(workspace, segment) as (slug, reader):
        end = (
            _day(calibration_end, "--calibration-end")
            if calibration_end
            else reader.data_end().date() - span
        )
        observed = end + span if holdout else None
        if pooled or segment:
            keys: list[str | None] = [segment]
        else:
            segments = reader.table("segments").select("key").to_pandas()
            keys = sorted(segments["key"].astype(str))
        for key in keys:
            part = ValueReader(reader.backend, reader.workspace_id, key) if key else reader
            summary = clv_summary(
                part, calibration_end=end, observation_end=observed, time_unit=time_unit
            )
            groups.append((key, summary))
    return [(key, summary) for key, summary in groups if len(summary.frequency)], slug


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
    """Churn probability of every active customer with its top reasons, from a model
    trained on an earlier cut-off and judged on a later one (AUC and calibration shown)."""
    from kano.analytics.value.inputs import churn_datasets
    from kano.analytics.value.report import churn_report

    if method not in ("logistic", "boosting"):
        raise InvalidInput("--method", "choose logistic or boosting")
    with _reader(workspace, segment) as (slug, reader):
        train, holdout, current = churn_datasets(reader, window_days=window_days)
    with _field("churn"):
        quality, records, model = churn_report(
            train, holdout, current, method=method, window_days=window_days
        )
    if _emit(records, as_json, as_csv, extra=quality):
        return
    console.print(
        f"Churn model for {escape(slug)}: holdout AUC {model.holdout_auc:.3f}, Brier "
        f"{model.holdout_brier:.3f} (base rate {model.holdout_base_rate:.1%})"
    )
    drivers = Table(title="Drivers (drop in holdout AUC when shuffled)")
    drivers.add_column("feature")
    drivers.add_column("importance", justify="right")
    for name, value in model.drivers:
        drivers.add_row(name, f"{value:.4f}")
    console.print(drivers)
    table = Table(title=f"Highest churn risk ({len(records):,} active customers)")
    for column in ("customer", "risk", "reasons"):
        table.add_column(column, justify="right" if column == "risk" else "left")
    for record in records[:top]:
        table.add_row(
            str(record["customer_id"]),
            f"{record['churn_risk']:.0%}",
            escape(str(record["reasons"])),
        )
    console.print(table)
