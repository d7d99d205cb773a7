"""The words and number formats of the scorecard and OKR files, in the reader's language.

The export modules (``kano.adapters.exports``) take their texts ready-made; this module
translates them for one request and hands over the page's own formats, so a file reads
like the page it came from: the same status words, the workspace's currency.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from babel.dates import format_date
from sqlalchemy.orm import Session
from starlette.responses import Response

from kano.adapters.db.views.okr import CycleChoice
from kano.adapters.db.workspace_currency import workspace_currency
from kano.adapters.exports.okr_file import OkrTexts
from kano.adapters.exports.scorecard_file import ScorecardTexts
from kano.adapters.web.deps import SignedInPageContext
from kano.adapters.web.strategy_formats import (
    CONFIDENCE_STATUS,
    LABELS,
    STATUS_LABELS,
    StrategyFormats,
    money_currency,
)


def export_formats(page: SignedInPageContext, db: Session) -> StrategyFormats:
    """The page's number formats, money in the workspace's currency as stored now."""
    assert page.workspace is not None
    return StrategyFormats(
        page.language.code, workspace_currency(db, page.workspace.id), page.ngettext
    )


def download(content: bytes, media_type: str, filename: str) -> Response:
    """A file to save, never cached (it holds the workspace's figures)."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", filename)[:150]
    return Response(content, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{safe}"',
        "Cache-Control": "no-store",
    })


def utc_heading(title: str, gettext: Callable[[str], str]) -> str:
    """The heading of a file's column of times, naming their zone: "Opened (UTC)". Kano
    stores times in UTC and a workspace has no time zone of its own, so a file says UTC
    rather than guess a zone to convert to (every export the same way)."""
    return gettext("%(column)s (UTC)") % {"column": title}


def scorecard_texts(page: SignedInPageContext, db: Session, level: str) -> ScorecardTexts:
    _ = translate = page.gettext  # translate(): words marked elsewhere (N_)
    fmt = export_formats(page, db)
    return ScorecardTexts(
        title=_("Executive scorecard"),
        level=_("Level"),
        level_value=translate(LABELS["scorecard_level"].get(level, "Company")),
        owner_team=_("Owner team"),
        overall=_("Overall score"),
        perspective=_("Perspective"),
        objective=_("Objective"),
        measure=_("Measure"),
        kind=_("Kind"),
        owner=_("Owner"),
        unit=_("Unit"),
        baseline=_("Baseline"),
        target=_("Target"),
        actual=_("Actual"),
        period=_("Period"),
        status=_("Status"),
        score=_("Score"),
        weight=_("Weight"),
        direction=_("Direction"),
        amber_from=_("Amber from"),
        green_from=_("Green from"),
        band_low=_("Green band from"),
        band_high=_("Green band to"),
        tolerance=_("Amber tolerance (±)"),
        page=_("Page %(number)s"),
        kinds={kind: _(words) for kind, words in LABELS["measure_kind"].items()},
        directions={way: _(words) for way, words in LABELS["direction"].items()},
        statuses={status: _(words) for status, words in STATUS_LABELS.items()},
        currency_of=lambda unit: money_currency(unit, fmt.currency),
        measure_text=fmt.measure,
        score_text=fmt.score,
        number_text=fmt.number,
        month_text=fmt.month,
        measure_digits=fmt.measure_digits,
    )


def okr_texts(page: SignedInPageContext, db: Session, cycle: CycleChoice) -> OkrTexts:
    _ = translate = page.gettext  # translate(): words marked elsewhere (N_)
    fmt = export_formats(page, db)
    status = translate(LABELS["cycle_status"].get(cycle.status, "Open"))
    return OkrTexts(
        title=_("OKR tree"),
        cycle=_("Cycle"),
        cycle_value=f"{cycle.name} · {fmt.month_range(cycle.starts_on, cycle.ends_on)} · "
                    f"{status}",
        level=_("Level"),
        objective=_("Objective"),
        parent=_("Parent objective"),
        owner=_("Owner"),
        team=_("Team"),
        key_result=_("Key result"),
        unit=_("Unit"),
        start=_("Start value"),
        target=_("Target"),
        current=_("Current value"),
        progress=_("Progress"),
        confidence=_("Confidence"),
        last_check_in=utc_heading(_("Last check-in"), _),
        page=_("Page %(number)s"),
        levels={level: _(words) for level, words in LABELS["okr_level"].items()},
        confidence_words={band: _(STATUS_LABELS[status])
                          for band, status in CONFIDENCE_STATUS.items()},
        number_text=fmt.number,
        percent_text=fmt.percent,
        moment_text=lambda at: format_date(at, format="medium", locale=fmt.language),
    )
