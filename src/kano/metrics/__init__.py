"""The metrics engine: a catalogue of CX/TX/OX/EX/financial metrics compiled to Ibis.

``compute_metric(backend, metric, by=["month", "segment"], workspace_id=1)`` returns a
list of :class:`MetricRow` (slice keys, value, n, ci_low, ci_high) on DuckDB, PostgreSQL,
SQLite or Spark alike. Metrics are declarative (:class:`Metric`); custom ones come from
YAML through :func:`load_custom_metrics`. Nothing here knows which engine it runs on.

The names below load on first use (a module ``__getattr__``, PEP 562): the catalogue and
the compiler import Ibis, sqlglot, pyarrow and numpy, which building the app must not pay
for (bench/RESULTS.md, "Start-up, session 12"). ``from kano.metrics import Metric`` loads
only :mod:`kano.metrics.definitions`; ``compute_metric`` loads the compiler.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kano.metrics.catalogue import BUILT_IN, Catalogue, built_in_catalogue
    from kano.metrics.compute import compute_metric, compute_metrics
    from kano.metrics.custom import load_custom_metrics
    from kano.metrics.definitions import Layer, Metric
    from kano.metrics.periods import Grain
    from kano.metrics.request import MetricRow, SliceRequest

#: Each public name and the module that defines it.
_HOMES = {
    "BUILT_IN": "kano.metrics.catalogue",
    "Catalogue": "kano.metrics.catalogue",
    "built_in_catalogue": "kano.metrics.catalogue",
    "compute_metric": "kano.metrics.compute",
    "compute_metrics": "kano.metrics.compute",
    "load_custom_metrics": "kano.metrics.custom",
    "Layer": "kano.metrics.definitions",
    "Metric": "kano.metrics.definitions",
    "Grain": "kano.metrics.periods",
    "MetricRow": "kano.metrics.request",
    "SliceRequest": "kano.metrics.request",
}

__all__ = [
    "BUILT_IN",
    "Catalogue",
    "Grain",
    "Layer",
    "Metric",
    "MetricRow",
    "SliceRequest",
    "built_in_catalogue",
    "compute_metric",
    "compute_metrics",
    "load_custom_metrics",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value  # the next look-up does not come here
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
