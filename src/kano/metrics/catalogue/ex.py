"""EX — are people able and willing to run the process: pulses and staff records."""

from __future__ import annotations

from kano.metrics.aggregations.simple import Mean, NetScore, Share
from kano.metrics.aggregations.workforce import Turnover
from kano.metrics.catalogue.building import HIGHER, LOWER, metric
from kano.metrics.definitions import Layer

EX = Layer.EX

METRICS = (
    metric(
        "enps",
        ("Employee NPS (eNPS)", "Индекс лояльности сотрудников (eNPS)",
         "Munkavállalói NPS (eNPS)"),
        EX, unit="points", direction=HIGHER, format=".1f", source="pulses",
        aggregation=NetScore("enps"),
        description="""NPS formula on the pulse question "would you recommend working
        here" (0–10): % 9–10 minus % 0–6, with the multinomial interval.""",
    ),
    metric(
        "engagement",
        ("Engagement (pulse mean)", "Вовлечённость (среднее по пульсу)",
         "Elkötelezettség (pulzus átlag)"),
        EX, unit="points", direction=HIGHER, format=".2f", source="pulses",
        aggregation=Mean("engagement"), description="Mean engagement, 1–5; t interval.",
    ),
    metric(
        "competency_coverage",
        ("Competency coverage", "Покрытие компетенций", "Kompetencialefedettség"),
        EX, unit="%", direction=HIGHER, format=".1f", source="pulses",
        aggregation=Share("competency >= 0.7"),
        description="""Share of pulses whose competency score (0–1: share of the role's
        required skills held) is at least 0.7 — the role counts as covered; Wilson.""",
    ),
    metric(
        "training_hours",
        ("Training hours (mean)", "Часы обучения (среднее)", "Képzési órák (átlag)"),
        EX, unit="hours", direction=HIGHER, format=".1f", source="pulses",
        aggregation=Mean("training_hours"),
        description="Mean training hours reported per pulse; t interval.",
    ),
    metric(
        "turnover",
        ("Employee turnover", "Текучесть персонала", "Munkaerő-fluktuáció"),
        EX, unit="%", direction=LOWER, format=".1f", source="employees",
        aggregation=Turnover(),
        description="""Share of the employees on staff on the period's first day who left
        during the period (left_on in the period); slice by team and period; Wilson.""",
    ),
)
