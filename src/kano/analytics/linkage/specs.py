"""What a cause–effect link is, in the vocabulary of the four layers.

A link names its cause and effect by the ids a user knows -- pulse items (``engagement``),
process measures (``delivery_delay_days``), response scores (``nps``), behaviour after a
response (``repurchase_rate``, ``churn_rate``, ``spend``) and money (``orders``,
``revenue``) --, the grain at which one observation is made, the lag, and the slice
(``where``) it lives in. The same shape is used by the demo's ``ground_truth.yaml``, so a
file of planted effects can be tested as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kano.domain.shared.errors import InvalidInput

PULSE_ITEMS = ("engagement", "enps", "competency", "training_hours")
PROCESS_MEASURES = (
    "delivery_delay_days",
    "first_response_minutes",
    "first_contact_resolution",
    "defects",
    "onboarding_days",
    "call_wait_seconds",
)
SCORES = ("nps", "csat", "ces", "rating")
BEHAVIOURS = ("repurchase_rate", "churn_rate", "spend")
MONEY = ("orders", "revenue")
GRAINS = ("team-month", "response", "customer-quarter")

# Which way is better, for the expected sign of a link: a cause that is "better" when
# higher should make a higher-is-better effect higher. CES is the CES 2.0 agreement scale
# (7 = very easy), so higher is better, as in the metric catalogue.
LOWER_IS_BETTER = frozenset(
    {
        "delivery_delay_days",
        "first_response_minutes",
        "defects",
        "onboarding_days",
        "call_wait_seconds",
        "churn_rate",
    }
)
KNOWN_IDS = frozenset((*PULSE_ITEMS, *PROCESS_MEASURES, *SCORES, *BEHAVIOURS, *MONEY))
WHERE_KEYS = ("team_function", "touchpoint", "stage", "survey", "segment")

_LAG = re.compile(r"^(0|[1-9][0-9]*[DM])$")


@dataclass(frozen=True)
class LinkSpec:
    """One arrow to test: ``cause`` → ``effect`` at ``grain`` after ``lag``, within ``where``."""

    cause: str
    effect: str
    grain: str
    lag: str = "0"
    where: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    label: str = ""

    @property
    def lag_days(self) -> int:
        return int(self.lag[:-1]) if self.lag.endswith("D") else 0

    @property
    def lag_months(self) -> int:
        return int(self.lag[:-1]) if self.lag.endswith("M") else 0

    def only(self, key: str) -> tuple[str, ...]:
        """The allowed values of one ``where`` key (empty: no restriction)."""
        return tuple(self.where.get(key, ()))

    def describe(self) -> str:
        where = ", ".join(f"{k}={'|'.join(v)}" for k, v in sorted(self.where.items()))
        slice_text = f"; {where}" if where else ""
        return f"{self.cause} → {self.effect} ({self.grain}, lag {self.lag}{slice_text})"


def expected_sign(cause: str, effect: str) -> int:
    """+1 when "better" cause should mean "better" effect in raw units, else -1."""
    return -1 if (cause in LOWER_IS_BETTER) != (effect in LOWER_IS_BETTER) else 1


def _where(raw: Any, field_name: str) -> dict[str, tuple[str, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise InvalidInput(field_name, "must be a mapping such as {touchpoint: support-email}")
    where: dict[str, tuple[str, ...]] = {}
    for key, value in raw.items():
        if key not in WHERE_KEYS:
            raise InvalidInput(f"{field_name}.{key}", f"choose one of {', '.join(WHERE_KEYS)}")
        values = value if isinstance(value, list | tuple) else [value]
        where[str(key)] = tuple(str(v) for v in values)
    return where


def link_spec(raw: Mapping[str, Any], field_name: str = "link") -> LinkSpec:
    """A link from one mapping (a ``ground_truth.yaml`` effect, a YAML link, JSON)."""
    for key in ("cause", "effect", "grain"):
        if not raw.get(key):
            raise InvalidInput(f"{field_name}.{key}", "is required")
    cause, effect, grain = str(raw["cause"]), str(raw["effect"]), str(raw["grain"])
    lag = str(raw.get("lag", "0"))
    for key, value in (("cause", cause), ("effect", effect)):
        if value not in KNOWN_IDS:
            raise InvalidInput(
                f"{field_name}.{key}", f"{value!r} is not a linkable id; choose one of "
                + ", ".join(sorted(KNOWN_IDS))
            )
    if grain not in GRAINS:
        raise InvalidInput(f"{field_name}.grain", f"choose one of {', '.join(GRAINS)}")
    if not _LAG.match(lag):
        raise InvalidInput(f"{field_name}.lag", f"{lag!r}: write 0, a number of days (90D) "
                           "or of months (1M)")
    spec = LinkSpec(cause, effect, grain, lag, _where(raw.get("where"), f"{field_name}.where"),
                    str(raw.get("label", "")))
    _check_shape(spec, field_name)
    return spec


def _check_shape(spec: LinkSpec, field_name: str) -> None:
    """Refuse links whose grain cannot observe both ends (a clear error, not a crash)."""
    cause, effect = spec.cause, spec.effect
    if spec.grain == "team-month":
        ok = cause in (*PULSE_ITEMS, *PROCESS_MEASURES) and effect in PROCESS_MEASURES
    elif spec.grain == "customer-quarter":
        ok = cause in MONEY and effect in MONEY and cause != effect
    else:
        ok = (cause in PROCESS_MEASURES and effect in SCORES) or (
            cause in SCORES and effect in BEHAVIOURS
        )
    if not ok:
        raise InvalidInput(
            f"{field_name}", f"{cause} → {effect} cannot be observed at the {spec.grain} grain"
        )
    if spec.grain == "team-month" and spec.lag_days:
        raise InvalidInput(f"{field_name}.lag", "team-month links take a lag in months (1M)")
    if spec.grain == "response" and cause in SCORES and not spec.lag_days:
        raise InvalidInput(f"{field_name}.lag", "behaviour after a response needs a window (90D)")


def parse_link_specs(
    entries: Sequence[Mapping[str, Any]], field_name: str = "links"
) -> list[LinkSpec]:
    return [link_spec(entry, f"{field_name}[{i}]") for i, entry in enumerate(entries)]


def _chain(cause: str, effect: str, grain: str, lag: str, **where: Any) -> LinkSpec:
    return link_spec({"cause": cause, "effect": effect, "grain": grain, "lag": lag,
                      "where": where or None})


# The service-profit chain Kano tests by default on a workspace shaped like the demo
# company: EX → OX per team function, OX → CX at the touchpoint the process serves,
# CX → TX after relationship responses, TX → money per customer-quarter.
SERVICE_PROFIT_CHAIN: tuple[LinkSpec, ...] = (
    _chain("engagement", "delivery_delay_days", "team-month", "1M", team_function="delivery"),
    _chain("training_hours", "delivery_delay_days", "team-month", "1M", team_function="delivery"),
    _chain("engagement", "first_response_minutes", "team-month", "1M", team_function="support",
           touchpoint="support-email"),
    _chain("delivery_delay_days", "csat", "response", "0", stage="delivery"),
    _chain("delivery_delay_days", "nps", "response", "90D", survey="relationship-nps"),
    _chain("first_response_minutes", "ces", "response", "0", touchpoint="support-email"),
    _chain("call_wait_seconds", "csat", "response", "0", touchpoint="support-phone"),
    _chain("nps", "repurchase_rate", "response", "90D", survey="relationship-nps"),
    _chain("nps", "churn_rate", "response", "180D", survey="relationship-nps"),
    _chain("nps", "spend", "response", "90D", survey="relationship-nps",
           segment=["key_account", "smb"]),
    _chain("ces", "repurchase_rate", "response", "90D", touchpoint="purchase-web"),
    _chain("orders", "revenue", "customer-quarter", "0", segment=["consumer"]),
)
