"""A workspace's stored sentiment model: train it from the warehouse's scored comments,
store it as plain numbers, and read comments with it at intake (case rules of kind
``sentiment``).

The model is loaded once per process and workspace and kept while its ``trained_at``
stays the same: each batch that needs it costs one indexed query for ``trained_at``; a
new training (``kano text train``, the worker after a warehouse load changed the comments)
is picked up by the next batch. Nothing here runs for a workspace without an enabled
sentiment rule (:func:`kano.adapters.db.case_rules.decide_cases` checks first).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.orm import SentimentModelRow, utcnow
from kano.analytics.text.stored import StoredSentiment

_loaded: dict[tuple[str, int], tuple[datetime, StoredSentiment | None]] = {}
_lock = threading.Lock()
loads = 0
"""How many times a model was read from the database in this process (tests)."""


def _database(session: Session) -> str:
    return session.get_bind().engine.url.render_as_string(hide_password=True)


def stored_model(session: Session, workspace_id: int) -> StoredSentiment | None:
    """The workspace's model (None: none trained), from the process cache while the stored
    one's ``trained_at`` is unchanged."""
    global loads
    trained_at = session.scalar(
        select(SentimentModelRow.trained_at).where(SentimentModelRow.workspace_id == workspace_id)
    )
    if trained_at is None:
        return None
    key = (_database(session), workspace_id)
    with _lock:
        cached = _loaded.get(key)
    if cached is not None and cached[0] == trained_at:
        return cached[1]
    row = session.scalar(
        select(SentimentModelRow).where(SentimentModelRow.workspace_id == workspace_id)
    )
    model = None
    if row is not None and row.coefficients is not None and row.vectorizer is not None:
        model = StoredSentiment.from_bytes(row.coefficients, row.intercept or 0.0, row.vectorizer)
    with _lock:
        loads += 1
        _loaded[key] = (trained_at, model)
    return model


def negative_probabilities(
    session: Session, workspace_id: int, comments: Sequence[str | None]
) -> list[float | None] | None:
    """Each comment's probability of reading negative (None where there is no comment),
    in one vectorised call; None when the workspace has no trained model."""
    model = stored_model(session, workspace_id)
    if model is None:
        return None
    present = [i for i, text in enumerate(comments) if text and text.strip()]
    out: list[float | None] = [None] * len(comments)
    if present:
        scores = model.p_negative([str(comments[i]) for i in present])
        for i, p in zip(present, scores, strict=True):
            out[i] = float(p)
    return out


def model_summary(session: Session, workspace_id: int) -> dict[str, Any] | None:
    row = session.scalar(
        select(SentimentModelRow).where(SentimentModelRow.workspace_id == workspace_id)
    )
    if row is None:
        return None
    return {
        "status": row.status, "message": row.message, "trained_at": row.trained_at,
        "labelled": row.labelled, "negative": row.negative, "positive": row.positive,
        "accuracy": row.accuracy, "macro_f1": row.macro_f1, "folds": row.folds,
        "usable": row.coefficients is not None,
    }  # fmt: skip


def save_model(
    session: Session, workspace_id: int, model: Any, *, fingerprint: str | None = None,
    trained_at: datetime | None = None,
) -> SentimentModelRow:  # fmt: skip
    """Store a :class:`SentimentModel` fitted on the hashing pipeline (an untrained one is
    stored too, with its reason, so the worker does not retry until the comments change);
    the caller commits."""
    from kano.analytics.text.stored import storable

    numbers = storable(model) if model.trained else None
    row = session.scalar(
        select(SentimentModelRow).where(SentimentModelRow.workspace_id == workspace_id)
    )
    if row is None:
        row = SentimentModelRow(workspace_id=workspace_id)
        session.add(row)
    row.status = model.status
    row.message = model.message[:500]
    row.trained_at = trained_at or utcnow()
    row.comments_fingerprint = fingerprint
    row.labelled, row.negative, row.positive = model.labelled, model.negative, model.positive
    row.trained_on, row.folds = model.trained_on, model.folds
    row.accuracy, row.macro_f1 = model.accuracy, model.macro_f1
    row.vectorizer = None if numbers is None else numbers.vectorizer
    row.coefficients = None if numbers is None else numbers.coefficient_bytes()
    row.intercept = None if numbers is None else numbers.intercept
    session.flush()
    return row


def stored_fingerprint(session: Session, workspace_id: int) -> str | None:
    return session.scalar(
        select(SentimentModelRow.comments_fingerprint).where(
            SentimentModelRow.workspace_id == workspace_id
        )
    )


def train_from_warehouse(
    session: Session, backend: Any, workspace_id: int, *, only_if_changed: bool = False
) -> Any | None:
    """Train on the workspace's warehouse comments and store the model (the caller
    commits); with ``only_if_changed``, None when the comments are those it was trained on."""
    from kano.analytics.text.cache import comments_fingerprint
    from kano.analytics.text.inputs import load_comments
    from kano.analytics.text.sentiment import labels_from_scores
    from kano.analytics.text.stored import train_storable

    fingerprint = "|".join(str(part) for part in comments_fingerprint(backend, workspace_id))
    if only_if_changed and stored_fingerprint(session, workspace_id) == fingerprint:
        return None
    frame = load_comments(backend, workspace_id)

    import pandas as pd

    def column(name: str) -> list[Any]:
        return [None if pd.isna(v) else v for v in frame[name].tolist()]

    labels = labels_from_scores(column("nps"), column("csat"), column("ces"), column("rating"))
    model = train_storable(frame["comment"].tolist(), np.asarray(labels))
    save_model(session, workspace_id, model, fingerprint=fingerprint)
    return model


def forget_loaded() -> None:
    with _lock:
        _loaded.clear()
