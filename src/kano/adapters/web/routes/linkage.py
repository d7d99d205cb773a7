"""The linkage page (the service-profit chain EX → OX → CX → TX → money, tested on the data,
with the say–do gap) and the key-driver page (relative importance × performance).

Both compute on the warehouse when first opened (a few seconds on a laptop-sized company)
and are kept until the warehouse changes (``page_figures``: a warm visit does not open a
DuckDB warehouse; the figures themselves are :mod:`kano.adapters.web.linkage_figures`, the
drivers' chart :mod:`kano.adapters.web.driver_chart`). The strategy map's own arrow tests
are stored by every refresh instead (see ``jobs/link_tests``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from kano.adapters.web.deps import DbSession, SignedInPage, Web
from kano.adapters.web.driver_chart import (
    PERFORMANCE_MARK,
    performance_basis_text,
    quadrant_chart,
)
from kano.adapters.web.formatting import NumberFormats
from kano.adapters.web.labels import STAGE_NAMES, journey_names, segment_names
from kano.adapters.web.link_effects import EffectWords
from kano.adapters.web.linkage_figures import linkage_figures
from kano.adapters.web.page_figures import WarehouseVisit
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.strategy_access import no_workspace
from kano.adapters.web.warehouse_reads import on_kept_warehouse

router = APIRouter()

LAYERS = (("EX", N_("Employees")), ("OX", N_("Operations")), ("CX", N_("Customers say")),
          ("TX", N_("Customers do")), ("money", N_("Money")))  # fmt: skip
TRANSITIONS = (
    ("EX", "OX", N_("Engaged teams run better processes")),
    ("OX", "CX", N_("Better processes make happier customers")),
    ("CX", "TX", N_("Happier customers buy again and stay")),
    ("TX", "money", N_("Loyal behaviour becomes revenue")),
)
OUTCOME_LABELS = {"nps": N_("NPS"), "csat": N_("CSAT"), "ces": N_("CES"), "rating": N_("Rating"),
                  "churn": N_("Churn in the 180 days after"),
                  "revenue": N_("Revenue in the 180 days after")}
VERDICTS = {"supported": N_("supported"), "not supported": N_("not supported"),
            "wrong sign": N_("wrong sign"), "too few observations": N_("too few observations")}
# How a team-month link was identified: the phrase ``kano.analytics.linkage.estimate`` puts
# into its stored ``method`` (not imported from there: that loads statsmodels).
DESIGN_LABELS = {
    "within teams, net of month effects": N_("within teams, net of month effects"),
    "within teams, net of a common trend": N_("within teams, net of a common trend"),
    "one team, net of its trend": N_("one team, net of its trend"),
    "across teams": N_("across teams"),
}


def design_label(method: str | None, gettext: Callable[[str], str]) -> str | None:
    """"within teams, net of month effects" (translated) for a team-month link's method."""
    for phrase, label in DESIGN_LABELS.items():
        if method and f"OLS {phrase}" in method:
            return gettext(label)
    return None


def lag_parts(lag: str) -> tuple[int, str]:
    """A link's lag as (count, unit): ``1M`` → (1, "M"), ``90D`` → (90, "D"); "" for none,
    so the page writes "after 1 month" in the reader's language instead of the code."""
    found = re.fullmatch(r"(\d+)([MD]?)", lag.strip())
    if found is None:
        return 0, ""
    count = int(found.group(1))
    return count, found.group(2) if count else ""


def layer_of(item: str) -> str:
    # Imported here: importing the specs runs kano.analytics.linkage, which loads statsmodels.
    from kano.analytics.linkage.specs import PROCESS_MEASURES, PULSE_ITEMS, SCORES

    if item in PULSE_ITEMS:
        return "EX"
    if item in PROCESS_MEASURES:
        return "OX"
    if item in SCORES:
        return "CX"
    return "money" if item == "revenue" else "TX"


@router.get("/linkage")
def linkage(page: SignedInPage, web: Web, db: DbSession) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    workspace_id = page.workspace.id
    from kano.analytics.linkage.specs import MONEY  # loads statsmodels: not at start-up

    found, problem = on_kept_warehouse(
        web, workspace_id, lambda visit: linkage_figures(visit, workspace_id), page.gettext
    )
    steps = []
    if found:
        for cause_layer, effect_layer, title in TRANSITIONS:
            links = [r for r in found["links"] if layer_of(r.cause) == cause_layer
                     and (layer_of(r.effect) == effect_layer
                          or (effect_layer == "money" and r.effect in MONEY and
                              layer_of(r.cause) == "TX"))]  # fmt: skip
            steps.append({"from": cause_layer, "to": effect_layer, "title": title,
                          "links": links})  # fmt: skip
    # Each effect per a step of its cause a person thinks in, in the effect's own unit
    # ("Delivery delay +1 day → CSAT (1–5) −0.20 points"), not the raw slope per unit.
    words = EffectWords(NumberFormats(page.language.code), page.gettext, page.ngettext,
                        page.workspace.currency)
    return page.render("analysis/linkage.html", active="linkage", layers=LAYERS, steps=steps,
                       say_do=found["say_do"] if found else [], problem=problem,
                       verdicts=VERDICTS, lag_parts=lag_parts,
                       effect_of=lambda link: words.sentence(
                           link.cause, link.effect, link.estimate, link.ci_low, link.ci_high),
                       segment_names=segment_names(db, workspace_id),
                       design_of=lambda method: design_label(method, page.gettext))  # fmt: skip


COVERAGES = (10, 20, 30, 50)
"""The page's choices of minimum coverage: the % of respondents a candidate driver must
have a value for to be kept (30 is the analytics' default)."""
ROWS_PER_DRIVER = 20
"""Fewer kept rows than this per driver and the page warns that the weights are unstable."""


@router.get("/drivers")
def drivers(
    page: SignedInPage, web: Web, db: DbSession, outcome: str = "nps",
    segment: str | None = None, coverage: str = "30",
) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    workspace_id = page.workspace.id
    # Imported here: the linkage models load statsmodels/scipy, which start-up must not pay.
    from kano.analytics.linkage import relative_weights
    from kano.analytics.linkage.driver_inputs import OUTCOMES, driver_frame
    from kano.analytics.linkage.frames import WarehouseReader

    outcome = outcome if outcome in OUTCOMES else "nps"
    survey = None if outcome in ("csat", "ces", "rating") else "relationship-nps"
    segment = segment or None
    min_coverage = int(coverage) if coverage.strip() in {str(c) for c in COVERAGES} else 30

    def work(visit: WarehouseVisit) -> dict[str, Any]:
        def compute() -> dict[str, Any]:
            frame = driver_frame(WarehouseReader(visit.backend, workspace_id), outcome, survey,
                                 min_coverage=min_coverage / 100, segment=segment)
            weights = relative_weights(frame.data[list(frame.drivers)].to_numpy(),
                                       frame.data["outcome"].to_numpy(), frame.drivers,
                                       bootstrap=200) if frame.drivers else None  # fmt: skip
            return {"weights": weights, "left_out": frame.left_out_coverage(),
                    "coverage": dict(frame.coverage), "n": frame.n}  # fmt: skip

        return visit.figure(("drivers", outcome, segment, min_coverage), compute)

    found, problem = on_kept_warehouse(web, workspace_id, work, page.gettext)
    weights = found["weights"] if found else None
    rows: list[dict[str, Any]] = []
    if weights:
        # Read on every visit: the scorecard's targets live in the app database, which
        # changes without the warehouse (the kept figure holds only the warehouse's part).
        from kano.adapters.db.views.driver_targets import driver_targets
        from kano.analytics.linkage.performance import driver_performance

        assessed = driver_performance(weights, driver_targets(db, workspace_id))
        formats = NumberFormats(page.language.code)
        rows = [{**row, "basis_text": performance_basis_text(row, page.gettext, formats,
                                                               page.ngettext)}
                for row in sorted(weights.rows(assessed), key=lambda r: -float(r["weight"]))]
    names = journey_names(db, workspace_id)
    chart = quadrant_chart(rows, page.gettext, names[STAGE_NAMES],
                            page.language.code) if rows else None
    return page.render("analysis/drivers.html", active="drivers", outcome=outcome,
                       outcomes=OUTCOMES, outcome_labels=OUTCOME_LABELS, segment=segment,
                       segments=_segments(web, workspace_id),
                       segment_names=segment_names(db, workspace_id),
                       weights=weights, rows=rows, chart=chart,
                       coverages=COVERAGES, min_coverage=min_coverage,
                       left_out=found["left_out"] if found else [],
                       coverage_of=found["coverage"] if found else {},
                       few_rows=bool(rows) and weights.n < ROWS_PER_DRIVER * len(rows),
                       performance_mark=PERFORMANCE_MARK, problem=problem,
                       **names)  # fmt: skip


def _segments(web: Web, workspace_id: int) -> list[str]:
    """The segment keys to filter by (none when the warehouse cannot be read)."""
    # Imported here: the warehouse reader loads ibis and pandas (start-up cost).
    from kano.analytics.linkage.frames import WarehouseReader

    def keys(visit: WarehouseVisit) -> list[str]:
        return visit.figure(("drivers", "segment keys"), lambda: sorted(
            WarehouseReader(visit.backend, workspace_id).dimension("segments", "key")["key"]))

    found, _problem = on_kept_warehouse(web, workspace_id, keys, str)
    return found or []
