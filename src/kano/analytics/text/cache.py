"""A workspace's text analysis computed on read, kept while its comments stay the same.

The fallback of :func:`kano.analytics.text.stored_results.text_report` for a workspace
whose analysis is not stored in the warehouse yet (the worker stores it after each load,
``kano text analyze`` on demand), and what ``/text/responses/{id}`` reads a response
newer than the stored analysis with. The cache key is the warehouse, the workspace and a
fingerprint of its comments (count, last response id, last answer time): a load that adds
or removes comments makes the next read recompute. The cache lives in the process (a few
workspaces at most); each ``kano serve`` copy fills its own.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from kano.analytics.text.analysis import Progress, TextAnalysis, analyze_comments

_KEEP = 4
_cache: OrderedDict[tuple[Any, ...], TextAnalysis] = OrderedDict()
_lock = threading.Lock()
_computing: dict[tuple[Any, ...], threading.Lock] = {}


def comments_fingerprint(backend: Any, workspace_id: int) -> tuple[Any, ...]:
    t = backend.table("responses")
    t = t.filter((t.workspace_id == workspace_id) & t.comment.notnull())
    row = t.aggregate(n=t.count(), last_id=t.response_id.max(),
                      last_at=t.submitted_at.max()).to_pandas().iloc[0]  # fmt: skip
    return (int(row["n"]), str(row["last_id"]), str(row["last_at"]))


def workspace_text_analysis(
    backend: Any, workspace_id: int, *, warehouse: str, progress: Progress | None = None,
    refresh: bool = False,
) -> TextAnalysis:
    """The analysis of the workspace's warehouse comments (cached; see the module doc)."""
    from kano.analytics.text.inputs import load_comments

    key = (warehouse, workspace_id, comments_fingerprint(backend, workspace_id))
    with _lock:
        per_key = _computing.setdefault(key, threading.Lock())
    try:
        with per_key:  # two requests for the same workspace compute once
            with _lock:
                found = None if refresh else _cache.get(key)
                if found is not None:
                    _cache.move_to_end(key)
                    return found
            analysis = analyze_comments(load_comments(backend, workspace_id), progress=progress)
            with _lock:
                for old in [k for k in _cache if k[:2] == key[:2]]:
                    del _cache[old]
                _cache[key] = analysis
                while len(_cache) > _KEEP:
                    _cache.popitem(last=False)
            return analysis
    finally:
        with _lock:
            _computing.pop(key, None)


def clear_cache() -> None:
    with _lock:
        _cache.clear()
