"""A workspace's text analysis stored in the warehouse, and the reports read from it.

The analysis (:func:`~kano.analytics.text.analysis.analyze_comments`) fits a sentiment
model and discovers topics on *all* of a workspace's comments: ~18 s for 25k distinct
comments (bench/RESULTS.md, "Text analytics"), too slow for the first page view after a
load and wasted when every ``kano serve`` copy computes its own. So the worker computes
it after a warehouse load (and ``kano text analyze`` on demand) and writes one row per
comment to the warehouse table ``comment_insights`` plus one row per workspace to
``text_analyses`` (model figures, topics, versions); pages, the API and the CLI roll it up
in the warehouse through Ibis (:func:`report_from_store`), in a fraction of a second.

What is current: a stored row counts only while the response still carries the comment it
read (response id *and* text equal). :func:`stored_freshness` counts the commented
responses that are not analysed yet (new, or their comment changed) and the analysed ones
no longer in the warehouse, and says when the analysis's method or the taxonomy changed
since (:func:`method_version`, :func:`taxonomy_version`). The worker re-analyses a
workspace only then. The model's version (:func:`model_version`) is a digest of the
labelled comments it learns from: while it stays the same, :class:`ReusingTrainer` keeps
the stored cross-validated figures (one fit instead of six). Otherwise the whole workspace
is analysed again: a new scored comment changes the model, and with it every comment's
``p_positive``, and the topics are fitted on all comments; language and themes alone (what
could be reused per comment) are under 1 s of the 18.

While nothing is stored for a workspace, :func:`text_report` computes the analysis on read
(:func:`kano.analytics.text.report.report_from_analysis`), which is also the independent
check of the stored roll-ups in the tests.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

import numpy as np

from kano.analytics.text.analysis import (
    GroupBy,
    TextAnalysis,
    ThemeRow,
    impact_interval,
    negative_order,
)
from kano.analytics.text.report import (
    EXAMPLE_THEMES,
    EXAMPLES,
    Freshness,
    ModelFigures,
    TextReport,
    TopicCount,
    report_from_analysis,
)
from kano.analytics.text.sentiment import SentimentModel
from kano.analytics.text.themes import BAG_OF_WORDS, DiscoveredTopic, Taxonomy, default_taxonomy

METHOD_VERSION = "2"
"""Raise when the analysis gives other results for the same comments (a new language
rule, another model or topic method): stored analyses then count as outdated."""


def method_version() -> str:
    """``METHOD_VERSION`` and the topic back-end the settings choose
    (``KANO_TEXT_EMBEDDINGS``, :mod:`kano.analytics.text.embeddings`): part of the method, so
    switching it re-analyses (give the worker and the servers the same settings)."""
    from kano.analytics.text.embeddings import configured_backend

    backend = configured_backend()
    if backend is None:
        return METHOD_VERSION
    return f"{METHOD_VERSION};topics={backend.name}:{','.join(sorted(backend.languages))}"


INSIGHTS, ANALYSES = "comment_insights", "text_analyses"


# --- versions and the rows to store -----------------------------------------------------


def taxonomy_version(taxonomy: Taxonomy) -> str:
    """A digest of the taxonomy's keys, labels and patterns."""
    shape = [(t.key, sorted(t.labels.items()), sorted((lang, p.pattern) for lang, p
                                                       in t.patterns.items()))
             for t in taxonomy.themes]  # fmt: skip
    return hashlib.sha256(json.dumps(shape, ensure_ascii=False).encode()).hexdigest()[:16]


def model_version(analysis: TextAnalysis) -> str:
    """A digest of what the sentiment model learnt from: its labelled (label, text) pairs."""
    frame = analysis.comments
    return training_digest(frame["comment"].fillna("").astype(str).tolist(),
                           frame["label"].to_numpy())  # fmt: skip


def training_digest(texts: list[str], labels: np.ndarray) -> str:
    """The digest of the labelled (label, text) pairs, whatever their order."""
    pairs = sorted((int(label), str(text)) for text, label in zip(texts, labels, strict=True)
                   if label >= 0)  # fmt: skip
    digest = hashlib.sha256()
    for label, text in pairs:
        digest.update(f"{label}\x00{text}\x01".encode())
    return digest.hexdigest()[:16]


class ReusingTrainer:
    """Trains the sentiment model for :func:`~kano.analytics.text.analyze_comments`,
    reusing the stored analysis's cross-validated figures when the model learns from the
    same labelled comments (same :func:`training_digest`): a load that brought only
    unscored or middle-score comments then costs one fit instead of six. The fit itself
    is the same either way (the cross-validation does not touch it)."""

    def __init__(self, summary: dict[str, Any] | None) -> None:
        self.known: tuple[str, ModelFigures] | None = None
        if summary and summary["method_version"] == method_version():
            figures = ModelFigures.from_json(summary["model"])
            if figures.trained and figures.folds:
                self.known = (str(summary["model_version"]), figures)
        self.reused = False

    def __call__(self, texts: list[str], labels: np.ndarray) -> SentimentModel:
        from kano.analytics.text.sentiment import train_sentiment

        if self.known is None or training_digest(texts, labels) != self.known[0]:
            return train_sentiment(texts, labels)
        figures = self.known[1]
        model = train_sentiment(texts, labels, cross_validate=False)
        model.accuracy, model.macro_f1, model.folds = (figures.accuracy, figures.macro_f1,
                                                       figures.folds)  # fmt: skip
        self.reused = True
        return model


def insight_tables(
    analysis: TextAnalysis, workspace_id: int, analysed_at: datetime
) -> tuple[Any, Any]:
    """The rows of ``comment_insights`` and ``text_analyses`` for one workspace (Arrow, in
    the warehouse schema)."""
    import pyarrow as pa

    from kano.metrics.warehouse_schema import COMMENT_INSIGHTS, TEXT_ANALYSES

    frame = analysis.comments
    keys = analysis.taxonomy.theme_keys()
    n = len(frame)
    if keys and n:
        matrix = frame[[f"theme:{k}" for k in keys]].to_numpy(dtype=bool)
        themes = ["".join(f"|{k}" for k, hit in zip(keys, row, strict=True) if hit)
                  for row in matrix]  # fmt: skip
        themes = [t + "|" if t else "" for t in themes]
    else:
        themes = [""] * n
    p = frame["p_positive"].to_numpy(dtype="float64") if n else np.zeros(0)
    comments = pa.table({
        "workspace_id": pa.array([workspace_id] * n, pa.int64()),
        "response_id": pa.array(frame["response_id"].astype("int64").tolist() if n else [],
                                pa.int64()),
        "comment": pa.array(frame["comment"].astype(str).tolist() if n else [], pa.string()),
        "language": pa.array(frame["detected_language"].astype(str).tolist() if n else [],
                             pa.string()),
        "label": pa.array(frame["label"].astype("int64").tolist() if n else [], pa.int16()),
        "p_positive": pa.array([None if np.isnan(v) else float(v) for v in p], pa.float64()),
        "sentiment": pa.array(frame["sentiment"].astype(str).tolist() if n else [],
                              pa.string()),
        "themes": pa.array(themes, pa.string()),
        "topic": pa.array(frame["topic"].astype("int64").tolist() if n else [], pa.int64()),
    }, schema=COMMENT_INSIGHTS.schema)  # fmt: skip
    topics = [{"index": t.index, "terms": list(t.terms), "method": t.method}
              for t in analysis.topics]  # fmt: skip
    summary = pa.table({
        "workspace_id": [workspace_id], "analysed_at": [analysed_at], "comments": [n],
        "method_version": [method_version()],
        "taxonomy_version": [taxonomy_version(analysis.taxonomy)],
        "model_version": [model_version(analysis) if n else ""],
        "model": [json.dumps(ModelFigures.of(analysis.model).__dict__)],
        "topics": [json.dumps(topics, ensure_ascii=False)],
    }, schema=TEXT_ANALYSES.schema)  # fmt: skip
    return comments, summary


# --- read from the warehouse ------------------------------------------------------------


def stored_summary(backend: Any, workspace_id: int) -> dict[str, Any] | None:
    """The workspace's ``text_analyses`` row, None when there is none (or no table)."""
    try:
        table = backend.table(ANALYSES)
    except Exception:  # each engine says "no such table" its own way
        return None
    rows = table.filter(table.workspace_id == workspace_id).to_pyarrow().to_pylist()
    return rows[0] if rows else None


def _insights(backend: Any, workspace_id: int) -> Any:
    t = backend.table(INSIGHTS)
    return t.filter(t.workspace_id == workspace_id).select(
        i_id="response_id", i_comment="comment", detected_language="language", label="label",
        p_positive="p_positive", sentiment="sentiment", themes="themes", topic="topic",
    )  # fmt: skip


def stored_freshness(
    backend: Any, workspace_id: int, taxonomy: Taxonomy | None = None,
    summary: dict[str, Any] | None = None,
) -> Freshness | None:  # fmt: skip
    """How the stored analysis of the workspace stands against its warehouse comments;
    None when there is none."""
    from kano.analytics.text.inputs import commented_rows

    summary = summary or stored_summary(backend, workspace_id)
    if summary is None:
        return None
    current = commented_rows(backend, workspace_id).select("response_id", "comment")
    stored = _insights(backend, workspace_id).select("i_id", "i_comment")
    both = current.left_join(stored, [current.response_id == stored.i_id,
                                      current.comment == stored.i_comment])  # fmt: skip
    counts = both.aggregate(not_analysed=_count(both.i_id.isnull()),
                            matched=_count(both.i_id.notnull())).to_pyarrow().to_pylist()[0]
    return _freshness(summary, taxonomy, int(counts["not_analysed"] or 0),
                      int(counts["matched"] or 0))  # fmt: skip


def _freshness(summary: dict[str, Any], taxonomy: Taxonomy | None, not_analysed: int,
               matched: int) -> Freshness:  # fmt: skip
    outdated = None
    if summary["method_version"] != method_version():
        outdated = "method"
    elif summary["taxonomy_version"] != taxonomy_version(taxonomy or default_taxonomy()):
        outdated = "taxonomy"
    return Freshness("stored", analysed_at=summary["analysed_at"], not_analysed=not_analysed,
                     no_longer_present=int(summary["comments"]) - matched,
                     outdated=outdated)  # fmt: skip


def _count(condition: Any) -> Any:
    return condition.ifelse(1, 0).sum()


_SUMS = ("comments", "negative", "neutral", "positive", "p_sum", "p_n", "nps_n", "promoters",
         "detractors")  # fmt: skip


def report_from_store(
    backend: Any, workspace_id: int, by: GroupBy | None, *, taxonomy: Taxonomy | None = None
) -> TextReport | None:
    """The report rolled up in the warehouse from the stored analysis (None when there is
    none): the comments whose response still carries the analysed text.

    Three queries, whatever the engine: the summary row, one roll-up and the examples.
    The roll-up joins the commented responses to their stored rows once (a left join, so
    it also counts what is not analysed yet: the freshness) and sums the comments per
    group, *set* of themes, language and topic (a few thousand rows at most, whatever the
    number of comments); the sums per theme, language and topic add those rows up. Each
    query is a round trip and an Ibis compilation (~50 ms), which is most of a read on a
    small warehouse."""
    import ibis

    from kano.analytics.text.inputs import commented_responses

    summary = stored_summary(backend, workspace_id)
    if summary is None:
        return None
    taxonomy = taxonomy or default_taxonomy()
    current = commented_responses(backend, workspace_id)
    stored = _insights(backend, workspace_id)
    predicates = [current.response_id == stored.i_id, current.comment == stored.i_comment]
    both = current.left_join(stored, predicates)
    analysed = both.i_id.notnull()
    grp = ibis.literal("") if by is None else both[by].fill_null("")
    both = both.mutate(analysed=analysed, grp=analysed.ifelse(grp, ""))
    p, nps = both.p_positive, both.nps
    rows = both.group_by(["analysed", "grp", "themes", "detected_language", "topic"]).aggregate(
        comments=both.count(), negative=_count(both.sentiment == "negative"),
        neutral=_count(both.sentiment == "neutral"),
        positive=_count(both.sentiment == "positive"), p_sum=p.sum(), p_n=_count(p.notnull()),
        nps_n=_count(nps.notnull()), promoters=_count(nps >= 9), detractors=_count(nps <= 6),
    ).to_pyarrow().to_pylist()  # fmt: skip
    combos = [row for row in rows if row["analysed"]]
    matched = sum(int(row["comments"]) for row in combos)
    freshness = _freshness(summary, taxonomy, sum(int(row["comments"]) for row in rows) - matched,
                           matched)  # fmt: skip
    keys = taxonomy.theme_keys()
    totals: dict[str, dict[str, float]] = {}
    per_theme: dict[tuple[str, str], dict[str, float]] = {}
    for row in combos:
        values = {name: row[name] or 0 for name in _SUMS}
        _add(totals.setdefault(row["grp"], {}), values)
        for key in str(row["themes"] or "").split("|"):
            if key in keys:
                _add(per_theme.setdefault((row["grp"], key), {}), values)
    themes: list[ThemeRow] = []
    distribution: list[dict[str, Any]] = []
    for group in sorted(totals):
        total = totals[group]
        n_group = int(total["comments"])
        distribution.append({
            "group": group, "n": n_group, "negative": int(total["negative"]),
            "neutral": int(total["neutral"]), "positive": int(total["positive"]),
            "mean_sentiment": _mean(total["p_sum"], int(total["p_n"])),
        })  # fmt: skip
        for key in keys:
            w = per_theme.get((group, key)) or dict.fromkeys(_SUMS, 0)
            n, nn = int(w["comments"]), int(w["nps_n"])
            nps_with = _nps(int(w["promoters"]), int(w["detractors"]), nn)
            without = (int(total["promoters"] - w["promoters"]),
                       int(total["detractors"] - w["detractors"]), int(total["nps_n"]) - nn)
            nps_without = _nps(*without)
            low, high = impact_interval((int(w["promoters"]), int(w["detractors"]), nn),
                                        without)  # fmt: skip
            themes.append(ThemeRow(
                group=group, theme=key, comments=n_group, n=n,
                share=n / n_group if n_group else 0.0, negative=int(w["negative"]),
                mean_sentiment=_mean(w["p_sum"], int(w["p_n"])), nps_with=nps_with,
                n_nps_with=nn, nps_without=nps_without, n_nps_without=int(total["nps_n"]) - nn,
                impact=None if nps_with is None or nps_without is None
                else nps_with - nps_without, impact_ci_low=low, impact_ci_high=high,
            ))  # fmt: skip
    ranking = negative_order(themes)
    languages: dict[str, int] = {}
    per_topic: dict[int, int] = {}
    for row in combos:
        language, topic = str(row["detected_language"]), int(row["topic"])
        languages[language] = languages.get(language, 0) + int(row["comments"])
        per_topic[topic] = per_topic.get(topic, 0) + int(row["comments"])
    topics = [TopicCount(DiscoveredTopic(int(x["index"]), tuple(x["terms"]),
                                         str(x.get("method", BAG_OF_WORDS))),
                         per_topic.get(int(x["index"]), 0))
              for x in json.loads(summary["topics"])]  # fmt: skip
    return TextReport(
        by=by, comments=sum(d["n"] for d in distribution), languages=languages,
        model=ModelFigures.from_json(summary["model"]), taxonomy=taxonomy, themes=themes,
        ranking=ranking, distribution=distribution, topics=topics,
        examples=_examples(_analysed(current, stored, predicates, by), ranking[:EXAMPLE_THEMES]),
        freshness=freshness,
    )  # fmt: skip


def _analysed(current: Any, stored: Any, predicates: list[Any], by: GroupBy | None) -> Any:
    """The commented responses joined to their current stored rows, with ``grp``."""
    import ibis

    t = current.inner_join(stored, predicates)
    return t.mutate(grp=ibis.literal("") if by is None else t[by].fill_null(""))


def _add(into: dict[str, float], values: dict[str, float]) -> None:
    for name, value in values.items():
        into[name] = into.get(name, 0) + value


def text_report(backend: Any, workspace_id: int, by: GroupBy | None, *, warehouse: str
                ) -> TextReport:  # fmt: skip
    """What a read shows: the stored analysis rolled up in the warehouse, even when it
    misses the newest comments (its ``freshness`` says how many: a slightly stale answer
    at once beats an exact one in 18 s), or, while none is stored for the workspace, the
    analysis computed on this read (cached per process, :mod:`.cache`)."""
    report = report_from_store(backend, workspace_id, by)
    if report is not None:
        return report
    from kano.analytics.text.cache import workspace_text_analysis

    return report_from_analysis(
        workspace_text_analysis(backend, workspace_id, warehouse=warehouse), by
    )


def _examples(t: Any, pairs: list[ThemeRow]) -> dict[tuple[str, str], list[str]]:
    """Up to ``EXAMPLES`` distinct negative comments per pair, first answered first, in one
    query: the pairs go to the warehouse as a small table."""
    import ibis

    if not pairs:
        return {}
    wanted = ibis.memtable({"g": [r.group for r in pairs],
                            "k": [f"|{r.theme}|" for r in pairs]})  # fmt: skip
    negative = t.filter(t.sentiment == "negative").select("grp", "themes", "comment",
                                                          "response_id")  # fmt: skip
    hits = negative.inner_join(wanted, [negative.grp == wanted.g,
                                        negative.themes.contains(wanted.k)])  # fmt: skip
    first = hits.group_by(["g", "k", "comment"]).aggregate(first=hits.response_id.min())
    place = ibis.row_number().over(group_by=[first.g, first.k], order_by=first.first)
    rows = (first.mutate(place=place).filter(lambda x: x.place < EXAMPLES)
            .to_pyarrow().to_pylist())  # fmt: skip
    examples: dict[tuple[str, str], list[str]] = {(r.group, r.theme): [] for r in pairs}
    for row in sorted(rows, key=lambda x: (x["g"], x["k"], x["first"])):
        examples[(row["g"], row["k"].strip("|"))].append(row["comment"])
    return examples


def stored_comment(backend: Any, workspace_id: int, response_id: int) -> dict[str, Any] | None:
    """One response's stored reading (its current comment only), None when not analysed."""
    from kano.analytics.text.inputs import commented_rows

    current = commented_rows(backend, workspace_id)
    current = current.filter(current.response_id == response_id)
    stored = _insights(backend, workspace_id)
    stored = stored.filter(stored.i_id == response_id)
    rows = current.inner_join(stored, [current.response_id == stored.i_id,
                                       current.comment == stored.i_comment]).select(
        "comment", "detected_language", "label", "p_positive", "sentiment", "themes", "topic",
    ).to_pyarrow().to_pylist()  # fmt: skip
    if not rows:
        return None
    row = rows[0]
    summary = stored_summary(backend, workspace_id) or {"topics": "[]"}
    labels = {int(x["index"]): DiscoveredTopic(int(x["index"]), tuple(x["terms"])).label
              for x in json.loads(summary["topics"])}  # fmt: skip
    return {**row, "themes": [k for k in str(row["themes"]).split("|") if k],
            "topic": labels.get(int(row["topic"]))}  # fmt: skip


def _mean(total: float | None, n: int) -> float | None:
    return None if not n or total is None else float(2 * (total / n) - 1)


def _nps(promoters: int, detractors: int, n: int) -> float | None:
    return None if n <= 0 else float(100 * (promoters / n - detractors / n))
