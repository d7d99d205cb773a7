"""The Themes page (SPEC §2.11): what customers write about per touchpoint or segment, how
they feel about it and what it costs in NPS, with example comments; ``/text.csv`` exports
the table. The analysis is the API's and the CLI's (:mod:`kano.analytics.text.cache`):
computed on read from the warehouse and kept until the workspace's comments change.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from kano.adapters.web.deps import SignedInPage, Web
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.strategy_access import no_workspace
from kano.adapters.web.warehouse_reads import on_warehouse

router = APIRouter()
GROUPINGS = {"touchpoint": N_("Touchpoint"), "segment": N_("Segment"), "all": N_("All comments")}
EXAMPLES = 3
CSV_COLUMNS = ("group", "theme", "comments", "n", "share", "negative", "mean_sentiment",
               "nps_with", "n_nps_with", "nps_without", "n_nps_without", "impact")  # fmt: skip
CSV_TITLES = {"group": N_("Group"), "theme": N_("Theme"), "comments": N_("Comments"),
              "share": N_("Share"), "negative": N_("Negative"),
              "mean_sentiment": N_("Mean sentiment"), "nps_with": N_("NPS with the theme"),
              "nps_without": N_("NPS without the theme"),
              "impact": N_("Impact (NPS points)")}  # fmt: skip


def _analysis(page: SignedInPage, web: Web) -> tuple[Any, str | None]:
    from kano.analytics.text.cache import workspace_text_analysis

    assert page.workspace is not None
    workspace_id = page.workspace.id
    url = web.container.settings.resolved_warehouse_url()
    return on_warehouse(web, lambda backend: workspace_text_analysis(
        backend, workspace_id, warehouse=url), page.gettext)  # fmt: skip


def _by(value: str) -> str:
    return value if value in GROUPINGS else "touchpoint"


@router.get("/text")
def themes_page(page: SignedInPage, web: Web, by: str = "touchpoint") -> Response:
    if page.workspace is None:
        return no_workspace(page)
    from kano.analytics.text import negative_themes, theme_summary

    by = _by(by)
    analysis, problem = _analysis(page, web)
    context: dict[str, Any] = {"by": by, "groupings": GROUPINGS, "problem": problem}
    if analysis is not None:
        group = None if by == "all" else by
        language = page.language.code
        labels = {t.key: t.label(language) for t in analysis.taxonomy.themes}
        rows = theme_summary(analysis, group)
        groups = sorted({r.group for r in rows})
        matrix = {(r.group, r.theme): r for r in rows}
        ranking = negative_themes(analysis, group)[:10]
        comments = analysis.comments
        examples = {}
        for r in ranking:
            mask = comments[f"theme:{r.theme}"] & (comments["sentiment"] == "negative")
            if group:
                mask &= comments[group] == r.group
            examples[(r.group, r.theme)] = comments.loc[mask, "comment"].drop_duplicates().head(
                EXAMPLES).tolist()
        context |= {
            "model": analysis.model, "comments": len(comments),
            "languages": analysis.languages(), "labels": labels, "groups": groups,
            "themes": analysis.taxonomy.theme_keys(), "matrix": matrix, "ranking": ranking,
            "examples": examples, "topics": analysis.topics,
            "distribution": analysis.sentiment_distribution(group),
        }  # fmt: skip
    return page.render("analysis/text.html", active="text", **context)


@router.get("/text.csv")
def themes_csv(page: SignedInPage, web: Web, by: str = "touchpoint") -> Response:
    if page.workspace is None:
        return no_workspace(page)
    from kano.adapters.exports.metric_table import CSV_MEDIA_TYPE, metric_csv
    from kano.analytics.text import theme_summary

    by = _by(by)
    analysis, _problem = _analysis(page, web)
    if analysis is None:
        return themes_page(page, web, by)
    records = [r.as_dict() for r in theme_summary(analysis, None if by == "all" else by)]
    titles = {k: page.gettext(v) for k, v in CSV_TITLES.items()}
    return Response(metric_csv(CSV_COLUMNS, records, titles),
                    media_type=f"{CSV_MEDIA_TYPE}; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{page.workspace.slug}-themes-{by}.csv"',
        "Cache-Control": "no-store",
    })  # fmt: skip
