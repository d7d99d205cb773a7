"""The metrics engine: a catalogue of CX/TX/OX/EX/financial metrics compiled to Ibis.

``compute_metric(backend, metric, by=["month", "segment"], workspace_id=1)`` returns a
list of :class:`MetricRow` (slice keys, value, n, ci_low, ci_high) on DuckDB, PostgreSQL,
SQLite or Spark alike. Metrics are declarative (:class:`Metric`); custom ones come from
YAML through :func:`load_custom_metrics`. Nothing here knows which engine it runs on.
"""

from kano.metrics.catalogue import BUILT_IN, Catalogue, built_in_catalogue
from kano.metrics.compute import compute_metric, compute_metrics
from kano.metrics.custom import load_custom_metrics
from kano.metrics.definitions import Layer, Metric
from kano.metrics.periods import Grain
from kano.metrics.request import MetricRow, SliceRequest

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
