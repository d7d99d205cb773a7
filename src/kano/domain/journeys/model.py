"""A journey map as the business edits it: ordered stages, touchpoints (stage × channel)
with the team that owns them, the surveys that measure them and the process measures
behind them.

Kept free of storage so the same rules (unique keys, at least one stage, a touchpoint
on one stage only) hold for the web form, the API and the demo seeding alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kano.domain.shared.errors import InvalidInput

KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
KINDS = ("b2c", "b2b")


def check_key(field_name: str, key: str) -> str:
    """Keys end up in URLs and YAML: lowercase letters, digits, '-' and '_' only."""
    if not KEY_PATTERN.match(key):
        raise InvalidInput(
            field_name, f"{key!r} is not a key (lowercase letters, digits, '-' or '_')"
        )
    return key


@dataclass(frozen=True)
class JourneyTouchpoint:
    """Where the customer meets the company at a stage, through one channel."""

    key: str
    name: str
    channel: str
    owner_team: str | None = None
    surveys: tuple[str, ...] = ()
    process_measures: tuple[str, ...] = ()


@dataclass(frozen=True)
class JourneyStagePlan:
    key: str
    name: str
    touchpoints: tuple[JourneyTouchpoint, ...] = ()


@dataclass(frozen=True)
class Journey:
    """One segment's journey; ``segment`` None means the journey of every customer."""

    key: str
    name: str
    kind: str
    segment: str | None
    stages: tuple[JourneyStagePlan, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        check_key("key", self.key)
        if not self.name.strip():
            raise InvalidInput("name", "a journey needs a name")
        if self.kind not in KINDS:
            raise InvalidInput("kind", f"{self.kind!r} is not one of {', '.join(KINDS)}")
        if not self.stages:
            raise InvalidInput("stages", "a journey needs at least one stage")
        seen_stages: set[str] = set()
        seen_touchpoints: set[str] = set()
        for i, stage in enumerate(self.stages):
            check_key(f"stages[{i}].key", stage.key)
            if stage.key in seen_stages:
                raise InvalidInput(f"stages[{i}].key", f"stage {stage.key!r} appears twice")
            seen_stages.add(stage.key)
            for j, touchpoint in enumerate(stage.touchpoints):
                where = f"stages[{i}].touchpoints[{j}].key"
                check_key(where, touchpoint.key)
                if touchpoint.key in seen_touchpoints:
                    raise InvalidInput(where, f"touchpoint {touchpoint.key!r} is on two stages")
                seen_touchpoints.add(touchpoint.key)

    @property
    def stage_keys(self) -> tuple[str, ...]:
        return tuple(stage.key for stage in self.stages)

    def stage_of(self, touchpoint: str) -> str | None:
        for stage in self.stages:
            if any(t.key == touchpoint for t in stage.touchpoints):
                return stage.key
        return None

    def reordered(self, stage_keys: list[str]) -> Journey:
        """The same journey with its stages in a new order (every stage exactly once)."""
        if sorted(stage_keys) != sorted(self.stage_keys):
            raise InvalidInput(
                "stages", f"the new order must list exactly {', '.join(self.stage_keys)}"
            )
        by_key = {stage.key: stage for stage in self.stages}
        return Journey(
            self.key, self.name, self.kind, self.segment, tuple(by_key[k] for k in stage_keys)
        )
