"""A pilot: a change tried on a pilot group, compared with a control group (SPEC §2.10).

Each group is either a *filter* on customer attributes (``{"region": ["north"]}``: every
customer of the north region; several attributes must all match, several values of one
attribute are alternatives) or an explicit list of customers by external id. The KPIs are
metric ids of the workspace's catalogue, measured per customer per month over a baseline
period and a test period that follows it. The pilot moves planned → running → evaluated →
decided; the decision is scale, iterate or stop, with a note; a decision to scale is
carried out in staged rollout steps, each with a date and a status.

``checked_pilot`` reads a pilot from untrusted fields (the API body, the web form) and names
the field of the first problem; ``checked_rollout`` does the same for the rollout steps.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TypeVar

from kano.domain.shared.errors import InvalidInput

NAME_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 4_000
MAX_KPIS = 10
MAX_LISTED_CUSTOMERS = 10_000
MAX_ROLLOUT_STEPS = 50
MAX_MONTHS = 120
KEY = re.compile(r"^[^\x00-\x1f\x7f]{1,64}$")
METRIC_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# The customer attributes a group may filter on: those the warehouse's customer dimension
# offers (kano.metrics.star.CUSTOMER_ATTRIBUTES), less the free-form ones.
GROUP_ATTRIBUTES = ("segment", "region", "industry", "kind")
E = TypeVar("E", bound=StrEnum)
FIELDS = ("name", "hypothesis", "pilot_group", "control_group", "kpis", "baseline_start",
          "baseline_end", "test_start", "test_end", "owner", "status", "decision",
          "decision_note", "rollout", "target_effect")  # fmt: skip


class PilotStatus(StrEnum):
    PLANNED = "planned"
    RUNNING = "running"
    EVALUATED = "evaluated"
    DECIDED = "decided"


class Decision(StrEnum):
    SCALE = "scale"
    ITERATE = "iterate"
    STOP = "stop"


class StepStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"


@dataclass(frozen=True)
class Group:
    """Customers chosen by attribute values (``filters``) or listed (``customers``)."""

    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    customers: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        if self.customers:
            return {"customers": list(self.customers)}
        return {"filters": {name: list(values) for name, values in self.filters}}

    def metric_filters(self) -> dict[str, list[str]]:
        """The metric engine's filter for this group's customers."""
        if self.customers:
            return {"customer": list(self.customers)}
        return {name: list(values) for name, values in self.filters}

    def describe(self) -> str:
        if self.customers:
            shown = ", ".join(self.customers[:5])
            more = f" (+{len(self.customers) - 5})" if len(self.customers) > 5 else ""
            return shown + more
        return "; ".join(f"{name} = {', '.join(values)}" for name, values in self.filters)


@dataclass(frozen=True)
class RolloutStep:
    name: str
    planned_on: date
    status: StepStatus = StepStatus.PLANNED
    note: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "planned_on": self.planned_on.isoformat(),
                "status": self.status.value, "note": self.note}  # fmt: skip


@dataclass(frozen=True)
class PilotDraft:
    name: str
    pilot_group: Group
    control_group: Group
    kpis: tuple[str, ...]
    baseline_start: date
    baseline_end: date
    test_start: date
    test_end: date
    hypothesis: str | None = None
    owner: str | None = None  # a member's e-mail
    status: PilotStatus = PilotStatus.PLANNED
    decision: Decision | None = None
    decision_note: str | None = None
    rollout: tuple[RolloutStep, ...] = field(default=())
    target_effect: float | None = None
    """The smallest effect worth detecting (in the first KPI's unit), for the plan."""


def months_between(first: date, last: date) -> int:
    """Calendar months from ``first``'s month to ``last``'s, both counted."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def _text(raw: Mapping[str, object], name: str, limit: int, required: str | None = None
          ) -> str | None:  # fmt: skip
    value = raw.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidInput(name, required)
        return None
    if not isinstance(value, str):
        raise InvalidInput(name, "must be text")
    value = value.strip()
    if "\x00" in value:
        raise InvalidInput(name, "must not contain NUL characters")
    if len(value) > limit:
        raise InvalidInput(name, f"write at most {limit} characters")
    return value


def _day(value: object, name: str) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise InvalidInput(name, f"{value!r} is not a date (YYYY-MM-DD)") from None
    raise InvalidInput(name, "give a date (YYYY-MM-DD)")


def _choice(enum: type[E], value: object, name: str) -> E:
    choices = ", ".join(member.value for member in enum)
    if not isinstance(value, str):
        raise InvalidInput(name, f"use one of {choices}")
    try:
        return enum(value.strip().lower().replace(" ", "_"))
    except ValueError:
        raise InvalidInput(name, f"{value!r} is not one of {choices}") from None


def _keys(value: object, name: str, limit: int) -> tuple[str, ...]:
    """A list of keys, or one comma/newline-separated text (the web form)."""
    if isinstance(value, str):
        value = re.split(r"[,\n]", value)
    if not isinstance(value, Sequence) or isinstance(value, bytes):
        raise InvalidInput(name, "give a list of values")
    keys: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise InvalidInput(name, "every value must be text")
        item = item.strip()
        if not item:
            continue
        if not KEY.match(item):
            raise InvalidInput(name, f"{item[:70]!r}: write 1 to 64 printable characters")
        if item not in keys:
            keys.append(item)
    if len(keys) > limit:
        raise InvalidInput(name, f"give at most {limit} values")
    return tuple(keys)


def checked_group(raw: object, name: str) -> Group:
    """``{"filters": {"region": ["north"]}}`` or ``{"customers": ["C-1", …]}``."""
    if not isinstance(raw, Mapping):
        raise InvalidInput(name, "give filters or customers")
    unknown = sorted(set(raw) - {"filters", "customers"})
    if unknown:
        raise InvalidInput(f"{name}.{unknown[0]}", "is not part of a group (filters or customers)")
    filters, customers = raw.get("filters"), raw.get("customers")
    if filters and customers:
        raise InvalidInput(name, "give either filters or customers, not both")
    if customers:
        listed = _keys(customers, f"{name}.customers", MAX_LISTED_CUSTOMERS)
        if not listed:
            raise InvalidInput(f"{name}.customers", "list at least one customer")
        return Group(customers=listed)
    if not isinstance(filters, Mapping) or not filters:
        raise InvalidInput(name, "give filters (e.g. region = north) or a list of customers")
    chosen: list[tuple[str, tuple[str, ...]]] = []
    for attribute in sorted(filters):
        where = f"{name}.filters.{attribute}"
        if attribute not in GROUP_ATTRIBUTES:
            raise InvalidInput(where, f"filter on one of {', '.join(GROUP_ATTRIBUTES)}")
        values = _keys(filters[attribute], where, 1_000)
        if not values:
            raise InvalidInput(where, "give at least one value")
        chosen.append((attribute, values))
    return Group(filters=tuple(chosen))


def checked_rollout(raw: object) -> tuple[RolloutStep, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Sequence) or isinstance(raw, str | bytes):
        raise InvalidInput("rollout", "give a list of steps")
    if len(raw) > MAX_ROLLOUT_STEPS:
        raise InvalidInput("rollout", f"give at most {MAX_ROLLOUT_STEPS} steps")
    steps: list[RolloutStep] = []
    for index, item in enumerate(raw):
        where = f"rollout[{index}]"
        if not isinstance(item, Mapping):
            raise InvalidInput(where, "a step has a name, planned_on, status and a note")
        unknown = sorted(set(item) - {"name", "planned_on", "status", "note"})
        if unknown:
            raise InvalidInput(f"{where}.{unknown[0]}", "is not a field of a rollout step")
        step_name = _text(item, "name", NAME_MAX_LENGTH)
        if step_name is None:
            raise InvalidInput(f"{where}.name", "name the step (e.g. all northern stores)")
        status = StepStatus.PLANNED
        if item.get("status") not in (None, ""):
            status = _choice(StepStatus, item.get("status"), f"{where}.status")
        try:
            note = _text(item, "note", TEXT_MAX_LENGTH)
        except InvalidInput as error:
            raise InvalidInput(f"{where}.note", error.message) from None
        steps.append(RolloutStep(step_name, _day(item.get("planned_on"), f"{where}.planned_on"),
                                 status, note))  # fmt: skip
    return tuple(steps)


def checked_pilot(raw: Mapping[str, object]) -> PilotDraft:
    """A draft from untrusted fields; InvalidInput names the field of the first problem."""
    unknown = sorted(set(raw) - set(FIELDS))
    if unknown:
        raise InvalidInput(unknown[0], "is not a field of a pilot")
    name = _text(raw, "name", NAME_MAX_LENGTH, required="name the pilot")
    assert name is not None
    pilot_group = checked_group(raw.get("pilot_group"), "pilot_group")
    control_group = checked_group(raw.get("control_group"), "control_group")
    if pilot_group == control_group:
        raise InvalidInput("control_group", "must differ from the pilot group")
    if set(pilot_group.customers) & set(control_group.customers):
        both = sorted(set(pilot_group.customers) & set(control_group.customers))[0]
        raise InvalidInput("control_group.customers", f"{both!r} is also in the pilot group")
    kpis = _keys(raw.get("kpis") or (), "kpis", MAX_KPIS)
    if not kpis:
        raise InvalidInput("kpis", "choose at least one KPI (a metric id, e.g. revenue)")
    for kpi in kpis:
        if not METRIC_ID.match(kpi):
            raise InvalidInput("kpis", f"{kpi!r} is not a metric id")
    days = {key: _day(raw.get(key), key)
            for key in ("baseline_start", "baseline_end", "test_start", "test_end")}  # fmt: skip
    if days["baseline_end"] < days["baseline_start"]:
        raise InvalidInput("baseline_end", "must not be before baseline_start")
    if days["test_start"] <= days["baseline_end"]:
        raise InvalidInput("test_start", "must come after the baseline period ends")
    if (days["test_start"].year, days["test_start"].month) == (
        days["baseline_end"].year, days["baseline_end"].month
    ):
        raise InvalidInput("test_start", "must be in a later month than baseline_end "
                           "(the KPIs are measured per month)")  # fmt: skip
    if days["test_end"] < days["test_start"]:
        raise InvalidInput("test_end", "must not be before test_start")
    if months_between(days["baseline_start"], days["test_end"]) > MAX_MONTHS:
        raise InvalidInput("test_end", f"a pilot spans at most {MAX_MONTHS} months")
    status = PilotStatus.PLANNED
    if raw.get("status") not in (None, ""):
        status = _choice(PilotStatus, raw.get("status"), "status")
    decision = None
    if raw.get("decision") not in (None, ""):
        decision = _choice(Decision, raw.get("decision"), "decision")
    if decision is not None:
        status = PilotStatus.DECIDED
    elif status is PilotStatus.DECIDED:
        raise InvalidInput("decision", "a decided pilot needs a decision: scale, iterate or stop")
    target = raw.get("target_effect")
    if target is not None and target != "":
        try:
            target = float(target)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise InvalidInput("target_effect", "must be a number") from None
        if not 0 < target < 1e15:
            raise InvalidInput("target_effect", "must be a positive number")
    else:
        target = None
    return PilotDraft(
        name=name,
        hypothesis=_text(raw, "hypothesis", TEXT_MAX_LENGTH),
        pilot_group=pilot_group,
        control_group=control_group,
        kpis=kpis,
        owner=_text(raw, "owner", 320),
        status=status,
        decision=decision,
        decision_note=_text(raw, "decision_note", TEXT_MAX_LENGTH),
        rollout=checked_rollout(raw.get("rollout")),
        target_effect=target,
        **days,
    )
