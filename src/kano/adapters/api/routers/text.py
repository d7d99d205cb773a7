"""``/text``: comment language, sentiment and themes per touchpoint and segment (SPEC 2.11),
rolled up in the warehouse from the analysis the worker stores there after each load
(:mod:`kano.analytics.text.stored_results`); while none is stored, computed on read and
cached per workspace (:mod:`kano.analytics.text.cache`). ``analysis`` in each answer says
which, and how many comments the stored analysis has not read yet."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request

from kano.adapters.api.deps import ReadAccess, SessionDep, container_of
from kano.adapters.api.errors import problem_responses
from kano.adapters.api.params import ResourceId
from kano.adapters.api.schemas.text import (
    AnalysisState,
    ResponseText,
    SentimentGroup,
    SentimentModelStatus,
    SentimentSummary,
    ThemesSummary,
    ThemeStat,
    Topic,
)
from kano.adapters.api.warehouse_access import WAREHOUSE_RESPONSES, on_warehouse

router = APIRouter(prefix="/text", tags=["text"])
By = Literal["all", "touchpoint", "segment"]
_BY = Query(description="Roll up per touchpoint, per customer segment, or over all comments.")


def analysis_of(request: Request, workspace_id: int) -> Any:
    """The workspace's text analysis computed on read (cached; imports sklearn/lingua only
    when called)."""
    from kano.analytics.text.cache import workspace_text_analysis

    url = container_of(request).settings.resolved_warehouse_url()
    return on_warehouse(request, lambda backend: workspace_text_analysis(
        backend, workspace_id, warehouse=url))  # fmt: skip


def report_of(request: Request, workspace_id: int, by: By) -> Any:
    """The stored analysis rolled up in the warehouse, or (none stored yet) the analysis
    computed on read."""
    from kano.analytics.text.stored_results import text_report

    url = container_of(request).settings.resolved_warehouse_url()
    return on_warehouse(request, lambda backend: text_report(
        backend, workspace_id, None if by == "all" else by, warehouse=url))  # fmt: skip


def model_status(report: Any) -> SentimentModelStatus:
    return SentimentModelStatus(**report.model.as_dict())


def analysis_state(report: Any) -> AnalysisState:
    return AnalysisState(**report.freshness.__dict__)


def theme_stat(report: Any, row: Any, language: str = "en") -> ThemeStat:
    theme = report.taxonomy.theme(row.theme)
    return ThemeStat(**row.as_dict(), label=theme.label(language) if theme else row.theme)


@router.get("/themes", summary="Themes of the comments", response_model=ThemesSummary,
            responses=WAREHOUSE_RESPONSES)  # fmt: skip
def get_themes(
    caller: ReadAccess, request: Request, by: Annotated[By, _BY] = "touchpoint",
    language: Annotated[Literal["en", "ru", "hu"], Query(description="Language of the "
                                                          "theme labels.")] = "en",
) -> ThemesSummary:
    """Per group and theme: the share of comments mentioning it, their mean sentiment, the
    NPS of the responses mentioning it against those that do not, each with its n; the
    negative-themes ranking and the automatically discovered topics."""
    report = report_of(request, caller.workspace_id, by)
    return ThemesSummary(
        by=by, comments=report.comments, languages=report.languages, model=model_status(report),
        themes=[theme_stat(report, r, language) for r in report.themes],
        negative_themes=[theme_stat(report, r, language) for r in report.ranking[:20]],
        topics=[Topic(index=t.index, label=t.label, terms=list(t.terms), comments=t.comments)
                for t in report.topics],
        analysis=analysis_state(report),
    )  # fmt: skip


@router.get("/sentiment", summary="The sentiment model and the sentiment distribution",
            response_model=SentimentSummary, responses=WAREHOUSE_RESPONSES)  # fmt: skip
def get_sentiment(
    caller: ReadAccess, request: Request, by: Annotated[By, _BY] = "all"
) -> SentimentSummary:
    """How the model trained on this workspace's scored comments did (cross-validated
    accuracy and macro-F1, or why there is no model) and negative / neutral / positive
    comments per group."""
    report = report_of(request, caller.workspace_id, by)
    return SentimentSummary(model=model_status(report), by=by,
                            distribution=[SentimentGroup(**row) for row in report.distribution],
                            analysis=analysis_state(report))  # fmt: skip


@router.get("/responses/{response_id}", summary="One response's comment analysed",
            response_model=ResponseText,
            responses={**WAREHOUSE_RESPONSES, **problem_responses(404)})
def get_response_text(caller: ReadAccess, request: Request, session: SessionDep,
                      response_id: ResourceId) -> ResponseText:  # fmt: skip
    """The language, sentiment, taxonomy themes and discovered topic of one comment: a
    response in the warehouse, or one that reached Kano after the last warehouse load (read
    with the same model; it has no topic)."""
    from kano.analytics.text.stored_results import stored_comment

    stored = on_warehouse(request, lambda backend: stored_comment(
        backend, caller.workspace_id, response_id))  # fmt: skip
    if stored is not None:
        p = stored["p_positive"]
        return ResponseText(
            response_id=response_id, comment=stored["comment"],
            language=stored["detected_language"], p_positive=p,
            sentiment=stored["sentiment"],
            label={0: "negative", 1: "positive"}.get(int(stored["label"]), ""),
            themes=stored["themes"], topic=stored["topic"],
        )  # fmt: skip
    # Not in the stored analysis (none stored, or newer than it): computed on read.
    analysis = analysis_of(request, caller.workspace_id)
    comments = analysis.comments
    found = comments[comments["response_id"] == response_id]
    if found.empty:
        return _live_response_text(analysis, session, caller.workspace_id, response_id)
    row = found.iloc[0]
    p = row["p_positive"]
    topic = next((t.label for t in analysis.topics if t.index == int(row["topic"])), None)
    return ResponseText(
        response_id=response_id, comment=str(row["comment"]),
        language=str(row["detected_language"]),
        p_positive=None if p != p else float(p), sentiment=str(row["sentiment"]),
        label={0: "negative", 1: "positive"}.get(int(row["label"]), ""),
        themes=analysis.themes_of(row), topic=topic,
    )  # fmt: skip


def _live_response_text(
    analysis: Any, session: Any, workspace_id: int, response_id: int
) -> ResponseText:
    from sqlalchemy import select

    from kano.adapters.db.orm import FeedbackResponse
    from kano.analytics.text.analysis import read_comment

    response = session.scalars(select(FeedbackResponse).where(
        FeedbackResponse.workspace_id == workspace_id, FeedbackResponse.id == response_id,
    )).one_or_none()  # fmt: skip
    if response is None or not (response.comment or "").strip():
        raise HTTPException(404, detail=f"No commented response {response_id} in this "
                            "workspace.")
    reading = read_comment(analysis, response.comment, language=response.language,
                           nps=response.nps, csat=response.csat, ces=response.ces,
                           rating=response.rating)  # fmt: skip
    return ResponseText(response_id=response_id, comment=response.comment,
                        language=reading.language, p_positive=reading.p_positive,
                        sentiment=reading.sentiment, label=reading.label,
                        themes=reading.themes, topic=None)  # fmt: skip
