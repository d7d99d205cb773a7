"""The segment form: what the page's fields say, as the definition the store checks
(:func:`kano.domain.customers.segments.definition_from`), and a refused field of it named
back to the form field it came from, with a message in the reader's language.

A rule is written as condition rows (field / operator / value) joined by "all" or "any".
A value is typed as people write it: a list and the two ends of "between" are separated
by semicolons (a comma is the decimal sign in Russian and Hungarian); "10,000", "10 000"
and "1,5" read as numbers; a region, an industry or a kind may be typed by its label in
the reader's language ("Север") as well as by its key.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kano.adapters.web.attribute_labels import INDUSTRY_LABELS, REGION_LABELS
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.segment_words import KIND_WORDS
from kano.domain.customers.segments import (
    COMPUTED_SOURCES,
    FACT_FIELDS,
    MATRIX_CELLS,
    TEXT_FIELDS,
    VALUE_TIERS,
    rfm_segment_names,
)
from kano.domain.shared.errors import InvalidInput

ROW_FIELDS = (*TEXT_FIELDS, *FACT_FIELDS, "attributes")
SOURCES_OFFERED = ("rule", "rfm", "value_tier", "matrix_cell", "manual")
MIN_ROWS = 3
MAX_ROWS = 20
_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")

MESSAGES = {
    "key": N_("Use lower-case letters, digits, '-' and '_' (at most 64 characters)."),
    "key_taken": N_("Another segment of this workspace has this key."),
    "name": N_("Enter a name of at most 200 characters."),
    "description": N_("Enter at most 1,000 characters."),
    "source": N_("Choose where the members come from."),
    "manual_in_use": N_("Customers are filed under this manual segment: move them to "
                        "another segment first."),
    "parameter": N_("Choose one from the list."),
    "rule": N_("Add at least one condition."),
    "field": N_("Choose a field (for an attribute, also its name)."),
    "op": N_("Choose an operator."),
    "number": N_("Enter a number."),
    "between": N_("Enter two numbers separated by a semicolon, the lower first."),
    "list": N_("Enter one or more values separated by semicolons."),
    "exists": N_("Enter yes or no."),
    "contains": N_("“contains” works on text fields only."),
    "text": N_("Enter a text of 1–200 characters (a kind is account or person)."),
}


@dataclass
class ConditionRow:
    field: str = ""
    attribute: str = ""
    op: str = "eq"
    value: str = ""


@dataclass
class SegmentForm:
    key: str = ""
    name: str = ""
    description: str = ""
    source: str = "rule"
    match: str = "all"
    parameters: dict[str, str] = field(default_factory=dict)  # source → chosen parameter
    rows: list[ConditionRow] = field(default_factory=list)

    def padded(self) -> SegmentForm:
        """The form with empty rows to add conditions in (at least MIN_ROWS, one spare)."""
        wanted = min(max(MIN_ROWS, len(self.rows) + 1), MAX_ROWS)
        self.rows = self.rows + [ConditionRow() for _ in range(wanted - len(self.rows))]
        return self


@dataclass(frozen=True)
class FormProblem:
    field: str  # the form field's id suffix: "name", "row-2-value", "rule"
    message: str  # a catalogue text (translated where shown)


def read_form(form: Mapping[str, Any]) -> SegmentForm:
    def text(name: str) -> str:
        value = form.get(name)
        return value.strip() if isinstance(value, str) else ""

    rows = []
    for index in range(MAX_ROWS):
        row = ConditionRow(text(f"field_{index}"), text(f"attribute_{index}"),
                           text(f"op_{index}") or "eq", text(f"value_{index}"))
        if row.field or row.value or row.attribute:
            rows.append(row)
    return SegmentForm(
        key=text("key"), name=text("name"), description=text("description"),
        source=text("source") or "rule", match="any" if text("match") == "any" else "all",
        parameters={source: text(f"parameter_{source}") for source in COMPUTED_SOURCES},
        rows=rows,
    )  # fmt: skip


def form_of(key: str, name: str, source: str, rule: Mapping[str, Any] | None,
            parameter: str | None, description: str | None) -> SegmentForm:
    """The form of a stored segment (a nested group is not shown as rows: it is kept as
    it is only through the API, so the page edits top-level conditions)."""
    match = "any" if rule and "any" in rule else "all"
    rows = []
    for part in (rule or {}).get(match, []):
        if not isinstance(part, Mapping) or "field" not in part:
            continue
        field_name = str(part["field"])
        attribute = ""
        if field_name.startswith("attributes."):
            field_name, attribute = "attributes", field_name.split(".", 1)[1]
        rows.append(ConditionRow(field_name, attribute, str(part.get("op", "eq")),
                                 _value_text(part.get("value"))))
    return SegmentForm(key, name, description or "", source, match,
                       {source: parameter} if parameter else {}, rows)


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return "; ".join(_value_text(item) for item in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _number(text: str) -> float | int | str:
    cleaned = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    cleaned = cleaned.replace(",", "") if _THOUSANDS.match(cleaned) else cleaned.replace(",", ".")
    try:
        number = float(cleaned)
    except ValueError:
        return text  # the store names the value: "give a number"
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _labels(field_name: str, gettext: Callable[[str], str]) -> dict[str, str]:
    labels = {"region": REGION_LABELS, "industry": INDUSTRY_LABELS,
              "kind": KIND_WORDS}.get(field_name, {})
    found = {}
    for key, label in labels.items():
        found[gettext(label).casefold()] = key
        found[label.casefold()] = key
    return found


def _scalar(field_name: str, text: str, gettext: Callable[[str], str]) -> Any:
    if field_name in FACT_FIELDS:
        return _number(text)
    return _labels(field_name, gettext).get(text.casefold(), text)


def _row_value(row: ConditionRow, field_name: str, gettext: Callable[[str], str]) -> Any:
    parts = [part.strip() for part in row.value.split(";") if part.strip()]
    if row.op == "exists":
        return row.value.casefold() not in ("no", "false", "0", gettext(N_("no")).casefold())
    if row.op in ("in", "not_in"):
        return [_scalar(field_name, part, gettext) for part in parts]
    if row.op == "between":
        return [_number(part) for part in parts]
    if row.op in ("gte", "lte"):
        return _number(row.value)
    return _scalar(field_name, row.value, gettext) if row.value else None


def definition_input(form: SegmentForm, gettext: Callable[[str], str]) -> dict[str, Any]:
    """The form as the JSON-like input of ``definition_from``."""
    raw: dict[str, Any] = {"key": form.key, "name": form.name, "source": form.source,
                           "description": form.description or None}
    if form.source == "rule":
        conditions = []
        for row in form.rows:
            field_name = (f"attributes.{row.attribute}" if row.field == "attributes"
                          else row.field)
            conditions.append({"field": field_name, "op": row.op,
                               "value": _row_value(row, field_name, gettext)})
        raw["rule"] = {form.match: conditions}
    elif form.source in COMPUTED_SOURCES:
        raw["parameter"] = form.parameters.get(form.source) or None
    return raw


def rule_input(form: SegmentForm, gettext: Callable[[str], str]) -> dict[str, Any]:
    """Only the rule (for the live preview)."""
    rule: dict[str, Any] = definition_input(SegmentForm(
        source="rule", match=form.match, rows=form.rows), gettext)["rule"]
    return rule


def problem_of(error: InvalidInput, form: SegmentForm) -> FormProblem:
    """The form field a refused input names, and what to write there."""
    path = error.field.split(".")
    if path[0] != "rule":
        top = path[0] if path[0] in ("key", "name", "description", "source",
                                     "parameter") else "name"
        if top == "source" and "filed under" in str(error):
            return FormProblem("source", MESSAGES["manual_in_use"])
        return FormProblem(top, MESSAGES[top])
    if len(path) < 3 or not path[2].isdigit() or int(path[2]) >= len(form.rows):
        return FormProblem("rule", MESSAGES["rule"])
    index, part = int(path[2]), (path[3] if len(path) > 3 else "field")
    row = form.rows[index]
    if part in ("field", "op"):
        return FormProblem(f"row-{index}-{part}", MESSAGES[part])
    message = {"gte": "number", "lte": "number", "between": "between", "in": "list",
               "not_in": "list", "exists": "exists"}.get(row.op)
    if message is None:
        message = ("contains" if row.op == "contains" and row.field in FACT_FIELDS
                   else "number" if row.field in FACT_FIELDS else "text")
    return FormProblem(f"row-{index}-value", MESSAGES[message])


def parameter_choices() -> dict[str, tuple[str, ...]]:
    return {"rfm": rfm_segment_names(), "value_tier": VALUE_TIERS, "matrix_cell": MATRIX_CELLS}

