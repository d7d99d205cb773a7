"""A workspace's case rules and routing table in the app database: read them, replace
them as a whole, and decide for a set of responses which open a case and where it goes.

Both intake paths (one response, :mod:`feedback_intake`; a batch, :mod:`feedback_bulk`)
call :func:`decide_cases`, so one response opens the same case with the same team
whichever way it came in. The matching itself is the domain's
(:meth:`CaseRule.matches`, :func:`case_team`); this module only fetches the facts:
the workspace's rules (one query; no rows means ``DEFAULT_RULES``), the customers'
attributes and segments (one query, only when a rule or route looks at them), the
routing table and the teams' ids (only when a case opens), and the comments' sentiment
(only when an enabled rule is of kind ``sentiment``: the workspace's stored model, loaded
once per process, scores the batch's comments in one call; no model: the rule does not
fire).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kano.adapters.db.orm import (
    CaseRouteRow,
    CaseRuleRow,
    Customer,
    Segment,
    Team,
    Touchpoint,
)
from kano.domain.feedback.answers import Answers
from kano.domain.feedback.cases import (
    DEFAULT_RULES,
    CaseRoute,
    CaseRule,
    CustomerFacts,
    case_team,
    check_rules,
    first_matching_rule,
    uses_sentiment,
)
from kano.domain.shared.errors import InvalidInput


@dataclass(frozen=True)
class CasePolicy:
    """The rules in force (``custom`` False: the defaults) and the routing table."""

    rules: tuple[CaseRule, ...]
    routes: tuple[CaseRoute, ...]
    custom: bool


def rule_of(row: CaseRuleRow) -> CaseRule:
    return CaseRule(
        key=row.key,
        kind=row.kind,
        question=row.question,
        comparison=row.comparison,
        threshold=row.threshold,
        keywords=tuple(row.keywords or ()),
        segment=row.segment_key,
        vip_attribute=row.vip_attribute,
        vip_accounts=tuple(row.vip_accounts or ()),
        priority=row.priority,
        first_response_hours=row.first_response_hours,
        resolution_hours=row.resolution_hours,
        team=row.team_key,
        enabled=row.enabled,
        **(
            {}
            if row.threshold_probability is None
            else {"threshold_probability": row.threshold_probability}
        ),
    )


def rules_of(session: Session, workspace_id: int) -> tuple[CaseRule, ...]:
    """The workspace's own rules in order (empty: it uses ``DEFAULT_RULES``)."""
    rows = session.scalars(
        select(CaseRuleRow)
        .where(CaseRuleRow.workspace_id == workspace_id)
        .order_by(CaseRuleRow.position, CaseRuleRow.id)
    )
    return tuple(rule_of(row) for row in rows)


def routes_of(session: Session, workspace_id: int) -> tuple[CaseRoute, ...]:
    rows = session.execute(
        select(CaseRouteRow.team_key, CaseRouteRow.touchpoint_key, CaseRouteRow.segment_key)
        .where(CaseRouteRow.workspace_id == workspace_id)
        .order_by(CaseRouteRow.position, CaseRouteRow.id)
    )
    return tuple(CaseRoute(team, touchpoint, segment) for team, touchpoint, segment in rows)


def policy_of(session: Session, workspace_id: int) -> CasePolicy:
    rules = rules_of(session, workspace_id)
    return CasePolicy(rules or DEFAULT_RULES, routes_of(session, workspace_id), bool(rules))


@dataclass(frozen=True)
class CaseDecision:
    """A case to open: the rule, and the team it is routed to (None: the touchpoint's
    owner team, which the caller knows)."""

    rule: CaseRule
    team_id: int | None


@dataclass(frozen=True)
class Candidate:
    """A stored response as case rules see it."""

    answers: Answers
    customer_id: int | None
    touchpoint_id: int | None


def decide_cases(
    session: Session, workspace_id: int, candidates: Sequence[Candidate]
) -> list[CaseDecision | None]:
    """For each candidate, the case it opens (or None)."""
    if not candidates:
        return []
    rules = rules_of(session, workspace_id) or DEFAULT_RULES
    looks_at_customers = any(rule.kind in ("vip", "segment") for rule in rules)
    facts: dict[int, CustomerFacts] = {}
    if looks_at_customers:
        facts = _facts(session, workspace_id, candidates)
    negative: Sequence[float | None] = [None] * len(candidates)
    if uses_sentiment(rules):  # else no model is loaded and nothing is scored
        from kano.adapters.db.sentiment_models import negative_probabilities

        scored = negative_probabilities(
            session, workspace_id, [candidate.answers.comment for candidate in candidates]
        )
        negative = scored if scored is not None else negative
    matched = [
        first_matching_rule(
            rules,
            candidate.answers,
            facts.get(candidate.customer_id) if candidate.customer_id is not None else None,
            p_negative,
        )
        for candidate, p_negative in zip(candidates, negative, strict=True)
    ]
    if not any(matched):
        return [None] * len(candidates)
    routes = routes_of(session, workspace_id)
    needs_routing = bool(routes) or any(rule is not None and rule.team for rule in matched)
    if not needs_routing:
        return [None if rule is None else CaseDecision(rule, None) for rule in matched]
    if not looks_at_customers and any(route.segment for route in routes):
        facts = _facts(session, workspace_id, candidates)
    touchpoints = _touchpoint_keys(session, workspace_id, candidates, matched)
    team_keys = [
        None
        if rule is None
        else case_team(
            rule,
            routes,
            touchpoints.get(candidate.touchpoint_id or 0),
            _segment(facts, candidate.customer_id),
        )
        for candidate, rule in zip(candidates, matched, strict=True)
    ]
    team_ids = _team_ids(session, workspace_id, {key for key in team_keys if key})
    return [
        None if rule is None else CaseDecision(rule, team_ids.get(key) if key is not None else None)
        for rule, key in zip(matched, team_keys, strict=True)
    ]


def _segment(facts: Mapping[int, CustomerFacts], customer_id: int | None) -> str | None:
    if customer_id is None or customer_id not in facts:
        return None
    return facts[customer_id].segment


def _facts(
    session: Session, workspace_id: int, candidates: Sequence[Candidate]
) -> dict[int, CustomerFacts]:
    ids = sorted({c.customer_id for c in candidates if c.customer_id is not None})
    facts: dict[int, CustomerFacts] = {}
    for start in range(0, len(ids), 5000):
        rows = session.execute(
            select(Customer.id, Customer.external_id, Customer.attributes, Segment.key)
            .outerjoin(Segment, Segment.id == Customer.segment_id)
            .where(
                Customer.workspace_id == workspace_id, Customer.id.in_(ids[start : start + 5000])
            )
        )
        for customer_id, external_id, attributes, segment in rows:
            facts[customer_id] = CustomerFacts(external_id, attributes or {}, segment)
    return facts


def _touchpoint_keys(
    session: Session,
    workspace_id: int,
    candidates: Sequence[Candidate],
    matched: Sequence[CaseRule | None],
) -> dict[int, str]:
    ids = sorted(
        {
            c.touchpoint_id
            for c, rule in zip(candidates, matched, strict=True)
            if rule is not None and c.touchpoint_id is not None
        }
    )
    if not ids:
        return {}
    return {
        touchpoint_id: key
        for touchpoint_id, key in session.execute(
            select(Touchpoint.id, Touchpoint.key).where(
                Touchpoint.workspace_id == workspace_id, Touchpoint.id.in_(ids)
            )
        )
    }


def _team_ids(session: Session, workspace_id: int, keys: set[str]) -> dict[str, int]:
    if not keys:
        return {}
    return {
        key: team_id
        for key, team_id in session.execute(
            select(Team.key, Team.id).where(Team.workspace_id == workspace_id, Team.key.in_(keys))
        )
    }


# --- the whole list as a document (API body, YAML file) ------------------------------

RULE_FIELDS = (
    "key", "kind", "question", "comparison", "threshold", "keywords", "segment",
    "vip_attribute", "vip_accounts", "priority", "first_response_hours", "resolution_hours",
    "team", "enabled", "threshold_probability",
)  # fmt: skip
ROUTE_FIELDS = ("touchpoint", "segment", "team")


def rule_document(rule: CaseRule) -> dict[str, Any]:
    """A rule as plain data, leaving out what is empty or default for its kind."""
    out: dict[str, Any] = {"key": rule.key, "kind": rule.kind}
    if rule.question is not None:
        out |= {
            "question": rule.question,
            "comparison": rule.comparison,
            "threshold": rule.threshold,
        }
    if rule.keywords:
        out["keywords"] = list(rule.keywords)
    if rule.segment:
        out["segment"] = rule.segment
    if rule.vip_attribute:
        out["vip_attribute"] = True
    if rule.vip_accounts:
        out["vip_accounts"] = list(rule.vip_accounts)
    out |= {
        "priority": rule.priority,
        "first_response_hours": rule.first_response_hours,
        "resolution_hours": rule.resolution_hours,
    }
    if rule.kind == "sentiment":
        out["threshold_probability"] = rule.threshold_probability
    if rule.team:
        out["team"] = rule.team
    if not rule.enabled:
        out["enabled"] = False
    return out


def route_document(route: CaseRoute) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if route.touchpoint:
        out["touchpoint"] = route.touchpoint
    if route.segment:
        out["segment"] = route.segment
    out["team"] = route.team
    return out


def document_of(session: Session, workspace_id: int) -> dict[str, Any]:
    """``{"rules": [...], "routes": [...], "defaults": bool}`` — with no rules of its own
    the workspace shows the defaults it uses."""
    policy = policy_of(session, workspace_id)
    return {
        "rules": [rule_document(rule) for rule in policy.rules],
        "routes": [route_document(route) for route in policy.routes],
        "defaults": not policy.custom,
    }


def parse_document(data: Any) -> tuple[list[CaseRule], list[CaseRoute]]:
    """Rules and routes from plain data (a YAML file, a JSON body); ``InvalidInput``
    names the field, as ``rules.2.threshold``."""
    if not isinstance(data, Mapping):
        raise InvalidInput("rules", "expected a mapping with rules (and routes)")
    unknown = set(data) - {"rules", "routes", "defaults"}
    if unknown:
        raise InvalidInput(sorted(unknown)[0], "unknown field (use rules and routes)")
    rules_data = data.get("rules", [])
    routes_data = data.get("routes") or []
    if not isinstance(rules_data, list):
        raise InvalidInput("rules", "expected a list")
    if not isinstance(routes_data, list):
        raise InvalidInput("routes", "expected a list")
    rules = [_parse(CaseRule, item, f"rules.{i}", RULE_FIELDS) for i, item in enumerate(rules_data)]
    routes = [
        _parse(CaseRoute, item, f"routes.{i}", ROUTE_FIELDS) for i, item in enumerate(routes_data)
    ]
    check_rules(rules)
    return rules, routes


_NULLABLE = frozenset({"question", "segment", "team", "touchpoint"})
_TYPES: dict[str, tuple[type, ...]] = {
    "threshold": (int,),
    "priority": (int,),
    "first_response_hours": (int, float),
    "resolution_hours": (int, float),
    "threshold_probability": (int, float),
    "vip_attribute": (bool,),
    "enabled": (bool,),
}


def _parse(kind: Any, item: Any, where: str, fields: Sequence[str]) -> Any:
    if not isinstance(item, Mapping):
        raise InvalidInput(where, "expected a mapping")
    values: dict[str, Any] = {}
    for name, value in item.items():
        if name not in fields:
            raise InvalidInput(f"{where}.{name}", "unknown field")
        wanted = _TYPES.get(name, (str,))
        if name in ("keywords", "vip_accounts"):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise InvalidInput(f"{where}.{name}", "expected a list of texts")
            value = tuple(value)
        elif value is None and name not in _NULLABLE:
            raise InvalidInput(f"{where}.{name}", "must not be empty")
        elif value is not None and (
            not isinstance(value, wanted) or (bool not in wanted and isinstance(value, bool))
        ):
            raise InvalidInput(f"{where}.{name}", f"expected {wanted[0].__name__}")
        values[name] = value
    try:
        return kind(**values)
    except InvalidInput as error:
        raise InvalidInput(f"{where}.{error.field}", error.message) from None
    except TypeError:  # a required field is missing
        missing = "key" if kind is CaseRule else "team"
        raise InvalidInput(f"{where}.{missing}", "is required") from None


def check_references(
    session: Session, workspace_id: int, rules: Sequence[CaseRule], routes: Sequence[CaseRoute]
) -> None:
    """Every team, segment and touchpoint named exists in the workspace."""
    known = {
        "team": set(session.scalars(select(Team.key).where(Team.workspace_id == workspace_id))),
        "segment": set(
            session.scalars(select(Segment.key).where(Segment.workspace_id == workspace_id))
        ),
        "touchpoint": set(
            session.scalars(select(Touchpoint.key).where(Touchpoint.workspace_id == workspace_id))
        ),
    }
    for index, rule in enumerate(rules):
        for name, value in (("team", rule.team), ("segment", rule.segment)):
            if value is not None and value not in known[name]:
                raise InvalidInput(
                    f"rules.{index}.{name}", f"no {name} {value!r} in this workspace"
                )
    for index, route in enumerate(routes):
        for name, value in (
            ("team", route.team),
            ("segment", route.segment),
            ("touchpoint", route.touchpoint),
        ):
            if value is not None and value not in known[name]:
                raise InvalidInput(
                    f"routes.{index}.{name}", f"no {name} {value!r} in this workspace"
                )


def replace_policy(
    session: Session, workspace_id: int, rules: Sequence[CaseRule], routes: Sequence[CaseRoute]
) -> None:
    """Replace the workspace's rules and routes with these (the caller commits). An empty
    rule list goes back to the defaults."""
    check_rules(rules)
    check_references(session, workspace_id, rules, routes)
    session.execute(delete(CaseRuleRow).where(CaseRuleRow.workspace_id == workspace_id))
    session.execute(delete(CaseRouteRow).where(CaseRouteRow.workspace_id == workspace_id))
    session.add_all(
        CaseRuleRow(
            workspace_id=workspace_id,
            position=position,
            key=rule.key,
            kind=rule.kind,
            question=rule.question,
            comparison=rule.comparison,
            threshold=rule.threshold,
            keywords=list(rule.keywords) or None,
            segment_key=rule.segment,
            vip_attribute=rule.vip_attribute,
            vip_accounts=list(rule.vip_accounts) or None,
            priority=rule.priority,
            first_response_hours=float(rule.first_response_hours),
            resolution_hours=float(rule.resolution_hours),
            team_key=rule.team,
            enabled=rule.enabled,
            threshold_probability=(
                float(rule.threshold_probability) if rule.kind == "sentiment" else None
            ),
        )
        for position, rule in enumerate(rules)
    )
    session.add_all(
        CaseRouteRow(
            workspace_id=workspace_id,
            position=position,
            touchpoint_key=route.touchpoint,
            segment_key=route.segment,
            team_key=route.team,
        )
        for position, route in enumerate(routes)
    )
    session.flush()


def policy_warnings(session: Session, workspace_id: int, rules: Sequence[CaseRule]) -> list[str]:
    """What the user should know about rules that are valid but will not fire yet: an
    enabled sentiment rule while the workspace has no trained sentiment model."""
    if not uses_sentiment(rules):
        return []
    from kano.adapters.db.sentiment_models import model_summary

    summary = model_summary(session, workspace_id)
    if summary is not None and summary["usable"]:
        return []
    why = "" if summary is None else f" ({summary['message']})"
    keys = ", ".join(rule.key for rule in rules if rule.enabled and rule.kind == "sentiment")
    return [
        f"{keys}: no sentiment model is trained for this workspace yet{why}, so the "
        "sentiment rule does not open cases until one is (kano text train, or the worker "
        "after the next warehouse load)."
    ]
