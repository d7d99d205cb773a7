"""OX — which process made it so: process events, one measure per metric."""

from __future__ import annotations

from fractions import Fraction

from kano.metrics.aggregations.simple import Mean, Percentile, Share
from kano.metrics.catalogue.building import HIGHER, LOWER, metric
from kano.metrics.definitions import Layer, Metric

OX = Layer.OX


def _measure(name: str) -> str:
    return f"measure = '{name}'"


def _distribution(
    prefix: str, measure: str, unit: str, names: tuple[str, str, str], what: str
) -> tuple[Metric, ...]:
    """Mean, median and 90th percentile of one process measure (lower is better)."""
    en, ru, hu = names
    percentile_note = """Nearest-rank percentile (the smallest value with at least
    {p} % of the events at or below it), identical on every engine; no interval."""
    return (
        metric(
            f"{prefix}_mean",
            (f"{en} (mean)", f"{ru} (среднее)", f"{hu} (átlag)"),
            OX, unit=unit, direction=LOWER, format=".2f", source="process_events",
            aggregation=Mean("value"), filter=_measure(measure),
            description=f"Mean {what} per event; t interval.",
        ),
        metric(
            f"{prefix}_p50",
            (f"{en} (median)", f"{ru} (медиана)", f"{hu} (medián)"),
            OX, unit=unit, direction=LOWER, format=".2f", source="process_events",
            aggregation=Percentile("value", Fraction(50)), filter=_measure(measure),
            description=f"Median {what}. " + percentile_note.format(p=50),
        ),
        metric(
            f"{prefix}_p90",
            (f"{en} (90th percentile)", f"{ru} (90-й перцентиль)", f"{hu} (90. percentilis)"),
            OX, unit=unit, direction=LOWER, format=".2f", source="process_events",
            aggregation=Percentile("value", Fraction(90)), filter=_measure(measure),
            description=f"90th percentile of {what}. " + percentile_note.format(p=90),
        ),
    )


METRICS = (
    metric(
        "on_time_delivery",
        ("On-time delivery", "Доставка вовремя", "Időben teljesített szállítás"),
        OX, unit="%", direction=HIGHER, format=".1f", source="process_events",
        aggregation=Share("value <= 0"), filter=_measure("delivery_delay_days"),
        description="Share of deliveries with a delay of 0 days or less (Wilson).",
    ),
    *_distribution(
        "delivery_delay", "delivery_delay_days", "days",
        ("Delivery delay", "Задержка доставки", "Szállítási késés"),
        "delivery delay in days (negative = early)",
    ),
    *_distribution(
        "first_response", "first_response_minutes", "minutes",
        ("First response time", "Время первого ответа", "Első válaszidő"),
        "minutes to the first response to a support contact",
    ),
    metric(
        "fcr_rate",
        ("First-contact resolution", "Решение с первого обращения",
         "Első kapcsolatfelvételre megoldott ügyek"),
        OX, unit="%", direction=HIGHER, format=".1f", source="process_events",
        aggregation=Share("value >= 1"), filter=_measure("first_contact_resolution"),
        description="Share of support contacts resolved at the first contact (Wilson).",
    ),
    metric(
        "defect_rate",
        ("Defect rate (orders with defects)", "Доля заказов с дефектами",
         "Hibás rendelések aránya"),
        OX, unit="%", direction=LOWER, format=".1f", source="process_events",
        aggregation=Share("value > 0"), filter=_measure("defects"),
        description="""Share of checked orders with at least one defect (events of
        measure defects, one per order, value = defect count); Wilson.""",
    ),
    metric(
        "onboarding_days_mean",
        ("Time to first value (onboarding days)", "Время до первой ценности (дни)",
         "Első értékig eltelt idő (nap)"),
        OX, unit="days", direction=LOWER, format=".1f", source="process_events",
        aggregation=Mean("value"), filter=_measure("onboarding_days"),
        description="Mean days from signing to the first delivered value; t interval.",
    ),
    metric(
        "call_wait_p90",
        ("Call waiting time (90th percentile)", "Ожидание на линии (90-й перцентиль)",
         "Hívási várakozási idő (90. percentilis)"),
        OX, unit="seconds", direction=LOWER, format=".0f", source="process_events",
        aggregation=Percentile("value", Fraction(90)), filter=_measure("call_wait_seconds"),
        description="90th percentile (nearest rank) of seconds callers wait; no interval.",
    ),
)
