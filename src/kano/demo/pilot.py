"""The demo's pilot: SMB customers book delivery slots from March 2026 (SPEC 2.10, 2.13).

From the pilot's first month, an order of an SMB customer is delivered late half as often:
the late share of its regional delivery team's month (set by last month's engagement and
the month's shock, as for everyone, see :mod:`kano.demo.fulfilment`) is halved; how late a
late delivery is does not change. Key accounts and consumers are served by the same
regional delivery teams with the same process but book no slots: they are the control
group. The shorter delays flow on through the planted chain as any delay does (delivery
CSAT, relationship NPS, and from NPS repurchase, churn and spend).

The KPI is ``on_time_delivery`` (the share of a customer's deliveries in a month that were
on time, in %) per customer × month. In expectation an SMB customer-month with a delivery
in the test period gains half of its team-month's late share; the mean of that gain over
all such customer-months is the planted effect a difference in differences estimates (the
effect on the treated), written to ``ground_truth.yaml`` in percentage points.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from kano.demo.arrays import FloatArray, IntArray
from kano.demo.company import SMB
from kano.demo.timeline import MONTH_START_DAYS, START_DATE

PILOT_NAME = "Delivery slot booking for SMB customers"
PILOT_HYPOTHESIS = (
    "When SMB customers book a delivery slot, the regional delivery teams plan their routes "
    "around it and deliver late half as often, which lifts delivery CSAT and NPS."
)
PILOT_KPI = "on_time_delivery"
PILOT_GROUP: dict[str, Any] = {"filters": {"segment": ["smb"]}}
OUTSIDE_PILOT = ("key_account", "consumer")
"""The segments the pilot leaves alone: its control group."""
CONTROL_GROUP: dict[str, Any] = {"filters": {"segment": list(OUTSIDE_PILOT)}}
BASELINE_START = date(2025, 9, 1)
BASELINE_END = date(2026, 2, 28)
TEST_START = date(2026, 3, 1)
TEST_END = date(2026, 10, 31)
LATE_SHARE_FACTOR = 0.5
"""The pilot group's late share is this fraction of its team-month's late share."""
START_MONTH = (TEST_START.year - START_DATE.year) * 12 + TEST_START.month - START_DATE.month
"""Month index (0 = November 2024) of the pilot's first month."""


def late_share_factor(segment: IntArray, month: IntArray) -> FloatArray:
    """What the late share of an order's team-month is multiplied by: the pilot's factor
    for SMB orders promised from the pilot's first month on, else one."""
    treated = (segment == SMB) & (month >= START_MONTH)
    return np.where(treated, LATE_SHARE_FACTOR, 1.0)


@dataclass
class PilotTally:
    """The planted effect on the treated, summed over the chunks: per SMB customer-month
    with a delivery in the test period, the expected gain in on-time share (in %)."""

    gain: float = 0.0
    customer_months: int = 0

    def add(
        self,
        customer: IntArray,
        segment: IntArray,
        promised_day: FloatArray,
        delivered: np.ndarray,
        untreated_late_share: FloatArray,
    ) -> None:
        """Count the chunk's delivered orders (``delivered``: shipped and promised inside
        the window), each with the late share its team-month has without the pilot."""
        month = np.searchsorted(MONTH_START_DAYS, promised_day, side="right") - 1
        rows = np.flatnonzero(delivered & (segment == SMB) & (month >= START_MONTH))
        if rows.size == 0:
            return
        # a customer's team is that of their region: one expected gain per customer-month
        cells, first = np.unique(
            np.column_stack([customer[rows], month[rows]]), axis=0, return_index=True
        )
        gain = 100.0 * (1.0 - LATE_SHARE_FACTOR) * untreated_late_share[rows[first]]
        self.gain += float(gain.sum())
        self.customer_months += int(cells.shape[0])

    @property
    def effect(self) -> float | None:
        """Mean expected gain in percentage points, or None without a treated month."""
        return self.gain / self.customer_months if self.customer_months else None


def pilot_truth(tally: PilotTally) -> dict[str, Any]:
    """The ``pilot`` entry of ``ground_truth.yaml`` (the definition ``kano demo`` seeds)."""
    effect = tally.effect
    return {
        "name": PILOT_NAME,
        "kpi": PILOT_KPI,
        "pilot_group": PILOT_GROUP,
        "control_group": CONTROL_GROUP,
        "baseline_start": BASELINE_START.isoformat(),
        "baseline_end": BASELINE_END.isoformat(),
        "test_start": TEST_START.isoformat(),
        "test_end": TEST_END.isoformat(),
        "late_share_factor": LATE_SHARE_FACTOR,
        "effect": None if effect is None else round(effect, 10),
        "unit": "percentage points",
        "treated_customer_months": tally.customer_months,
        "description": (
            "SMB customers book delivery slots from March 2026, which halves the late share "
            "of their deliveries; key accounts and consumers of the same delivery teams are "
            "the control. effect: the expected gain in on_time_delivery (per customer x "
            "month, %) over the SMB customer-months with a delivery in the test period."
        ),
    }
