"""Hypothesis strategies for valid strategy documents (format kano-strategy/1).

Documents are drawn as the plain data a user would write, then validated by the schema
model, so a strategy that draws an invalid document fails loudly instead of testing
nothing. Texts mix newlines, quotes, YAML look-alikes ("yes", "1e3", "- x") and non-ASCII;
floats span the whole double range (a measure's numbers the range its store accepts); keys
repeat across drawings so that importing one document over another moves, updates and
deletes rows.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from hypothesis import strategies as st

from kano.adapters.strategy_code.schema import StrategyDocument

TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")) | st.sampled_from("\n\t"),
    max_size=40,
) | st.sampled_from(["yes", "no", "null", "1e3", "0x1F", "- x", "a: b", "#x", "'q'", '"d"'])
NAME = TEXT.filter(lambda text: text.strip() != "" and len(text) <= 200)
ANY_FLOAT = st.floats(allow_nan=False, allow_infinity=False)
# A measure's numbers: the whole range the measure store accepts (no score can overflow).
MEASURED = st.floats(min_value=-1e15, max_value=1e15)
SMALL_FLOAT = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
STEP = st.floats(min_value=0.01, max_value=1e3)
DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
TIMES = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 12, 31))


def _optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


def _compact(fields: dict[str, Any]) -> dict[str, Any]:
    """Leave out what is None, as a person writing the file would."""
    return {name: value for name, value in fields.items() if value is not None}


@st.composite
def _thresholds(draw: st.DrawFn) -> dict[str, Any]:
    direction = draw(st.sampled_from(["higher", "lower", "band"]))
    if direction == "band":
        low = draw(SMALL_FLOAT)
        high = low + draw(st.floats(min_value=0, max_value=1e3))
        return {"direction": direction, "band_low": low, "band_high": high, "tolerance": draw(STEP)}
    sign = 1 if direction == "higher" else -1
    amber = draw(SMALL_FLOAT)
    green = amber + sign * draw(STEP)
    target = green + sign * draw(st.floats(min_value=0, max_value=1e3))
    return {"direction": direction, "amber_from": amber, "green_from": green, "target": target}


METRICS = _optional(
    st.fixed_dictionaries(
        {"id": st.sampled_from(["nps", "churn_m3", "revenue"])},
        optional={
            "slice": st.dictionaries(
                st.sampled_from(["region", "segment"]), TEXT | ANY_FLOAT | st.booleans(), max_size=2
            )
        },
    )
)


@st.composite
def _measure(draw: st.DrawFn, key: str) -> dict[str, Any]:
    periods = draw(st.lists(DAYS, unique=True, max_size=3))
    values = [
        _compact(
            {
                "period": period,
                "actual": draw(_optional(MEASURED)),
                "target": draw(_optional(MEASURED)),
                "source": draw(_optional(st.sampled_from(["manual", "metric"]))),
                "n": draw(_optional(st.integers(0, 2**31 - 1))),
                "computed_at": draw(_optional(TIMES)),
            }
        )
        for period in periods
    ]
    return _compact(
        {
            "key": key,
            "name": draw(NAME),
            "unit": draw(_optional(st.sampled_from(["%", "EUR", "points", "días"]))),
            **draw(_thresholds()),
            "baseline": draw(_optional(MEASURED)),
            "weight": draw(_optional(st.floats(min_value=0, max_value=100))),
            "frequency": draw(_optional(st.sampled_from(["monthly", "quarterly", "yearly"]))),
            "kind": draw(_optional(st.sampled_from(["say", "do", "other"]))),
            "metric": draw(METRICS),
            "values": values,
        }
    )


@st.composite
def _key_result(
    draw: st.DrawFn, key: str, earlier: list[str], users: tuple[str, ...]
) -> dict[str, Any]:
    kind = draw(st.sampled_from(["metric", "band", "milestone", "yes_no"]))
    fields: dict[str, Any] = {"key": key, "title": draw(NAME), "kind": kind}
    if kind == "metric":
        fields |= {"start": draw(ANY_FLOAT), "target": draw(ANY_FLOAT)}
        fields["current"] = draw(_optional(ANY_FLOAT))
    elif kind == "band":
        low = draw(SMALL_FLOAT)
        fields |= {"band_low": low, "band_high": low + draw(STEP)}
    elif kind == "milestone":
        total = draw(st.integers(1, 20))
        fields |= {"milestones_total": total, "milestones_done": draw(st.integers(0, total))}
    else:
        fields["done"] = draw(st.booleans())
    fields["weight"] = draw(_optional(st.floats(min_value=0, max_value=10)))
    fields["due_on"] = draw(_optional(DAYS))
    fields["metric"] = draw(METRICS)
    fields["carried_over_from"] = draw(_optional(st.sampled_from(earlier))) if earlier else None
    fields["check_ins"] = [
        _compact(
            {
                "at": at,
                "value": draw(_optional(ANY_FLOAT)),
                "confidence": draw(st.integers(0, 10)),
                "comment": draw(_optional(TEXT)),
                "author": draw(_optional(st.sampled_from(users))) if users else None,
            }
        )
        for at in draw(st.lists(TIMES, unique=True, max_size=2))
    ]
    return _compact(fields)


@st.composite
def documents(
    draw: st.DrawFn,
    users: tuple[str, ...] = (),
    teams: tuple[str, ...] = (),
    employees: tuple[str, ...] = (),
    fixed_containers: bool = False,
) -> StrategyDocument:
    """A valid document. With ``fixed_containers`` it always has scorecards card-0 and
    card-1, cycle q1 and (given employees) sheet s1, so two drawings cover the same scope."""
    owners = _optional(st.sampled_from(users)) if users else st.none()
    owner_teams = _optional(st.sampled_from(teams)) if teams else st.none()
    card_count = 2 if fixed_containers else draw(st.integers(1, 2))
    cards: list[dict[str, Any]] = []
    objectives_of_card: list[list[str]] = []
    counter = iter(range(10_000))
    for c in range(card_count):
        parent = "card-0" if c == 1 and draw(st.booleans()) else None
        perspectives = []
        own_objectives: list[str] = []
        for p_key in draw(st.permutations(["financial", "customer", "process", "learning"]))[
            : draw(st.integers(1, 3))
        ]:
            objectives = []
            for _ in range(draw(st.integers(0, 2))):
                key = f"obj-{draw(st.integers(0, 7))}-{next(counter)}"
                aligned = (
                    draw(_optional(st.sampled_from(objectives_of_card[0])))
                    if parent and objectives_of_card[0]
                    else None
                )
                measures = [draw(_measure(f"m-{key}-{i}")) for i in range(draw(st.integers(0, 2)))]
                objectives.append(
                    _compact(
                        {
                            "key": key,
                            "title": draw(NAME),
                            "description": draw(_optional(TEXT)),
                            "customer_voice": draw(_optional(NAME)),
                            "owner": draw(owners),
                            "owner_team": draw(owner_teams),
                            "aligned_to": aligned,
                            "measures": measures,
                        }
                    )
                )
                own_objectives.append(key)
            perspectives.append({"key": p_key, "name": draw(NAME), "objectives": objectives})
        objectives_of_card.append(own_objectives)
        all_objectives = [key for keys in objectives_of_card for key in keys]
        links = []
        if len(all_objectives) >= 2:
            pairs = st.tuples(st.sampled_from(all_objectives), st.sampled_from(all_objectives))
            for cause, effect in draw(
                st.lists(pairs.filter(lambda ce: ce[0] != ce[1]), unique=True, max_size=3)
            ):
                links.append(
                    _compact(
                        {
                            "cause": cause,
                            "effect": effect,
                            "hypothesis": draw(_optional(TEXT)),
                            "lag_months": draw(_optional(st.integers(0, 24))),
                        }
                    )
                )
        initiatives = []
        for i in range(draw(st.integers(0, 2))):
            start = draw(_optional(DAYS))
            initiatives.append(
                _compact(
                    {
                        "key": f"ini-{c}-{i}",
                        "name": draw(NAME),
                        "owner": draw(owners),
                        "owner_team": draw(owner_teams),
                        "budget": draw(_optional(st.floats(min_value=0, max_value=1e9))),
                        "starts_on": start,
                        "ends_on": start if start and draw(st.booleans()) else None,
                        "status": draw(_optional(st.sampled_from(["planned", "active", "done"]))),
                        "objectives": draw(
                            st.lists(st.sampled_from(all_objectives), unique=True, max_size=2)
                        )
                        if all_objectives
                        else [],
                    }
                )
            )
        cards.append(
            _compact(
                {
                    "key": f"card-{c}",
                    "name": draw(NAME),
                    "level": "company" if c == 0 else "department",
                    "parent": parent,
                    "owner_team": draw(owner_teams),
                    "perspectives": perspectives,
                    "links": links,
                    "initiatives": initiatives,
                }
            )
        )

    all_objectives = [key for keys in objectives_of_card for key in keys]
    cycles = []
    okr_keys: list[str] = []
    kr_keys: list[str] = []
    if fixed_containers or draw(st.booleans()):
        okr_objectives = []
        for k in range(draw(st.integers(0, 3))):
            key = f"okr-{draw(st.integers(0, 4))}-{k}"
            key_results = []
            for _ in range(draw(st.integers(0, 2))):
                kr_key = f"kr-{draw(st.integers(0, 5))}-{next(counter)}"
                key_results.append(draw(_key_result(kr_key, list(kr_keys), users)))
                kr_keys.append(kr_key)
            okr_objectives.append(
                _compact(
                    {
                        "key": key,
                        "title": draw(NAME),
                        "level": draw(st.sampled_from(["company", "team", "person"])),
                        "team": draw(owner_teams),
                        "owner": draw(owners),
                        "parent": draw(_optional(st.sampled_from(okr_keys))) if okr_keys else None,
                        "scorecard_objective": draw(_optional(st.sampled_from(all_objectives)))
                        if all_objectives
                        else None,
                        "commitment": draw(
                            _optional(st.sampled_from(["committed", "aspirational"]))
                        ),
                        "grade": draw(_optional(st.floats(min_value=0, max_value=1))),
                        "key_results": key_results,
                    }
                )
            )
            okr_keys.append(key)
        start = draw(DAYS)
        cycles.append(
            {
                "key": "q1",
                "name": draw(NAME),
                "kind": "quarter",
                "starts_on": start,
                "ends_on": start,
                "status": draw(st.sampled_from(["open", "closed"])),
                "objectives": okr_objectives,
            }
        )

    sheets = []
    if employees and (fixed_containers or draw(st.booleans())):
        count = draw(st.integers(1, 3))
        cuts = sorted(
            draw(st.lists(st.integers(1, 99), unique=True, min_size=count - 1, max_size=count - 1))
        )
        weights = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
        objectives = [
            _compact(
                {
                    "key": f"mbo-{i}",
                    "title": draw(NAME),
                    "weight": weight,
                    "achievement": draw(_optional(st.floats(min_value=0, max_value=150))),
                    "okr_objective": draw(_optional(st.sampled_from(okr_keys)))
                    if okr_keys
                    else None,
                    "scorecard_objective": draw(_optional(st.sampled_from(all_objectives)))
                    if all_objectives
                    else None,
                }
            )
            for i, weight in enumerate(weights)
        ]
        sheets.append(
            {
                "key": "s1",
                "employee": draw(st.sampled_from(employees)),
                "period": "2026",
                "objectives": objectives,
            }
        )

    data = {
        "format": "kano-strategy/1",
        "scorecards": cards,
        "okr_cycles": cycles,
        "mbo_sheets": sheets,
    }
    return StrategyDocument.model_validate(data)
