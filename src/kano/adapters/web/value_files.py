"""The customer-value tables as files a marketing lead hands on without editing them.

Each analysis's rows become titled columns in the reader's language: the customer's
external id and name (not Kano's internal id), RFM segments, matrix levels, strategies and
churn reasons by their names, the workspace's segments by the names it gave them. Money
reads to the cent and probabilities as percentages with one decimal: in CSV as written
numbers ("1234.50", "12.3"; the header says "(EUR)" or "(%)"), in XLSX as numbers with a
number format, so a sum in the sheet is a sum of what is shown. The REST API
(``/api/v1/value/…``) keeps the analyses' machine rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from kano.adapters.exports.table_files import Line
from kano.adapters.web.churn_reasons import churn_reasons
from kano.adapters.web.formatting import NumberFormats

Record = Mapping[str, Any]
Translate = Callable[[str], str]
MONEY_FORMAT = "#,##0.00"
SHARE_FORMAT = "0.0%"
SHARES = ("conversion", "margin")  # the profit levers that are shares, the others not
MONEY_LEVERS = ("value_per_period", "costs")


@dataclass(frozen=True)
class Column:
    """One column of a file: its title, how to read its value from a row, and its kind
    (``text``, ``money``, ``share``, or ``digits:N`` for a number to N decimals)."""

    title: str
    value: Callable[[Record], Any]
    kind: str = "text"


@dataclass(frozen=True)
class Reader:
    """What a file needs of its reader and workspace to name things."""

    gettext: Translate
    language: str
    currency: str
    customers: Mapping[int, tuple[str, str]]  # id → (external id, name)
    segments: Mapping[str, str]  # the workspace's segment key → name


def _rounded(value: float, digits: int) -> Decimal:
    """``value`` to ``digits`` decimals, halves up (as the pages round), never "-0.00"."""
    step = Decimal(1).scaleb(-digits)
    rounded = Decimal(repr(float(value))).quantize(step, rounding=ROUND_HALF_UP)
    return rounded if rounded != 0 else abs(rounded)


def csv_value(kind: str, value: Any) -> Any:
    """A value as the CSV writes it: money to the cent, a share as a percentage to one
    decimal, numbers to their decimals."""
    if value is None or kind == "text":
        return value
    if kind == "money":
        return _rounded(value, 2)
    if kind == "share":
        return _rounded(100 * float(value), 1)
    return _rounded(value, int(kind.partition(":")[2]))


def xlsx_value(kind: str, value: Any) -> tuple[Any, str | None]:
    """A value and its number format as the XLSX stores them (rounded as shown, so a sum
    in the sheet is a sum of the figures one sees)."""
    if value is None or kind == "text":
        return value, None
    if kind == "money":
        return round(float(value), 2), MONEY_FORMAT
    if kind == "share":
        return round(float(value), 3), SHARE_FORMAT
    digits = int(kind.partition(":")[2])
    number = round(float(value), digits)
    return (int(number) if digits == 0 else number), "0" + ("." + "0" * digits if digits else "")


def lines(columns: Sequence[Column], rows: Sequence[Record], csv: bool) -> list[Line]:
    """The rows as lines of a CSV (``csv``) or an XLSX file."""
    found = []
    for row in rows:
        values: list[Any] = []
        formats: list[str | None] = []
        for column in columns:
            value = column.value(row)
            if csv:
                values.append(csv_value(column.kind, value))
            else:
                stored, number_format = xlsx_value(column.kind, value)
                values.append(stored)
                formats.append(number_format)
        found.append(Line(values, formats))
    return found


def _customer(reader: Reader) -> list[Column]:
    _ = reader.gettext

    def card(row: Record) -> tuple[str, str] | tuple[None, None]:
        return reader.customers.get(int(row["customer_id"]), (None, None))

    return [Column(_("Customer ID"), lambda row: card(row)[0] or str(row["customer_id"])),
            Column(_("Customer"), lambda row: card(row)[1])]


def _money(reader: Reader, title: str) -> str:
    return f"{title} ({reader.currency})"


def rfm_columns(reader: Reader) -> list[Column]:
    _ = reader.gettext
    word = reader.gettext  # a word the analysis returns (not a msgid here)
    return [*_customer(reader),
            Column(_("RFM segment"), lambda row: word(row["segment"])),
            Column("R", lambda row: row["r"], "digits:0"),
            Column("F", lambda row: row["f"], "digits:0"),
            Column("M", lambda row: row["m"], "digits:0"),
            Column(_("Days since last order"), lambda row: row["recency_days"], "digits:0"),
            Column(_("Orders"), lambda row: row["frequency"], "digits:0"),
            Column(_money(reader, _("Revenue")), lambda row: row["monetary"], "money")]


def matrix_columns(reader: Reader) -> list[Column]:
    _ = reader.gettext
    word = reader.gettext  # a word the analysis returns (not a msgid here)
    return [*_customer(reader),
            Column(_("Attractiveness"), lambda row: word(row["attractiveness_level"])),
            Column(_("Attractiveness score"), lambda row: row["attractiveness"], "digits:2"),
            Column(_("Relationship"), lambda row: word(row["relationship_level"])),
            Column(_("Relationship score"), lambda row: row["relationship"], "digits:2"),
            Column(_("Strategy"), lambda row: word(row["strategy"])),
            Column(_money(reader, _("Revenue, last 365 days")), lambda row: row["revenue_365d"],
                   "money")]


def clv_columns(reader: Reader) -> list[Column]:
    _ = reader.gettext
    return [*_customer(reader),
            Column(_("Segment"), lambda row: reader.segments.get(row["segment"], row["segment"])
                   if row["segment"] else None),
            Column(_("Repeat purchases"), lambda row: row["frequency"], "digits:0"),
            Column(_("Weeks from first to last purchase"), lambda row: row["recency"],
                   "digits:1"),
            Column(_("Weeks since first purchase"), lambda row: row["T"], "digits:1"),
            Column(_money(reader, _("Average repeat purchase")), lambda row: row["monetary"],
                   "money"),
            Column(f"{_('Probability alive')} (%)", lambda row: row["p_alive"], "share"),
            Column(_("Expected purchases"), lambda row: row["expected_purchases"], "digits:1"),
            Column(_money(reader, _("Expected spend per purchase")),
                   lambda row: row["expected_spend"], "money"),
            Column(_money(reader, "CLV"), lambda row: row["clv"], "money")]


def churn_columns(reader: Reader) -> list[Column]:
    _ = reader.gettext
    word = reader.gettext  # a word the analysis returns (not a msgid here)
    numbers = NumberFormats(reader.language)

    def reasons(row: Record) -> str:  # as the churn page says them
        added = _("+%(points)s pp")
        return "; ".join(
            f"{word(r.feature)} ({added % {'points': numbers.decimal(r.points, r.digits)}})"
            for r in churn_reasons(row["reasons"]))

    return [*_customer(reader),
            Column(f"{_('Churn risk')} (%)", lambda row: row["churn_risk"], "share"),
            Column(_("Top reasons"), reasons)]


def profit_lines(
    reader: Reader, levers: Sequence[Record], csv: bool
) -> tuple[list[str], list[Line]]:
    """The profit levers: each in its own unit (a share, money, a count, periods), which a
    column says, then its contribution to the change in money."""
    _ = reader.gettext
    word = reader.gettext  # a word the analysis returns (not a msgid here)
    header = [_("Lever"), _("Unit"), _("Before"), _("After"),
              _money(reader, _("Contribution to the change"))]
    found = []
    for lever in levers:
        key = lever["lever"]
        kind = ("share" if key in SHARES else "money" if key in MONEY_LEVERS
                else "digits:2" if key == "lifetime" else "digits:0")
        unit = "%" if kind == "share" else reader.currency if kind == "money" else ""
        if csv:
            values = [word(lever["label"]), unit, csv_value(kind, lever["before"]),
                      csv_value(kind, lever["after"]), csv_value("money", lever["contribution"])]
            found.append(Line(values))
            continue
        before, after = xlsx_value(kind, lever["before"]), xlsx_value(kind, lever["after"])
        change = xlsx_value("money", lever["contribution"])
        found.append(Line([word(lever["label"]), unit, before[0], after[0], change[0]],
                          [None, None, before[1], after[1], change[1]]))
    return header, found


COLUMNS: dict[str, Callable[[Reader], list[Column]]] = {
    "rfm": rfm_columns, "matrix": matrix_columns, "clv": clv_columns, "churn": churn_columns,
}


def value_table(analysis: str, reader: Reader, rows: Sequence[Record], csv: bool
                ) -> tuple[list[str], list[Line]]:
    """The header and lines of one analysis's file."""
    if analysis == "profit":
        return profit_lines(reader, rows, csv)
    columns = COLUMNS[analysis](reader)
    return [column.title for column in columns], lines(columns, rows, csv)
