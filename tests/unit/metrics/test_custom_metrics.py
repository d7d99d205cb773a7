"""Custom metrics in YAML: valid files become metrics; mistakes name the field and line."""

from __future__ import annotations

from fractions import Fraction
from textwrap import dedent

import pytest

from kano.domain.shared.errors import InvalidInput
from kano.metrics import Catalogue, Layer, load_custom_metrics
from kano.metrics.aggregations.simple import Percentile, Ratio, Share

VALID = dedent(
    """\
    metrics:
      - id: big_order_share
        name: {en: Big orders, ru: Крупные заказы}
        layer: TX
        unit: "%"
        direction: higher
        format: ".1f"
        source: transactions
        aggregate: share
        condition: amount > 1000 and segment = 'smb'
      - id: web_margin
        layer: financial
        direction: higher
        source: transactions
        aggregate: ratio
        numerator: {aggregate: sum, value: margin, where: "channel = 'web'"}
        denominator: {aggregate: count_distinct, value: customer_id}
        scale: 100
      - id: slow_p995
        layer: OX
        direction: lower
        source: process_events
        aggregate: percentile
        value: value
        percentile: 99.5
        filter: measure = 'first_response_minutes' and stage = 'support'
    """
)


def test_a_valid_file_gives_metrics_like_the_built_ins() -> None:
    share, margin, slow = load_custom_metrics(VALID)
    assert share.names == {"en": "Big orders", "ru": "Крупные заказы", "hu": "Big orders"}
    assert share.layer is Layer.TX and share.custom
    assert share.aggregation == Share("amount > 1000 and segment = 'smb'")
    assert isinstance(margin.aggregation, Ratio) and margin.aggregation.scale == 100.0
    assert margin.names["en"] == "web_margin", "the id names a metric without a name"
    assert slow.aggregation == Percentile("value", Fraction(199, 2))
    assert len(Catalogue([share, margin, slow])) == 44 + 3


def test_a_description_is_one_text_or_one_per_language() -> None:
    (plain,) = load_custom_metrics(_entry(description="Orders counted."))
    (mapped,) = load_custom_metrics(
        _entry(description="{en: Orders counted., hu: Megszámolt rendelések.}"))
    (none,) = load_custom_metrics(_entry())

    assert plain.descriptions == dict.fromkeys(("en", "ru", "hu"), "Orders counted.")
    assert mapped.describe("hu") == "Megszámolt rendelések."
    assert mapped.describe("ru") == mapped.description == "Orders counted."
    assert none.describe("hu") == ""


@pytest.mark.parametrize(("description", "field"), [
    ("{ru: Только по-русски}", "metrics[0].description (line 7)"),
    ("{en: Orders, de: Bestellungen}", "metrics[0].description.de (line 7)"),
    ("[Orders]", "metrics[0].description (line 7)"),
])
def test_a_description_mapping_needs_english_and_known_languages(
    description: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        load_custom_metrics(_entry(description=description))
    assert caught.value.field == field


def test_a_plain_list_is_accepted_too() -> None:
    text = "- id: n\n  layer: CX\n  direction: higher\n  source: responses\n  aggregate: count\n"
    assert [metric.id for metric in load_custom_metrics(text)] == ["n"]


def _entry(**fields: object) -> str:
    base: dict[str, object] = {"id": "m", "layer": "TX", "direction": "higher",
                               "source": "transactions", "aggregate": "count"}  # fmt: skip
    base.update(fields)
    lines = ["metrics:", "  - id: " + str(base.pop("id"))]
    lines += [f"    {key}: {value}" for key, value in base.items() if value is not None]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        (_entry(aggregate="median"), "metrics[0].aggregate (line 6)", "choose one of"),
        (_entry(source="orders"), "metrics[0].source (line 5)", "choose one of"),
        (_entry(layer="XX"), "metrics[0].layer (line 3)", "'XX'"),
        (_entry(direction="up"), "metrics[0].direction (line 4)", "higher, lower"),
        (_entry(aggregate="share"), "metrics[0].condition (line 2)", "is required"),
        (_entry(aggregate="share", condition="amout > 3"), "metrics[0].condition (line 7)",
         "unknown name 'amout'"),
        (_entry(aggregate="share", condition="amount + 3"), "metrics[0].condition (line 7)",
         "is not a condition"),
        (_entry(aggregate="mean", value="channel"), "metrics[0].value (line 7)",
         "is not a number"),
        (_entry(aggregate="sum", value="amount >"), "metrics[0].value (line 7)",
         "expected a value before the end"),
        (_entry(filter="stage = 'x'"), "metrics[0].filter (line 7)", "unknown name 'stage'"),
        (_entry(aggregate="percentile", value="amount", percentile=100),
         "metrics[0].percentile (line 8)", "between 0 and 100"),
        (_entry(aggregate="ratio", numerator="{aggregate: avg}", denominator="{aggregate: count}"),
         "metrics[0].numerator.aggregate (line 7)", "choose one of"),
        (_entry(colour="red"), "metrics[0].colour (line 7)", "not a field of a count metric"),
        (_entry(id="Big-Metric"), "metrics[0].id (line 2)", "lower-case"),
        (_entry(format="q"), "metrics[0].format (line 7)", "not a format spec"),
        ("metrics: {id: x}\n", "metrics (line 1)", "expected a list"),
        ("metrics:\n  - [1, 2\n", "yaml (line 3)", "expected"),
        (_entry() + _entry().replace("metrics:\n", ""), "metrics[1].id (line 7)",
         "defined twice"),
    ],
)  # fmt: skip
def test_mistakes_name_the_field_and_line(text: str, field: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        load_custom_metrics(text)
    assert caught.value.field == field
    assert message in caught.value.message


def test_a_custom_id_may_not_shadow_a_built_in() -> None:
    (nps,) = load_custom_metrics(_entry(id="nps"))
    with pytest.raises(InvalidInput, match="'nps' is defined twice"):
        Catalogue([nps])
