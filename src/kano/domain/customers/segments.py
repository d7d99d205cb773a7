"""Segment definitions: a hand-kept label, a rule over customer facts, or a computed group.

Sources:

- ``manual``: customers are put in by hand (``customers.segment_id``).
- ``rule``: customers whose facts match a filter, written in JSON (or YAML)::

      {"all": [{"field": "kind", "op": "eq", "value": "account"},
               {"field": "days_since_last_order", "op": "gte", "value": 90}]}

  ``all`` needs every condition, ``any`` one of them; a condition may itself be an
  ``all``/``any`` group. Fields: ``kind``, ``region``, ``industry``, ``segment`` (the key of
  the customer's manual business segment), ``attributes.<name>`` and the behaviour facts
  ``revenue_12m``, ``margin_12m``, ``orders_12m`` (orders in the 12 months to the
  refresh, from the same moment a year earlier: the numbers the customer list shows) and
  ``days_since_last_order`` (a customer who never ordered has none: only
  ``exists`` false matches). Operators: eq, ne, in, not_in, gte, lte, between,
  contains (text contains, case-insensitive), exists.
- ``rfm``: the customers the RFM analysis names ``parameter`` (e.g. ``Champions``).
- ``value_tier``: ``A`` the top 20 % of customers by revenue in the last 12 months, ``B``
  the next 30 %, ``C`` the rest who ordered (ties stay together, in the higher tier).
- ``matrix_cell``: the accounts the client-matrix analysis places in cell ``parameter``,
  written ``<attractiveness>-<relationship>`` (``high-low``: attractive, weak relationship).

Every problem is an :class:`InvalidInput` naming the field, down to ``rule.all.1.value``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kano.analytics.value.matrix_levels import LEVELS
from kano.domain.shared.errors import InvalidInput

SOURCES = ("manual", "rule", "rfm", "value_tier", "matrix_cell")
COMPUTED_SOURCES = ("rfm", "value_tier", "matrix_cell")
VALUE_TIERS = ("A", "B", "C")
#: Shares of the ranked customers in tiers A and B (C is the rest).
TIER_SHARES = {"A": 0.2, "B": 0.3}
MATRIX_CELLS = tuple(f"{a}-{r}" for a in LEVELS for r in LEVELS)

TEXT_FIELDS = ("kind", "region", "industry", "segment")
FACT_FIELDS = ("revenue_12m", "margin_12m", "orders_12m", "days_since_last_order")
OPS = ("eq", "ne", "in", "not_in", "gte", "lte", "between", "contains", "exists")
CUSTOMER_KINDS = ("account", "person")
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
ATTRIBUTE_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_ .-]{0,63}$")
MAX_CONDITIONS = 50
MAX_DEPTH = 4
Scalar = str | int | float | bool


def rfm_segment_names() -> tuple[str, ...]:
    """The names the RFM analysis gives (its default rules, then its catch-all)."""
    # Imported here: the RFM module loads numpy, which validating a rule does not need.
    from kano.analytics.value.rfm import DEFAULT_SEGMENTS, UNASSIGNED

    return (*(rule.name for rule in DEFAULT_SEGMENTS), UNASSIGNED)


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: Any = None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"field": self.field, "op": self.op}
        data["value"] = list(self.value) if isinstance(self.value, tuple) else self.value
        return data


@dataclass(frozen=True)
class Rule:
    """``match`` is ``all`` or ``any``; each part is a :class:`Condition` or a Rule."""

    match: str
    parts: tuple[Condition | Rule, ...]

    def as_json(self) -> dict[str, Any]:
        return {self.match: [part.as_json() for part in self.parts]}

    def fields(self) -> set[str]:
        found: set[str] = set()
        for part in self.parts:
            found |= part.fields() if isinstance(part, Rule) else {part.field}
        return found


@dataclass(frozen=True)
class SegmentDefinition:
    key: str
    name: str
    source: str = "manual"
    rule: Rule | None = None
    parameter: str | None = None
    description: str | None = None

    @property
    def kind(self) -> str:
        """The coarse kind older screens show: manual, rule or computed."""
        return "computed" if self.source in COMPUTED_SOURCES else self.source

    def stored_rule(self) -> dict[str, Any] | None:
        """What the ``rule`` column holds: the filter, or the computed parameter."""
        if self.rule is not None:
            return self.rule.as_json()
        if self.parameter is not None:
            return {"parameter": self.parameter}
        return None


def definition_from(raw: Mapping[str, Any]) -> SegmentDefinition:
    """A checked definition from JSON-like input (API body, YAML, form)."""
    if not isinstance(raw, Mapping):
        raise InvalidInput("segment", "give an object with key, name and source")
    unknown = sorted(set(raw) - {"key", "name", "source", "rule", "parameter", "description"})
    if unknown:
        raise InvalidInput(unknown[0], "is not a field of a segment")
    key = _text(raw.get("key"), "key", 64)
    if not KEY_PATTERN.match(key):
        raise InvalidInput("key", "use lower-case letters, digits, '-' and '_' (at most 64)")
    name = _text(raw.get("name"), "name", 200)
    source = raw.get("source", "manual")
    if source not in SOURCES:
        raise InvalidInput("source", f"choose one of {', '.join(SOURCES)}")
    description = raw.get("description")
    if description is not None:
        description = _text(description, "description", 1000, allow_empty=True) or None
    rule = raw.get("rule")
    parameter = raw.get("parameter")
    if source == "rule":
        if rule is None:
            raise InvalidInput("rule", "a rule segment needs a rule")
        if parameter is not None:
            raise InvalidInput("parameter", "only computed segments take a parameter")
        return SegmentDefinition(key, name, source, parse_rule(rule), None, description)
    if rule is not None:
        raise InvalidInput("rule", f"a {source} segment takes no rule")
    if source == "manual":
        if parameter is not None:
            raise InvalidInput("parameter", "only computed segments take a parameter")
        return SegmentDefinition(key, name, source, None, None, description)
    return SegmentDefinition(key, name, source, None, check_parameter(source, parameter),
                             description)  # fmt: skip


def check_parameter(source: str, parameter: object) -> str:
    """The parameter of a computed source, checked against what the analysis produces."""
    choices = {
        "rfm": rfm_segment_names,
        "value_tier": lambda: VALUE_TIERS,
        "matrix_cell": lambda: MATRIX_CELLS,
    }[source]()
    if not isinstance(parameter, str) or parameter not in choices:
        raise InvalidInput("parameter", f"for {source}, choose one of {', '.join(choices)}")
    return parameter


def parse_rule(raw: object, path: str = "rule", depth: int = 0) -> Rule:
    """A rule from its JSON form; errors name the path (``rule.all.1.value``)."""
    if not isinstance(raw, Mapping) or len(raw) != 1 or next(iter(raw)) not in ("all", "any"):
        raise InvalidInput(path, 'write {"all": [conditions]} or {"any": [conditions]}')
    match = next(iter(raw))
    items = raw[match]
    where = f"{path}.{match}"
    if not isinstance(items, list) or not items:
        raise InvalidInput(where, "give a non-empty list of conditions")
    if len(items) > MAX_CONDITIONS:
        raise InvalidInput(where, f"at most {MAX_CONDITIONS} conditions")
    parts: list[Condition | Rule] = []
    for index, item in enumerate(items):
        at = f"{where}.{index}"
        if isinstance(item, Mapping) and set(item) & {"all", "any"}:
            if depth + 1 >= MAX_DEPTH:
                raise InvalidInput(at, f"groups nest at most {MAX_DEPTH} deep")
            parts.append(parse_rule(item, at, depth + 1))
        else:
            parts.append(parse_condition(item, at))
    return Rule(match, tuple(parts))


def parse_condition(raw: object, path: str) -> Condition:
    if not isinstance(raw, Mapping):
        raise InvalidInput(path, "give field, op and value")
    unknown = sorted(set(raw) - {"field", "op", "value"})
    if unknown:
        raise InvalidInput(f"{path}.{unknown[0]}", "is not part of a condition")
    field = raw.get("field")
    if not isinstance(field, str) or not _known_field(field):
        raise InvalidInput(
            f"{path}.field",
            f"choose one of {', '.join(TEXT_FIELDS + FACT_FIELDS)} or attributes.<name>",
        )
    op = raw.get("op")
    if op not in OPS:
        raise InvalidInput(f"{path}.op", f"choose one of {', '.join(OPS)}")
    value = _checked_value(field, op, raw.get("value"), f"{path}.value")
    return Condition(field, op, value)


def _known_field(field: str) -> bool:
    if field in TEXT_FIELDS or field in FACT_FIELDS:
        return True
    prefix, _dot, name = field.partition(".")
    return prefix == "attributes" and bool(ATTRIBUTE_PATTERN.match(name))


def _checked_value(field: str, op: str, value: object, path: str) -> Any:
    numeric = field in FACT_FIELDS
    if op == "exists":
        if not isinstance(value, bool):
            raise InvalidInput(path, "exists takes true or false")
        return value
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            raise InvalidInput(path, f"{op} takes a non-empty list")
        if len(value) > 500:
            raise InvalidInput(path, "at most 500 values")
        return tuple(_scalar(field, v, f"{path}.{i}", numeric) for i, v in enumerate(value))
    if op == "between":
        if not isinstance(value, list) or len(value) != 2:
            raise InvalidInput(path, "between takes [low, high]")
        low, high = (_number(v, f"{path}.{i}") for i, v in enumerate(value))
        if low > high:
            raise InvalidInput(path, "low must not be above high")
        return (low, high)
    if op in ("gte", "lte"):
        return _number(value, path)
    if op == "contains":
        if numeric:
            raise InvalidInput(path, f"contains needs a text field, not {field}")
        if not isinstance(value, str) or not value:
            raise InvalidInput(path, "contains takes a non-empty text")
        return value
    return _scalar(field, value, path, numeric)  # eq, ne


def _scalar(field: str, value: object, path: str, numeric: bool) -> Scalar:
    if numeric:
        return _number(value, path)
    if field.startswith("attributes.") and isinstance(value, bool | int | float):
        return value
    if not isinstance(value, str) or not value or len(value) > 200:
        raise InvalidInput(path, "give a text of 1–200 characters")
    if field == "kind" and value not in CUSTOMER_KINDS:
        raise InvalidInput(path, f"choose one of {', '.join(CUSTOMER_KINDS)}")
    return value


def _number(value: object, path: str) -> float | int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise InvalidInput(path, "give a number")
    if abs(value) > 1e15:
        raise InvalidInput(path, "is too large")
    return value


def _text(value: object, field: str, limit: int, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise InvalidInput(field, "give a text")
    text = value.strip()
    if (not text and not allow_empty) or len(text) > limit:
        raise InvalidInput(field, f"give 1–{limit} characters")
    return text
