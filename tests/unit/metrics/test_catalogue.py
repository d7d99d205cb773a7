"""The built-in catalogue: complete for issue 5, described in three languages."""

from __future__ import annotations

import re

import pytest

from kano.domain.shared.errors import InvalidInput, NotFound
from kano.metrics import BUILT_IN, Layer, built_in_catalogue
from kano.metrics.aggregations.simple import Count
from kano.metrics.catalogue.building import HIGHER, metric
from kano.metrics.expressions import parse_expression

REQUIRED = {
    Layer.CX: {"nps", "csat", "ces", "rating_mean", "responses", "response_rate",
               "complaint_share"},
    Layer.TX: {"orders", "order_frequency", "aov", "margin_pct", "arpu", "active_customers",
               "repurchase_rate", "retention_m1", "retention_m3", "retention_m12", "churn_m1",
               "churn_m3", "churn_m12", "lifetime_months", "ltv", "share_of_wallet",
               "on_time_payment"},
    Layer.OX: {"on_time_delivery", "delivery_delay_mean", "delivery_delay_p50",
               "delivery_delay_p90", "first_response_mean", "first_response_p50",
               "first_response_p90", "fcr_rate", "defect_rate"},
    Layer.EX: {"enps", "engagement", "competency_coverage", "turnover"},
    Layer.FINANCIAL: {"revenue", "gross_margin", "profit_formula"},
}  # fmt: skip


def test_every_metric_the_issue_names_is_built_in_on_its_layer() -> None:
    catalogue = built_in_catalogue()
    for layer, ids in REQUIRED.items():
        for metric_id in ids:
            assert catalogue.get(metric_id).layer is layer, metric_id


@pytest.mark.parametrize("metric", BUILT_IN, ids=lambda metric: metric.id)
def test_each_metric_is_fully_described(metric) -> None:  # type: ignore[no-untyped-def]
    assert metric.names["ru"] != metric.names["en"] and metric.names["hu"] != metric.names["en"]
    assert len(metric.description) > 30
    assert metric.format_value(12345.678)
    for text in metric.expressions():
        parse_expression(text)
    if metric.unit == "%":
        assert metric.format_value(84.25).endswith("%")


@pytest.mark.parametrize("metric", BUILT_IN, ids=lambda metric: metric.id)
def test_each_definition_is_written_in_russian_and_hungarian(metric) -> None:  # type: ignore[no-untyped-def]
    english = metric.describe("en")
    for language in ("ru", "hu"):
        text = metric.describe(language)
        assert len(text) > 20 and text != english, language
        # Decimals take the locale's comma; "CES 2.0" is a name, not a number.
        assert not re.search(r"\d\.\d", text.replace("CES 2.0", "")), text


def test_describe_falls_back_to_english_for_an_unknown_language() -> None:
    nps = built_in_catalogue().get("nps")
    assert nps.describe("de") == nps.description == nps.descriptions["en"]
    assert "промоутеров" in nps.describe("ru") and "ajánlók" in nps.describe("hu")


def test_a_built_in_without_a_translated_definition_is_refused() -> None:
    with pytest.raises(InvalidInput, match="untranslated: missing ru, hu") as caught:
        metric("untranslated", ("Untranslated", "Без перевода", "Fordítatlan"), Layer.CX,
               unit="", direction=HIGHER, format=".0f", source="responses",
               aggregation=Count(), description="A metric nobody translated.")
    assert caught.value.field == "description"


def test_unknown_metric_is_not_found() -> None:
    with pytest.raises(NotFound, match="metric 'happiness'"):
        built_in_catalogue().get("happiness")
