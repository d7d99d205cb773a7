"""``kano analyze painpoints``: a journey's touchpoints, worst first, with the revenue
their poor experiences put at risk -- the numbers of the journey-map page and the API."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from kano.adapters.cli.console import console, friendly_errors
from kano.domain.shared.errors import InvalidInput


def _day(value: str | None, option: str) -> date | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError as error:
        raise InvalidInput(option, f"{value!r} is not a date (YYYY-MM-DD)") from error


def _journey(slug_id: int, key: str | None) -> Any:
    from kano.adapters.db import journey_store
    from kano.adapters.db.engine import transaction
    from kano.bootstrap import build_container

    container = build_container()
    try:
        with transaction(container.sessions) as session:
            journeys = journey_store.list_journeys(session, slug_id)
    finally:
        container.close()
    if not journeys:
        raise InvalidInput("--journey", "the workspace has no journey stages yet")
    if key is None:
        return journeys[0]
    found = next((j for j in journeys if j.key == key), None)
    if found is None:
        known = ", ".join(j.key for j in journeys)
        raise InvalidInput("--journey", f"no journey {key!r}; known: {known}")
    return found


def _fmt(value: float | None, spec: str = ".2f") -> str:
    return "–" if value is None else format(value, spec)


@friendly_errors
def painpoints(
    workspace: str | None = typer.Option(
        None, "--workspace", help="Workspace slug (default: the only one, or demo)."
    ),
    journey: str | None = typer.Option(
        None, "--journey", help="Journey key (default: the first, see GET /api/v1/journeys)."
    ),
    segment: str | None = typer.Option(
        None, "--segment", help="Segment key (default: the journey's own; '*' for everyone)."
    ),
    start: str | None = typer.Option(None, "--from", help="First day, YYYY-MM-DD (inclusive)."),
    end: str | None = typer.Option(None, "--to", help="Last day, YYYY-MM-DD (exclusive)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (one object per touchpoint)."),
) -> None:
    """Rank a journey's pain points, with the revenue at risk.

    For each touchpoint: score gap with n and 95 % interval, churn uplift of
    customers with a poor experience and the revenue at risk, with its interval."""
    from kano.adapters.cli.analyze import _workspace_and_warehouse
    from kano.adapters.jobs.compute import warehouse_backend
    from kano.analytics.journeys.report import as_dict, journey_pain_points

    first, last = _day(start, "--from"), _day(end, "--to")
    slug, workspace_id, url = _workspace_and_warehouse(workspace)
    chosen = _journey(workspace_id, journey)
    with warehouse_backend(url) as backend:
        points = journey_pain_points(
            backend, workspace_id, chosen, segment=segment, start=first, end=last
        )
    if as_json:
        records = [{"journey": chosen.key, **as_dict(p)} for p in points]
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=1, default=str) + "\n")
        return
    table = Table(title=f"Pain points of {escape(chosen.name)} in {escape(slug)}")
    for column in ("#", "touchpoint", "measure", "score (n)", "gap", "churn uplift",
                   "revenue at risk (95 % interval)", "priority"):  # fmt: skip
        table.add_column(column, justify="left" if column in ("touchpoint", "measure") else "right")
    for p in points:
        risk_ci = p.revenue_at_risk_ci
        interval = "" if risk_ci is None else f" ({risk_ci.low:,.0f} – {risk_ci.high:,.0f})"
        table.add_row(
            str(p.rank),
            escape(f"{p.touchpoint} ({p.stage})"),
            p.score.measure,
            f"{p.score.mean:.2f} ({p.score.n:,})",
            _fmt(p.score.gap),
            _fmt(p.churn.uplift, "+.1%"),
            f"{p.revenue_at_risk:,.0f}{interval}",
            f"{p.priority:.2f}",
        )
    console.print(table)
