"""Pilot files: the pilots list as CSV/XLSX, a pilot's period × group figures as CSV/XLSX
and its evaluation as a PDF a consultant hands to a board (SPEC §2.10, §2.12).

The figures are the monthly means behind the page's chart, as the evaluation stored them;
the PDF says what the page says, in the reader's language. Workspace isolation comes from
the store (``get_pilot``/``list_pilots`` take the workspace id).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from kano.adapters.db import pilots as store
from kano.adapters.exports.pilot_report import KpiReport, PilotReport, pilot_report_pdf
from kano.adapters.exports.table_files import (
    CSV_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    Line,
    table_csv,
    table_xlsx,
)
from kano.adapters.web.deps import DbSession, SignedInPage, SignedInPageContext
from kano.adapters.web.formatting import NumberFormats
from kano.adapters.web.labels import segment_names
from kano.adapters.web.strategy_access import no_workspace, not_found

router = APIRouter()


def _labels() -> Any:
    # The route module's label maps (imported late: pilots imports this module).
    from kano.adapters.web.routes import pilots

    return pilots


def group_text(page: SignedInPageContext, group: Mapping[str, Any],
               segments: Mapping[str, str]) -> str:
    """A group as the page writes it: "Region = north, east" or "Listed customers: …"."""
    labels = _labels().GROUP_BY_LABELS
    if group.get("customers"):
        return f"{page.gettext(labels['customers'])}: {', '.join(group['customers'])}"
    parts = []
    for name, values in (group.get("filters") or {}).items():
        label = page.gettext(labels[name]) if name in labels else name
        shown = [segments.get(v, v) for v in values] if name == "segment" else list(values)
        parts.append(f"{label} = {', '.join(str(v) for v in shown)}")
    return "; ".join(parts)


def _download(content: bytes, media_type: str, filename: str) -> Response:
    return Response(content, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store"})


def _found(page: SignedInPageContext, db: DbSession, pilot_id: int) -> store.PilotLine | None:
    found: store.PilotLine | None = _labels()._found(page, db, pilot_id)
    return found


# --- the pilots list --------------------------------------------------------------------

def _list_table(page: SignedInPageContext, db: DbSession) -> tuple[list[str], list[Line]]:
    assert page.workspace is not None
    _ = page.gettext
    routes = _labels()
    segments = segment_names(db, page.workspace.id)
    names = routes._kpi_names(page, db, page.workspace.id)
    members = routes._members(db, page.workspace.id)
    header = [_("Name"), _("Status"), _("Pilot group"), _("Control group"), _("KPIs"),
              _("Baseline from"), _("Baseline to"), _("Test from"), _("Test to"), _("Owner"),
              _("Target effect"), _("Decision"), _("Note"), _("Evaluated")]
    lines = []
    for pilot in store.list_pilots(db, page.workspace.id):
        lines.append(Line([
            pilot.name, _(routes.STATUS_LABELS[pilot.status]),
            group_text(page, pilot.pilot_group, segments),
            group_text(page, pilot.control_group, segments),
            ", ".join(names.get(kpi, kpi) for kpi in pilot.kpis),
            pilot.baseline_start, pilot.baseline_end, pilot.test_start, pilot.test_end,
            members.get(pilot.owner, pilot.owner) if pilot.owner else None,
            pilot.target_effect,
            _(routes.DECISION_LABELS[pilot.decision]) if pilot.decision else None,
            pilot.decision_note,
            pilot.evaluated_at.replace(microsecond=0) if pilot.evaluated_at else None,
        ]))
    return header, lines


@router.get("/pilots.csv")
def pilots_csv(page: SignedInPage, db: DbSession) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    header, lines = _list_table(page, db)
    return _download(table_csv(header, lines), CSV_MEDIA_TYPE, "pilots.csv")


@router.get("/pilots.xlsx")
def pilots_xlsx(page: SignedInPage, db: DbSession) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    header, lines = _list_table(page, db)
    content = table_xlsx(header, lines, sheet_title=page.gettext("Pilots"),
                         widths=(28, 12, 30, 30, 24, 12, 12, 12, 12, 20, 10, 10, 30, 18))
    return _download(content, XLSX_MEDIA_TYPE, "pilots.xlsx")


# --- a pilot's figures --------------------------------------------------------------------

def _month_of(period: Any) -> str:
    return str(period)[:7]


def figure_lines(page: SignedInPageContext, pilot: store.PilotLine,
                 names: Mapping[str, str]) -> tuple[list[str], list[Line]]:
    """One row per KPI, month and group: the mean and the customers behind it, and
    whether the month is in the baseline or the test period."""
    _ = page.gettext
    header = [_("KPI"), _("Metric id"), _("Month"), _("Period"), _("Group"), _("Mean"),
              _("Customers")]
    first_test = f"{pilot.test_start.year}-{pilot.test_start.month:02d}"
    lines = []
    for kpi, result in (pilot.evaluation or {}).get("kpis", {}).items():
        for row in sorted(result["means"], key=lambda r: (_month_of(r["period"]),
                                                           r["group"] != "pilot")):
            month = _month_of(row["period"])
            lines.append(Line([
                names.get(kpi, kpi), kpi, month,
                _("Test period") if month >= first_test else _("Baseline period"),
                _("Pilot group") if row["group"] == "pilot" else _("Control group"),
                row["mean"], row["n"],
            ]))
    return header, lines


def _figures(page: SignedInPageContext, db: DbSession, pilot_id: int
             ) -> tuple[store.PilotLine, list[str], list[Line]] | Response:
    if page.workspace is None:
        return no_workspace(page)
    pilot = _found(page, db, pilot_id)
    if pilot is None:
        return not_found(page, "pilots")
    names = _labels()._kpi_names(page, db, page.workspace.id)
    header, lines = figure_lines(page, pilot, names)
    return pilot, header, lines


@router.get("/pilots/{pilot_id}/figures.csv")
def pilot_figures_csv(page: SignedInPage, db: DbSession, pilot_id: int) -> Response:
    found = _figures(page, db, pilot_id)
    if isinstance(found, Response):
        return found
    _pilot, header, lines = found
    return _download(table_csv(header, lines), CSV_MEDIA_TYPE, f"pilot-{pilot_id}-figures.csv")


@router.get("/pilots/{pilot_id}/figures.xlsx")
def pilot_figures_xlsx(page: SignedInPage, db: DbSession, pilot_id: int) -> Response:
    found = _figures(page, db, pilot_id)
    if isinstance(found, Response):
        return found
    pilot, header, lines = found
    content = table_xlsx(header, lines, sheet_title=pilot.name,
                         widths=(24, 14, 10, 10, 16, 12, 12))
    return _download(content, XLSX_MEDIA_TYPE, f"pilot-{pilot_id}-figures.xlsx")


# --- a pilot's evaluation as PDF ----------------------------------------------------------

def _kpi_report(page: SignedInPageContext, fmt: NumberFormats, name: str,
                result: Mapping[str, Any], test_start: date) -> KpiReport:
    _ = page.gettext
    in_points = result.get("unit") == "%"

    def points(value: float | None) -> str:
        text = fmt.signed(value, 2)
        return _("%(points)s pp") % {"points": text} if in_points else text

    effect = points(result.get("effect"))
    if result.get("relative_effect") is not None:
        effect += f" ({fmt.percent(result['relative_effect'], 1, signed=True)})"
    trend = result.get("pre_trend") or {}
    if not trend.get("testable"):
        trend_text = _("Not testable with one baseline month.")
    elif trend.get("rejected"):
        trend_text = (_("Rejected: the groups already drifted apart before the test; treat "
                        "the effect with caution.") + f" (p = {fmt.p_value(trend.get('p_value'))})")
    else:
        trend_text = (_("Not rejected: the groups moved in parallel before the test.")
                      + f" (p = {fmt.p_value(trend.get('p_value'))})")
    facts = [
        (_("Estimated effect"), effect),
        (_("95 %% confidence interval") % {},
         f"{fmt.signed(result.get('ci_low'), 2)} … {points(result.get('ci_high'))}"),
        (_("p-value"), fmt.p_value(result.get("p_value"))),
        (_("Customers evaluated (pilot / control)"),
         f"{fmt.integer(result.get('pilot_units'))} / {fmt.integer(result.get('control_units'))}"),
        (_("Parallel trends before the test"), trend_text),
    ]
    by_month: dict[str, dict[str, Mapping[str, Any]]] = {}
    for row in result.get("means", []):
        by_month.setdefault(_month_of(row["period"]), {})[row["group"]] = row
    months = sorted(by_month)
    first_test = f"{test_start.year}-{test_start.month:02d}"
    labels = [fmt.month(date(int(m[:4]), int(m[5:7]), 1)) for m in months]
    pilot_means = [by_month[m].get("pilot", {}).get("mean") for m in months]
    control_means = [by_month[m].get("control", {}).get("mean") for m in months]
    rows = [[label, fmt.decimal(by_month[m].get("pilot", {}).get("mean"), 2),
             fmt.decimal(by_month[m].get("control", {}).get("mean"), 2),
             fmt.integer(by_month[m].get("pilot", {}).get("n")),
             fmt.integer(by_month[m].get("control", {}).get("n"))]
            for m, label in zip(months, labels, strict=True)]
    return KpiReport(
        name=name, facts=facts, months=labels, pilot_means=pilot_means,
        control_means=control_means,
        first_test_month=next((i for i, m in enumerate(months) if m >= first_test), len(months)),
        table_header=[_("Month"), _("Pilot mean"), _("Control mean"), _("Pilot customers"),
                      _("Control customers")],
        table_rows=rows)


def pilot_report(page: SignedInPageContext, db: DbSession, pilot: store.PilotLine) -> PilotReport:
    assert page.workspace is not None
    _ = page.gettext
    routes = _labels()
    fmt = NumberFormats(page.language.code)
    segments = segment_names(db, page.workspace.id)
    names = routes._kpi_names(page, db, page.workspace.id)
    members = routes._members(db, page.workspace.id)
    facts = [
        (_("Status"), _(routes.STATUS_LABELS[pilot.status])),
        (_("Pilot group"), group_text(page, pilot.pilot_group, segments)),
        (_("Control group"), group_text(page, pilot.control_group, segments)),
        (_("KPIs"), ", ".join(names.get(kpi, kpi) for kpi in pilot.kpis)),
        (_("Baseline period"), fmt.day_range(pilot.baseline_start, pilot.baseline_end)),
        (_("Test period"), fmt.day_range(pilot.test_start, pilot.test_end)),
        (_("Owner"), members.get(pilot.owner, pilot.owner) if pilot.owner else "–"),
    ]
    results = [_kpi_report(page, fmt, names.get(kpi, kpi), result, pilot.test_start)
               for kpi, result in (pilot.evaluation or {}).get("kpis", {}).items()]
    if pilot.decision:
        decision = _(routes.DECISION_LABELS[pilot.decision])
        if pilot.decision_note:
            decision += f": {pilot.decision_note}"
    else:
        decision = _("No decision yet.")
    steps = routes.STEP_LABELS
    rollout = [[step.get("name", ""), fmt.day(step["planned_on"]) if step.get("planned_on")
                else "–", _(steps.get(step.get("status"), step.get("status") or "")),
                step.get("note") or "–"] for step in pilot.rollout]
    return PilotReport(
        title=pilot.name, hypothesis=pilot.hypothesis, facts=facts,
        evaluation_heading=_("Evaluation"),
        not_evaluated=None if results else _("Not evaluated yet."), results=results,
        legend=(_("Pilot group"), _("Control group")),
        test_note=_("The shaded months are the test period."),
        decision_heading=_("Decision"), decision=decision,
        rollout_heading=_("Rollout steps"),
        rollout_header=[_("Step"), _("Planned on"), _("Status"), _("Note")],
        rollout_rows=rollout, page=_("Page %(number)s"))


@router.get("/pilots/{pilot_id}/evaluation.pdf")
def pilot_pdf(page: SignedInPage, db: DbSession, pilot_id: int) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    pilot = _found(page, db, pilot_id)
    if pilot is None:
        return not_found(page, "pilots")
    fmt = NumberFormats(page.language.code)
    content = pilot_report_pdf(pilot_report(page, db, pilot), lambda v: fmt.decimal(v, 2))
    return _download(content, "application/pdf", f"pilot-{pilot_id}.pdf")
