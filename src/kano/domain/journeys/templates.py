"""Starting templates: a consumer (B2C) journey and a business (B2B) journey whose middle
is the buying committee's decision (needs, evaluation, approval and procurement).

A workspace that already has stages (e.g. the demo company) gets one journey per segment
built from its own stages, so pain points are computed on touchpoints that have data.
"""

from __future__ import annotations

from collections.abc import Sequence

from kano.domain.journeys.model import Journey, JourneyStagePlan, JourneyTouchpoint

B2C_STAGES: tuple[tuple[str, str], ...] = (
    ("awareness", "Awareness"),
    ("consideration", "Consideration"),
    ("purchase", "Purchase"),
    ("delivery", "Delivery and use"),
    ("support", "Support"),
    ("loyalty", "Loyalty and advocacy"),
)
B2B_STAGES: tuple[tuple[str, str], ...] = (
    ("awareness", "Awareness"),
    ("needs", "Needs definition (buying committee)"),
    ("evaluation", "Supplier evaluation (buying committee)"),
    ("approval", "Approval and procurement (buying committee)"),
    ("onboarding", "Onboarding"),
    ("delivery", "Delivery and use"),
    ("support", "Support"),
    ("renewal", "Renewal and expansion"),
)
# Segments whose customers are businesses get the B2B template by default.
_BUSINESS_HINTS = ("b2b", "account", "smb", "business", "enterprise", "corporate")


def kind_of_segment(segment_key: str) -> str:
    return "b2b" if any(hint in segment_key.lower() for hint in _BUSINESS_HINTS) else "b2c"


def template(kind: str, key: str, name: str, segment: str | None) -> Journey:
    stages = B2B_STAGES if kind == "b2b" else B2C_STAGES
    return Journey(key, name, kind, segment, tuple(JourneyStagePlan(k, n) for k, n in stages))


def default_journey_name(segment_name: str) -> str:
    """What a journey seeded for a segment is called until someone names it (stored in
    English; pages show it in the reader's language)."""
    return f"{segment_name} journey"


def journeys_for_segments(
    segments: Sequence[tuple[str, str]],
    stages: Sequence[tuple[str, str, Sequence[JourneyTouchpoint]]],
) -> list[Journey]:
    """One journey per ``(segment key, name)`` over the workspace's existing ``stages``
    (``(key, name, touchpoints)`` in order)."""
    plans = tuple(JourneyStagePlan(k, n, tuple(tps)) for k, n, tps in stages)
    return [
        Journey(
            key=segment_key.replace("_", "-"),
            name=default_journey_name(segment_name),
            kind=kind_of_segment(segment_key),
            segment=segment_key,
            stages=plans,
        )
        for segment_key, segment_name in segments
    ]
