"""Custom metrics from YAML: the same definitions as the built-ins, written by users.

Example (one file may hold many)::

    metrics:
      - id: big_order_share
        name: {en: Big orders, ru: Крупные заказы, hu: Nagy rendelések}
        layer: TX                   # CX | TX | OX | EX | financial
        unit: "%"
        direction: higher           # higher | lower
        format: ".1f"               # Python format spec for the value
        description: Orders above 1,000.   # or {en: …, ru: …, hu: …}, like name
        source: transactions        # responses | transactions | payments | process_events | pulses
        aggregate: share            # count | count_distinct | sum | mean | percentile | share
                                    # | ratio | net_score
        condition: amount > 1000    # share: the condition counted
        filter: channel = 'web'     # optional: rows the metric looks at

``value`` (sum, mean, percentile, count_distinct, net_score), ``percentile`` (0–100,
exclusive), ``numerator``/``denominator`` (ratio: each ``{aggregate: count | count_distinct
| sum, value, where}``) and ``scale`` (ratio; 100 for a percentage) complete the rest.
Expressions use :mod:`kano.metrics.expressions` — never ``eval`` — and are checked
against the source's columns and reachable dimensions at load time, so a typo is
reported with its field and line (``metrics[0].condition (line 9): unknown name …``).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import ibis

from kano.domain.shared.errors import InvalidInput
from kano.domain.strategy.scoring import Direction
from kano.metrics.aggregations.base import Aggregation
from kano.metrics.aggregations.simple import (
    Count,
    CountDistinct,
    Mean,
    NetScore,
    Part,
    Percentile,
    Ratio,
    Share,
    Total,
)
from kano.metrics.definitions import LANGUAGES, Layer, Metric
from kano.metrics.expression_ibis import compile_text
from kano.metrics.expressions import ExpressionError
from kano.metrics.star import ATTRIBUTE_TYPES, reachable_attributes
from kano.metrics.warehouse_schema import FACT_TABLES, TABLES_BY_NAME
from kano.metrics.yaml_lines import LinedYaml, Path, load_lined

AGGREGATES = ("count", "count_distinct", "sum", "mean", "percentile", "share", "ratio", "net_score")
PART_AGGREGATES = ("count", "count_distinct", "sum")
COMMON_FIELDS = {
    "id",
    "name",
    "layer",
    "unit",
    "direction",
    "format",
    "description",
    "source",
    "aggregate",
    "filter",
}
FIELDS_OF = {
    "count": set(),
    "count_distinct": {"value"},
    "sum": {"value"},
    "mean": {"value"},
    "net_score": {"value"},
    "percentile": {"value", "percentile"},
    "share": {"condition"},
    "ratio": {"numerator", "denominator", "scale"},
}
SOURCES = tuple(table.name for table in FACT_TABLES)


def load_custom_metrics(yaml_text: str) -> list[Metric]:
    """Every metric of a YAML document, or :class:`InvalidInput` naming field and line."""
    document = load_lined(yaml_text)
    data = document.data
    root: Path = ()
    if isinstance(data, dict):
        unknown = set(data) - {"metrics"}
        if unknown:
            raise document.error((sorted(unknown)[0],), "unknown field; expected 'metrics'")
        data, root = data.get("metrics"), ("metrics",)
    if not isinstance(data, list):
        raise document.error(root, "expected a list of metric definitions")
    metrics: list[Metric] = []
    seen: set[str] = set()
    for index, entry in enumerate(data):
        metric = _metric(document, (*root, index), entry)
        if metric.id in seen:
            raise document.error((*root, index, "id"), f"metric {metric.id!r} is defined twice")
        seen.add(metric.id)
        metrics.append(metric)
    return metrics


def _metric(document: LinedYaml, path: Path, entry: Any) -> Metric:
    if not isinstance(entry, dict):
        raise document.error(path, "expected a mapping with id, source, aggregate …")

    def text(name: str, required: bool = True, default: str = "") -> str:
        value = entry.get(name)
        if value is None:
            if required:
                raise document.error((*path, name), "is required")
            return default
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise document.error((*path, name), "must be text")
        return str(value)

    aggregate = text("aggregate")
    if aggregate not in AGGREGATES:
        raise document.error((*path, "aggregate"), f"choose one of {', '.join(AGGREGATES)}")
    unknown = set(entry) - COMMON_FIELDS - FIELDS_OF[aggregate]
    if unknown:
        field = sorted(unknown)[0]
        raise document.error((*path, field), f"not a field of a {aggregate} metric")
    source = text("source")
    if source not in SOURCES:
        raise document.error((*path, "source"), f"choose one of {', '.join(SOURCES)}")
    layer = _choice(document, path, "layer", text("layer"), [layer.value for layer in Layer])
    direction = _choice(document, path, "direction", text("direction"), ["higher", "lower"])
    number_format = text("format", required=False, default=".2f")
    try:
        format(1.5, number_format)
    except ValueError as error:
        raise document.error((*path, "format"), f"not a format spec: {error}") from error
    aggregation = _aggregation(document, path, entry, aggregate, text)
    filter_text = text("filter", required=False) or None
    metric_id = text("id")
    descriptions = _descriptions(document, path, entry.get("description"))
    try:
        metric = Metric(
            id=metric_id,
            names=_names(document, path, entry.get("name"), metric_id),
            layer=Layer(layer),
            unit=text("unit", required=False),
            direction=Direction(direction),
            format=number_format,
            descriptions=descriptions,
            source=source,
            aggregation=aggregation,
            filter=filter_text,
            custom=True,
        )
    except InvalidInput as error:
        raise document.error((*path, error.field), error.message) from error
    _check_expressions(document, path, metric, entry)
    return metric


def _choice(document: LinedYaml, path: Path, name: str, value: str, options: list[str]) -> str:
    if value not in options:
        raise document.error((*path, name), f"{value!r}: choose one of {', '.join(options)}")
    return value


def _names(document: LinedYaml, path: Path, value: Any, metric_id: str) -> dict[str, str]:
    """A plain name serves every language; a mapping may leave ru/hu to English."""
    if value is None:
        return dict.fromkeys(LANGUAGES, metric_id)
    if isinstance(value, str):
        return dict.fromkeys(LANGUAGES, value)
    if not isinstance(value, dict) or not isinstance(value.get("en"), str):
        raise document.error((*path, "name"), "give a text or a mapping with at least en")
    extra = set(value) - set(LANGUAGES)
    if extra:
        raise document.error((*path, "name", sorted(extra)[0]), "languages are en, ru, hu")
    return {lang: str(value.get(lang) or value["en"]) for lang in LANGUAGES}


def _descriptions(document: LinedYaml, path: Path, value: Any) -> dict[str, str]:
    """Like a name: a plain text serves every language; a mapping may leave ru/hu to
    English. No description at all is allowed (then it is empty)."""
    if value is None:
        return dict.fromkeys(LANGUAGES, "")
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return dict.fromkeys(LANGUAGES, str(value))
    if not isinstance(value, dict) or not isinstance(value.get("en"), str):
        raise document.error((*path, "description"), "give a text or a mapping with at least en")
    extra = set(value) - set(LANGUAGES)
    if extra:
        raise document.error((*path, "description", sorted(extra)[0]), "languages are en, ru, hu")
    if not all(text is None or isinstance(text, str) for text in value.values()):
        raise document.error((*path, "description"), "each language's description is a text")
    return {lang: str(value.get(lang) or value["en"]) for lang in LANGUAGES}


def _aggregation(
    document: LinedYaml, path: Path, entry: dict[str, Any], aggregate: str, text: Any
) -> Aggregation:
    if aggregate == "count":
        return Count()
    if aggregate == "count_distinct":
        return CountDistinct(text("value"))
    if aggregate == "sum":
        return Total(text("value"))
    if aggregate == "mean":
        return Mean(text("value"))
    if aggregate == "net_score":
        return NetScore(text("value"))
    if aggregate == "share":
        return Share(text("condition"))
    if aggregate == "percentile":
        raw = entry.get("percentile")
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0 < raw < 100:
            raise document.error((*path, "percentile"), "give a number between 0 and 100")
        return Percentile(text("value"), Fraction(str(raw)))
    scale = entry.get("scale", 1)
    if isinstance(scale, bool) or not isinstance(scale, int | float) or scale == 0:
        raise document.error((*path, "scale"), "give a non-zero number (100 for a percentage)")
    parts = [
        _part(document, (*path, side), entry.get(side)) for side in ("numerator", "denominator")
    ]
    return Ratio(parts[0], parts[1], float(scale))


def _part(document: LinedYaml, path: Path, value: Any) -> Part:
    if not isinstance(value, dict):
        raise document.error(path, "is required: {aggregate: count | count_distinct | sum, …}")
    unknown = set(value) - {"aggregate", "value", "where"}
    if unknown:
        raise document.error((*path, sorted(unknown)[0]), "fields are aggregate, value, where")
    kind = value.get("aggregate")
    if kind not in PART_AGGREGATES:
        raise document.error((*path, "aggregate"), f"choose one of {', '.join(PART_AGGREGATES)}")
    if kind != "count" and not isinstance(value.get("value"), str):
        raise document.error((*path, "value"), f"is required for {kind}")
    where = value.get("where")
    if where is not None and not isinstance(where, str):
        raise document.error((*path, "where"), "must be a condition")
    return Part(kind, value.get("value"), where)


def _check_expressions(
    document: LinedYaml, path: Path, metric: Metric, entry: dict[str, Any]
) -> None:
    """Compile each expression against an unbound table of the source's reachable columns."""
    source = TABLES_BY_NAME[metric.source]
    schema = dict(ibis.Schema.from_pyarrow(source.schema).items())
    for name in reachable_attributes(source.column_names):
        schema[name] = ibis.dtype(ATTRIBUTE_TYPES[name])
    table = ibis.table(schema, name=metric.source)
    checks: list[tuple[Path, str]] = []
    for field in ("value", "condition", "filter"):
        if isinstance(entry.get(field), str):
            checks.append(((*path, field), entry[field]))
    for side in ("numerator", "denominator"):
        part = entry.get(side) or {}
        for field in ("value", "where"):
            if isinstance(part.get(field), str):
                checks.append(((*path, side, field), part[field]))
    for where, expression in checks:
        try:
            value = compile_text(expression, table)
        except ExpressionError as error:
            raise document.error(where, str(error)) from error
        kind = value.type()
        if where[-1] in {"condition", "filter", "where"}:
            if not kind.is_boolean():
                raise document.error(where, f"{expression!r} is not a condition (true/false)")
        elif not kind.is_numeric() and not _counts_distinct(entry, where):
            raise document.error(where, f"{expression!r} is not a number")


def _counts_distinct(entry: dict[str, Any], where: Path) -> bool:
    """Whether the value at ``where`` is counted distinct (any type is fine then)."""
    owner = entry.get(str(where[-2])) if where[-2] in {"numerator", "denominator"} else entry
    return isinstance(owner, dict) and owner.get("aggregate") == "count_distinct"
