"""Financial — what it earned."""

from __future__ import annotations

from kano.metrics.aggregations.behaviour import ProfitFormula
from kano.metrics.aggregations.simple import Total
from kano.metrics.catalogue.building import HIGHER, metric
from kano.metrics.definitions import Layer

FIN = Layer.FINANCIAL

METRICS = (
    metric(
        "revenue",
        ("Revenue", "Выручка", "Árbevétel"),
        FIN, unit="money", direction=HIGHER, format=",.0f", source="transactions",
        aggregation=Total("amount"),
        description="Σ amount of the orders in the slice, as recorded; n = orders.",
    ),
    metric(
        "gross_margin",
        ("Gross margin", "Валовая прибыль", "Bruttó fedezet"),
        FIN, unit="money", direction=HIGHER, format=",.0f", source="transactions",
        aggregation=Total("margin"), description="Σ gross margin of the orders; n = orders.",
    ),
    metric(
        "profit_formula",
        ("Profit formula (customers × ARPU × margin)",
         "Формула прибыли (клиенты × ARPU × маржа)",
         "Profitképlet (ügyfelek × ARPU × árrés)"),
        FIN, unit="money", direction=HIGHER, format=",.0f", source="transactions",
        aggregation=ProfitFormula(),
        description="""customers × conversion × ARPU × margin % − cost, decomposed: the
        components are the active customers, ARPU and margin %. The warehouse has no
        leads or costs, so conversion is 1 and cost 0 and the value equals gross margin;
        lifetime enters through ltv. n = customers.""",
    ),
)
