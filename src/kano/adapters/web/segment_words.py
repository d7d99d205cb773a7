"""A segment's definition in the reader's words: "Region is North and revenue in the last
12 months ≥ €10,000", "Value tier A: the top 20 % of customers by revenue in the last 12
months". The rule's JSON stays the truth; these are only how the pages read it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kano.adapters.web.attribute_labels import INDUSTRY_LABELS, REGION_LABELS
from kano.adapters.web.formatting import NumberFormats
from kano.adapters.web.labels import vocabulary_filter
from kano.adapters.web.routes.navigation import N_
from kano.domain.customers.segments import TIER_SHARES

SOURCE_LABELS = {
    "rule": N_("Rule"),
    "rfm": N_("RFM segment"),
    "value_tier": N_("Value tier"),
    "matrix_cell": N_("Client-matrix cell"),
    "manual": N_("Manual"),
}
FIELD_LABELS = {
    "kind": N_("Kind"),
    "region": N_("Region"),
    "industry": N_("Industry"),
    "segment": N_("Primary segment"),
    "revenue_12m": N_("revenue in the last 12 months"),
    "margin_12m": N_("margin in the last 12 months"),
    "orders_12m": N_("orders in the last 12 months"),
    "days_since_last_order": N_("days since the last order"),
    "attributes": N_("attribute"),
}
OP_LABELS = {
    "eq": N_("is"),
    "ne": N_("is not"),
    "in": N_("is one of"),
    "not_in": N_("is none of"),
    "gte": "≥",
    "lte": "≤",
    "between": N_("is between"),
    "contains": N_("contains"),
    "exists": N_("is known"),
}
TIER_WORDS = {
    "A": N_("the top %(share)s of customers by revenue in the last 12 months"),
    "B": N_("the next %(share)s of customers by revenue in the last 12 months"),
    "C": N_("the other customers who ordered in the last 12 months"),
}
KIND_WORDS = {"account": N_("Account"), "person": N_("Person")}
KNOWN = {True: N_("is known"), False: N_("is not known")}
JOINERS = {"all": N_("and"), "any": N_("or")}
YES_NO = {True: N_("yes"), False: N_("no")}
MONEY_FIELDS = ("revenue_12m", "margin_12m")


class RuleWords:
    """Writes rules and computed definitions in one language."""

    def __init__(self, gettext: Callable[[str], str], language: str, currency: str,
                 segment_names: Mapping[str, str] | None = None) -> None:
        self.gettext = gettext
        self.formats = NumberFormats(language)
        self.currency = currency
        self.segment_names = segment_names or {}
        self.region = vocabulary_filter(REGION_LABELS, gettext)
        self.industry = vocabulary_filter(INDUSTRY_LABELS, gettext)

    def field(self, field: str) -> str:
        if field.startswith("attributes."):
            return f"{self.gettext(FIELD_LABELS['attributes'])} “{field.split('.', 1)[1]}”"
        return self.gettext(FIELD_LABELS.get(field, field))

    def value(self, field: str, value: Any) -> str:
        if isinstance(value, bool):
            return self.gettext(YES_NO[value])
        if field in MONEY_FIELDS and isinstance(value, int | float):
            return self.formats.money(value, self.currency)
        if isinstance(value, int | float):
            return self.formats.decimal(value, 0 if float(value).is_integer() else 2)
        text = str(value)
        if field == "region":
            return self.region(text)
        if field == "industry":
            return self.industry(text)
        if field == "kind":
            return self.gettext(KIND_WORDS.get(text, text))
        if field == "segment":
            return self.segment_names.get(text, text)
        return f"“{text}”"

    def condition(self, condition: Mapping[str, Any]) -> str:
        field, op, value = condition.get("field", ""), condition.get("op", ""), \
            condition.get("value")
        name = self.field(field)
        if op == "exists":
            return f"{name} {self.gettext(KNOWN[bool(value)])}"
        if op == "between" and isinstance(value, list | tuple) and len(value) == 2:
            return self.gettext(N_("%(field)s is between %(low)s and %(high)s")) % {
                "field": name, "low": self.value(field, value[0]),
                "high": self.value(field, value[1])}
        if op in ("in", "not_in") and isinstance(value, list | tuple):
            shown = ", ".join(self.value(field, item) for item in value)
        else:
            shown = self.value(field, value)
        return f"{name} {self.gettext(OP_LABELS.get(op, op))} {shown}"

    def rule(self, rule: Mapping[str, Any], nested: bool = False) -> str:
        match = "all" if "all" in rule else "any"
        joiner = f" {self.gettext(JOINERS[match])} "
        parts = [self.rule(part, True) if isinstance(part, Mapping) and ("all" in part
                                                                         or "any" in part)
                 else self.condition(part) for part in rule.get(match, [])]
        text = joiner.join(parts)
        return f"({text})" if nested and len(parts) > 1 else text

    def definition(self, source: str, rule: Mapping[str, Any] | None,
                   parameter: str | None) -> str:
        """The whole definition in a sentence (a manual segment: who files customers)."""
        if source == "rule" and rule:
            return self.rule(rule)
        if source == "rfm" and parameter:
            return self.gettext(N_("Customers the RFM analysis calls “%(name)s”")) % {
                "name": self.gettext(parameter)}
        if source == "value_tier" and parameter in TIER_WORDS:
            return self.gettext(N_("Value tier %(tier)s: %(words)s")) % {
                "tier": parameter, "words": self.gettext(TIER_WORDS[parameter]) % {
                    "share": self.formats.percent(TIER_SHARES.get(parameter, 0.0))}}
        if source == "matrix_cell" and parameter and "-" in parameter:
            attractiveness, relationship = parameter.split("-", 1)
            return self.gettext(N_("Accounts in the client-matrix cell attractiveness "
                                   "%(a)s × relationship %(r)s")) % {
                "a": self.gettext(attractiveness), "r": self.gettext(relationship)}
        return self.gettext(N_("Customers filed under this segment on their profile"))
