"""The metric catalogue of one workspace: the built-in metrics plus its custom ones.

Custom metrics are stored as the strategy file writes them (``custom_metrics.definition``
holds one metric's YAML mapping) and parsed afresh by the custom-metric parser on every
call, so nothing outlives the session and an import is seen at once. This module also
says whether a binding — a metric id and a slice — fits a catalogue, for the strategy
import and the REST API alike.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.orm import CustomMetricRow
from kano.domain.shared.errors import InvalidInput

# ``kano.metrics`` is imported where it is used: it brings in Ibis (seconds), which every
# ``kano`` command would otherwise pay through ``kano strategy``'s imports.
if TYPE_CHECKING:
    from kano.metrics import Catalogue, Metric

LIST_HINT = "see `kano metrics list`"

_LINE_SUFFIX = re.compile(r" \(line \d+\)$")
_ENTRY_PREFIX = re.compile(r"^metrics\[0\]\.?")


@cache
def built_in_ids() -> frozenset[str]:
    from kano.metrics import BUILT_IN

    return frozenset(metric.id for metric in BUILT_IN)


def parse_definition(definition: Mapping[str, Any]) -> Metric:
    """One metric from its YAML mapping, checked by :func:`load_custom_metrics`.

    An :class:`InvalidInput` names the field inside the mapping (``numerator.where``;
    empty for the mapping itself), so callers can point at their own line numbers.
    """
    # The parser reads YAML text; the mapping is written back as YAML (a lossless round
    # trip for the values YAML and JSON hold) rather than reaching into its internals.
    from kano.metrics import load_custom_metrics

    text = yaml.safe_dump({"metrics": [dict(definition)]}, sort_keys=False, allow_unicode=True)
    try:
        (metric,) = load_custom_metrics(text)
    except InvalidInput as error:
        field = _ENTRY_PREFIX.sub("", _LINE_SUFFIX.sub("", error.field), count=1)
        raise InvalidInput(field, error.message) from None
    return metric


def stored_definitions(session: Session, workspace_id: int) -> list[CustomMetricRow]:
    """The workspace's custom metric rows in file order."""
    return list(
        session.scalars(
            select(CustomMetricRow)
            .where(CustomMetricRow.workspace_id == workspace_id)
            .order_by(CustomMetricRow.position, CustomMetricRow.key)
        )
    )


def workspace_catalogue(session: Session, workspace_id: int) -> Catalogue:
    """Built-in metrics and the workspace's stored custom metrics (parsed afresh).

    A stored definition that no longer parses, or whose id a newer Kano gave to a
    built-in metric, is an :class:`InvalidInput` naming the custom metric.
    """
    from kano.metrics import Catalogue

    custom: list[Metric] = []
    for row in stored_definitions(session, workspace_id):
        where = f"custom metric '{row.key}'"
        if row.key in built_in_ids():
            raise InvalidInput(where, "is now a built-in metric; rename it in the strategy file")
        try:
            custom.append(parse_definition(row.definition))
        except InvalidInput as error:
            field = f"{where} {error.field}" if error.field else where
            raise InvalidInput(field, f"{error.message} (fix it in the strategy file)") from None
    return Catalogue(custom)


def binding_problems(
    catalogue: Catalogue, metric_id: str, metric_slice: Mapping[str, Any] | None
) -> list[tuple[str, str]]:
    """(field inside the binding, message) for every problem of a binding: an unknown
    ``id``, or a ``slice.KEY`` the metric's source cannot be sliced by or a value that is
    not a value or list of values. Slice keys are checked against the columns and
    dimensions reachable from the metric's source table — a cheap plausibility check; the
    warehouse has the last word when the binding is computed."""
    from kano.metrics.binding import MetricBinding
    from kano.metrics.star import slice_names
    from kano.metrics.warehouse_schema import warehouse_table

    if metric_id not in catalogue:
        return [("id", f"unknown metric {metric_id!r}; {LIST_HINT}")]
    names = slice_names(warehouse_table(catalogue.get(metric_id).source).column_names)
    problems = []
    for key, value in (metric_slice or {}).items():
        if key not in names:
            choices = ", ".join(sorted(names))
            message = f"metric {metric_id!r} cannot be sliced by {key!r}; choose from {choices}"
            problems.append((f"slice.{key}", message))
            continue
        try:
            MetricBinding.of(metric_id, {key: value})
        except InvalidInput as error:
            problems.append((f"slice.{key}", error.message))
    return problems


def require_known_binding(
    session: Session, workspace_id: int, metric_id: str, metric_slice: Mapping[str, Any] | None
) -> None:
    """:class:`InvalidInput` naming ``metric.id`` (or ``metric.slice.KEY``) when the
    binding does not fit the workspace's catalogue."""
    from kano.metrics import Catalogue

    # A built-in needs no custom metric parsed (nor fails on one stored long ago).
    built_in = metric_id in built_in_ids()
    catalogue = Catalogue() if built_in else workspace_catalogue(session, workspace_id)
    problems = binding_problems(catalogue, metric_id, metric_slice)
    if problems:
        field, message = problems[0]
        raise InvalidInput(f"metric.{field}", message)
