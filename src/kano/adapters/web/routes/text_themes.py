"""The Themes page (SPEC §2.11): what customers write about per touchpoint or segment, how
they feel about it and what it costs in NPS, with example comments; ``/text.csv`` exports
the table. The figures are the API's and the CLI's: rolled up in the warehouse from the
analysis the worker stores after each load, with a note when it misses newer comments;
computed on read while none is stored (:mod:`kano.analytics.text.stored_results`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from kano.adapters.web.deps import DbSession, SignedInPage, Web
from kano.adapters.web.labels import TOUCHPOINT_NAMES, journey_names, segment_names
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.strategy_access import no_workspace
from kano.adapters.web.warehouse_reads import on_warehouse

router = APIRouter()
GROUPINGS = {"touchpoint": N_("Touchpoint"), "segment": N_("Segment"), "all": N_("All comments")}
EXAMPLE_THEMES = 10  # the ranked rows shown: stored_results.EXAMPLE_THEMES have examples
CSV_COLUMNS = ("group", "name", "theme", "comments", "n", "share", "negative", "mean_sentiment",
               "nps_with", "n_nps_with", "nps_without", "n_nps_without", "impact",
               "impact_ci_low", "impact_ci_high")  # fmt: skip
CSV_TITLES = {"group": N_("Group"), "name": N_("Name"), "theme": N_("Theme"),
              "comments": N_("Comments"), "share": N_("Share"), "negative": N_("Negative"),
              "mean_sentiment": N_("Mean sentiment"), "nps_with": N_("NPS with the theme"),
              "n_nps_with": N_("n, NPS with the theme"),
              "nps_without": N_("NPS without the theme"),
              "n_nps_without": N_("n, NPS without the theme"),
              "impact": N_("Impact (NPS points)"),
              "impact_ci_low": N_("Impact, interval low"),
              "impact_ci_high": N_("Impact, interval high")}  # fmt: skip


def _report(page: SignedInPage, web: Web, by: str) -> tuple[Any, str | None]:
    from kano.analytics.text.stored_results import text_report

    assert page.workspace is not None
    workspace_id = page.workspace.id
    url = web.container.settings.resolved_warehouse_url()
    group = None if by == "all" else by
    return on_warehouse(web, lambda backend: text_report(
        backend, workspace_id, group, warehouse=url), page.gettext)  # fmt: skip


def _by(value: str) -> str:
    return value if value in GROUPINGS else "touchpoint"


def _group_names(db: DbSession, workspace_id: int, by: str) -> dict[str, str]:
    """The groups' names, key → name: the workspace's touchpoints or segments as its journey
    map and segment list name them (a key with no name is shown as itself)."""
    if by == "touchpoint":
        return journey_names(db, workspace_id)[TOUCHPOINT_NAMES]
    return segment_names(db, workspace_id) if by == "segment" else {}


@router.get("/text")
def themes_page(page: SignedInPage, web: Web, db: DbSession, by: str = "touchpoint"
                ) -> Response:  # fmt: skip
    if page.workspace is None:
        return no_workspace(page)
    by = _by(by)
    report, problem = _report(page, web, by)
    context: dict[str, Any] = {"by": by, "groupings": GROUPINGS, "problem": problem,
                               "group_names": _group_names(db, page.workspace.id, by)}
    if report is not None:
        language = page.language.code
        context |= {
            "model": report.model, "comments": report.comments,
            "comment_languages": report.languages,
            "labels": {t.key: t.label(language) for t in report.taxonomy.themes},
            "groups": sorted({r.group for r in report.themes}),
            "themes": report.taxonomy.theme_keys(),
            "matrix": {(r.group, r.theme): r for r in report.themes},
            "ranking": report.ranking[:EXAMPLE_THEMES], "examples": report.examples,
            "topics": report.topics, "distribution": report.distribution,
            "freshness": report.freshness,
        }  # fmt: skip
    return page.render("analysis/text.html", active="text", **context)


@router.get("/text.csv")
def themes_csv(page: SignedInPage, web: Web, db: DbSession, by: str = "touchpoint"
               ) -> Response:  # fmt: skip
    if page.workspace is None:
        return no_workspace(page)
    from kano.adapters.exports.metric_table import CSV_MEDIA_TYPE, metric_csv

    by = _by(by)
    report, _problem = _report(page, web, by)
    if report is None:
        return themes_page(page, web, db, by)
    names = _group_names(db, page.workspace.id, by)
    records = [{**r.as_dict(), "name": names.get(r.group) or r.group} for r in report.themes]
    titles = {k: page.gettext(v) for k, v in CSV_TITLES.items()}
    return Response(metric_csv(CSV_COLUMNS, records, titles),
                    media_type=f"{CSV_MEDIA_TYPE}; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{page.workspace.slug}-themes-{by}.csv"',
        "Cache-Control": "no-store",
    })  # fmt: skip
