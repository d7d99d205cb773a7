"""``kano value``: customer value and portfolio — RFM, client matrix, profit, CLV, churn."""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
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


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _emit(
    records: list[dict[str, Any]], as_json: bool, as_csv: bool, extra: dict[str, Any] | None = None
) -> bool:
    """Print ``records`` as JSON or CSV; False when neither was asked for (show a table)."""
    if as_json and as_csv:
        raise InvalidInput("--json", "choose either --json or --csv")
    rows = [{key: _plain(value) for key, value in record.items()} for record in records]
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
    as_json: bool = JsonOption,
    as_csv: bool = CsvOption,
) -> None:
    """Recency, frequency and monetary scores 1–5 and the RFM segment of every customer."""
    from kano.analytics.value.rfm import rfm_scores

    with _reader(workspace, segment) as (slug, reader):
        day = _as_of(reader, as_of)
        inputs = rfm_inputs_of(reader, day, lookback_days)
    with _field("rfm"):
        scores = rfm_scores(inputs["recency_days"], inputs["frequency"], inputs["monetary"])
    records = [
        {
            "customer_id": c,
            "recency_days": round(float(rd), 2),
            "frequency": f,
            "monetary": m,
            "r": r,
            "f": fs,
            "m": ms,
            "segment": s,
        }
        for c, rd, f, m, r, fs, ms, s in zip(
            inputs["customer_id"],
            inputs["recency_days"],
            inputs["frequency"],
            inputs["monetary"],
            scores.recency,
            scores.frequency,
            scores.monetary,
            scores.segment,
            strict=True,
        )
    ]
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
    as_json: bool = JsonOption,
    as_csv: bool = CsvOption,
) -> None:
    """Place each account in the 3×3 client matrix (attractiveness × relationship) with the
    cell's recommended strategy. Attractiveness: revenue, margin and growth over the last
    year; relationship: tenure, share of wallet, last NPS, contact breadth, support cases."""
    from kano.analytics.value.client_matrix import Criterion, client_matrix
    from kano.analytics.value.inputs import customer_features

    with _reader(workspace, segment) as (slug, reader):
        day = _as_of(reader, as_of)
        frame = customer_features(reader, as_of=day)
    if not everyone:
        frame = frame[frame["kind"] == "account"]
    if frame.empty:
        raise InvalidInput("--as-of", "no account ordered in the year before")
    attractiveness = (
        Criterion("revenue_365d", 0.4),
        Criterion("margin_365d", 0.35),
        Criterion("growth", 0.25),
    )
    relationship = (
        Criterion("tenure_days", 0.25),
        Criterion("share_of_wallet", 0.2),
        Criterion("last_nps", 0.3),
        Criterion("touchpoints", 0.1),
        Criterion("support_contacts", 0.15, higher_is_better=False),
    )
    columns = {
        name: frame[name].to_numpy(dtype=float) for name in frame.columns if name not in ("kind",)
    }
    with _field("matrix"):
        placed = client_matrix(columns, attractiveness=attractiveness, relationship=relationship)
    records = [
        {
            "customer_id": int(c),
            "attractiveness": round(float(a), 4),
            "relationship": round(float(r), 4),
            "attractiveness_level": al,
            "relationship_level": rl,
            "strategy": s,
            "revenue_365d": float(rev),
        }
        for c, a, r, al, rl, s, rev in zip(
            frame.index,
            placed.attractiveness,
            placed.relationship,
            placed.attractiveness_level,
            placed.relationship_level,
            placed.strategy,
            frame["revenue_365d"],
            strict=True,
        )
    ]
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
    from kano.analytics.value.inputs import profit_levers
    from kano.analytics.value.profit import (
        LEVERS,
        ProfitInputs,
        lever_labels,
        log_attribution,
        shapley_attribution,
    )

    with _field("--industry"):
        labels = lever_labels(industry)
    if method not in ("shapley", "log"):
        raise InvalidInput("--method", "choose shapley or log")
    with _reader(workspace, segment) as (slug, reader):
        end_day = reader.data_end()
        end = datetime(end_day.year, end_day.month, 1)
        middle = _months_before(end, months)
        start = _months_before(middle, months)
        before_levers = profit_levers(reader, start=start, end=middle)
        after_levers = profit_levers(reader, start=middle, end=end)
    with _field("profit"):
        before = ProfitInputs(**before_levers, costs=costs_before)
        after = ProfitInputs(**after_levers, costs=costs_after)
        attribution = (shapley_attribution if method == "shapley" else log_attribution)(
            before, after
        )
    levers = [
        {
            "lever": name,
            "label": labels[name],
            "before": getattr(before, name),
            "after": getattr(after, name),
            "contribution": float(attribution.contributions[name]),
        }
        for name in LEVERS
    ]
    payload = {
        "workspace": slug,
        "segment": segment,
        "method": method,
        "before_period": [f"{start:%Y-%m-%d}", f"{middle:%Y-%m-%d}"],
        "after_period": [f"{middle:%Y-%m-%d}", f"{end:%Y-%m-%d}"],
        "profit_before": before.profit,
        "profit_after": after.profit,
        "change": float(attribution.change),
        "levers": levers,
    }
    if as_json:
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
        return
    table = Table(
        title=f"Profit formula of {escape(slug)}: {start:%Y-%m-%d} – {middle:%Y-%m-%d} "
        f"→ {middle:%Y-%m-%d} – {end:%Y-%m-%d}"
    )
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
        f"{before.profit:,.0f}",
        f"{after.profit:,.0f}",
        f"{float(attribution.change):+,.0f}",
        style="bold",
    )
    console.print(table)


def _months_before(day: datetime, months: int) -> datetime:
    index = day.year * 12 + day.month - 1 - months
    return datetime(index // 12, index % 12 + 1, 1)


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
    from kano.analytics.value.transactions import TIME_UNITS

    if time_unit not in TIME_UNITS:
        raise InvalidInput("--time-unit", f"choose one of {', '.join(TIME_UNITS)}")
    groups: list[tuple[str | None, Any]] = []
    if from_csv is not None:
        cal_end = _day(calibration_end, "--calibration-end") if calibration_end else None
        groups.append(
            (None, _csv_summary(from_csv, customer_col, date_col, amount_col, cal_end, time_unit))
        )
        slug = from_csv.name
    else:
        groups, slug = _warehouse_summaries(workspace, segment, pooled, calibration_end, time_unit)
    fits = []
    for name, summary in groups:
        with _field(f"segment {name}" if name else "data"):
            fits.append((name, summary, *_fit(summary)))
    if params_json:
        payload = [_params(name, summary, bg, gg, time_unit) for name, summary, bg, gg in fits]
        result: Any = payload[0] if from_csv is not None or len(payload) == 1 else payload
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
        return
    records = []
    for name, summary, bg, gg in fits:
        records.extend(_clv_records(name, summary, bg, gg, horizon, steps, discount_rate, margin))
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


def _csv_summary(
    path: Path, customer: str, day: str, amount: str, cal_end: date | None, time_unit: str
) -> Any:
    import pandas as pd

    from kano.analytics.value.transactions import summarise_transactions

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
    with _field("--from-csv"):
        return summarise_transactions(
            frame[customer], dates, frame[amount], calibration_end=str(cal_end), time_unit=time_unit
        )


def _warehouse_summaries(
    workspace: str | None,
    segment: str | None,
    pooled: bool,
    calibration_end: str | None,
    time_unit: str,
) -> tuple[list[tuple[str | None, Any]], str]:
    from kano.analytics.value.inputs import ValueReader, clv_summary

    groups: list[tuple[str | None, Any]] = []
    with _reader(workspace, segment) as (slug, reader):
        end = (
            _day(calibration_end, "--calibration-end")
            if calibration_end
            else reader.data_end().date()
        )
        if pooled or segment:
            keys: list[str | None] = [segment]
        else:
            segments = reader.table("segments").select("key").to_pandas()
            keys = sorted(segments["key"].astype(str))
        for key in keys:
            part = ValueReader(reader.backend, reader.workspace_id, key) if key else reader
            groups.append((key, clv_summary(part, calibration_end=end, time_unit=time_unit)))
    return [(key, summary) for key, summary in groups if len(summary.frequency)], slug


def _fit(summary: Any) -> tuple[Any, Any]:
    """BG/NBD on everyone; Gamma-Gamma on repeat buyers whose repeat spend is positive
    (returns can net a customer's spend to zero, which the model cannot take)."""
    from kano.analytics.value.clv import fit_bg_nbd, fit_gamma_gamma

    spenders = summary.monetary > 0
    return (
        fit_bg_nbd(summary.frequency, summary.recency, summary.T),
        fit_gamma_gamma(summary.frequency[spenders], summary.monetary[spenders]),
    )


def _params(name: str | None, summary: Any, bg: Any, gg: Any, time_unit: str) -> dict[str, Any]:
    return {
        "segment": name,
        "time_unit": time_unit,
        "customers": len(summary.frequency),
        "bg_nbd": {
            "r": bg.r,
            "alpha": bg.alpha,
            "a": bg.a,
            "b": bg.b,
            "log_likelihood": bg.log_likelihood,
            "customers": bg.n_customers,
        },
        "gamma_gamma": {
            "p": gg.p,
            "q": gg.q,
            "gamma": gg.gamma,
            "log_likelihood": gg.log_likelihood,
            "repeat_buyers": gg.n_customers,
        },
    }


def _clv_records(
    name: str | None,
    s: Any,
    bg: Any,
    gg: Any,
    horizon: float,
    steps: int,
    discount_rate: float,
    margin: float,
) -> list[dict[str, Any]]:
    from kano.analytics.value import clv as model

    with _field("--horizon"):
        alive = model.probability_alive(bg, s.frequency, s.recency, s.T)
        purchases = model.expected_purchases(bg, s.frequency, s.recency, s.T, horizon)
        spend = model.expected_spend(gg, s.frequency, s.monetary)
        value = model.discounted_clv(
            bg,
            gg,
            s.frequency,
            s.recency,
            s.T,
            s.monetary,
            horizon=horizon,
            steps=steps,
            discount_rate=discount_rate,
            margin=margin,
        )
    return [
        {
            "customer_id": c,
            "segment": name,
            "frequency": f,
            "recency": round(float(r), 4),
            "T": round(float(t), 4),
            "monetary": round(float(m), 2),
            "p_alive": round(float(p), 4),
            "expected_purchases": round(float(e), 4),
            "expected_spend": round(float(sp), 2),
            "clv": round(float(v), 2),
        }
        for c, f, r, t, m, p, e, sp, v in zip(
            s.customer,
            s.frequency,
            s.recency,
            s.T,
            s.monetary,
            alive,
            purchases,
            spend,
            value,
            strict=True,
        )
    ]


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
    from kano.analytics.value.churn import fit_churn
    from kano.analytics.value.inputs import CHURN_FEATURES, churn_datasets

    if method not in ("logistic", "boosting"):
        raise InvalidInput("--method", "choose logistic or boosting")
    with _reader(workspace, segment) as (slug, reader):
        train, holdout, current = churn_datasets(reader, window_days=window_days)
    with _field("churn"):
        model = fit_churn(
            train,
            holdout,
            features=CHURN_FEATURES,
            method="logistic" if method == "logistic" else "boosting",
        )
    risk = model.risk(current)
    reasons = model.top_reasons(current, k=3)
    records = [
        {
            "customer_id": int(c),
            "churn_risk": round(float(p), 4),
            "reasons": "; ".join(f"{name} (+{effect:.2f})" for name, effect in why),
        }
        for c, p, why in zip(current.index, risk, reasons, strict=True)
    ]
    records.sort(key=lambda r: -float(str(r["churn_risk"])))
    quality = {
        "method": model.method,
        "window_days": window_days,
        "holdout_auc": model.holdout_auc,
        "holdout_brier": model.holdout_brier,
        "holdout_base_rate": model.holdout_base_rate,
        "drivers": [{"feature": n, "importance": v} for n, v in model.drivers],
        "reliability": [{"predicted": p, "observed": o} for p, o in model.reliability],
    }
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
