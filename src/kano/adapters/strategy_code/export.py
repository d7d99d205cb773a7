"""Export a workspace's strategy as a document, and that document as YAML.

The order is fixed: custom metrics as the file that stored them listed them (each its
mapping as written); scorecards, cycles and sheets by key; perspectives, objectives,
measures, OKR objectives, key results and MBO objectives by their stored position (the
order of the file they came from); values by period, check-ins by time, links by their
ends. Models are built with ``model_construct`` so whatever the database holds can be
exported, even a draft MBO sheet whose weights do not add up yet (the import says so).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from typing import Any

from sqlalchemy.orm import Session

from kano.adapters.db.accounts import get_workspace
from kano.adapters.strategy_code import entries as e
from kano.adapters.strategy_code import schema as s
from kano.adapters.strategy_code.metrics import exported_metrics
from kano.adapters.strategy_code.snapshot import (
    PeopleNames,
    Snapshot,
    load_people_names,
    load_snapshot,
)
from kano.adapters.strategy_code.yaml_style import dump_yaml
from kano.domain.okr.live_window import Per
from kano.domain.okr.model import Commitment, KeyResultKind
from kano.domain.strategy.scoring import Direction


class _Children:
    """Stored rows grouped under their parent's identity, in export order."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._by_parent: dict[str, dict[Hashable, list[tuple[Hashable, Any]]]] = {}
        for entity in e.ENTITIES:
            grouped: dict[Hashable, list[tuple[Hashable, Any]]] = defaultdict(list)
            for identity, row in snapshot.rows[entity].items():
                grouped[snapshot.parents[entity][identity]].append((identity, row))
            for rows in grouped.values():
                rows.sort(key=lambda pair: _order(pair[0], pair[1]))
            self._by_parent[entity] = grouped

    def of(self, entity: str, parent: Hashable) -> list[Any]:
        return [row for _identity, row in self._by_parent[entity].get(parent, [])]

    def identities(self, entity: str, parent: Hashable) -> list[Any]:
        return [identity for identity, _row in self._by_parent[entity].get(parent, [])]

    def key(self, entity: str, row_id: int | None) -> Any:
        return self.snapshot.key_of(entity, row_id)


def _order(identity: Hashable, row: Any) -> tuple[Any, ...]:
    # Identities of one entity share a shape (a key, or a tuple of keys and dates).
    return (getattr(row, "position", 0), identity)


def _metric(row: Any) -> s.MetricBinding | None:
    if row.metric_id is None:
        return None
    metric_slice = _sorted_json(row.metric_slice)
    return s.MetricBinding.model_construct(id=row.metric_id, slice=metric_slice)


def _sorted_json(value: Any) -> Any:
    """JSON with mapping keys sorted, so a slice exports the same whatever its stored order."""
    if isinstance(value, dict):
        return {key: _sorted_json(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted_json(item) for item in value]
    return value


def _columns(row: Any, *names: str) -> dict[str, Any]:
    return {name: getattr(row, name) for name in names}


def build_document(session: Session, workspace_slug: str) -> s.StrategyDocument:
    workspace = get_workspace(session, workspace_slug)
    snapshot = load_snapshot(session, workspace.id)
    names = load_people_names(session, workspace.id)
    tree = _Children(snapshot)
    return s.StrategyDocument.model_construct(
        format=s.FORMAT,
        metrics=exported_metrics(session, workspace.id),
        scorecards=[_scorecard(tree, names, row) for row in tree.of(e.SCORECARD, None)],
        okr_cycles=[_cycle(tree, names, row) for row in tree.of(e.OKR_CYCLE, None)],
        mbo_sheets=[_sheet(tree, names, row) for row in tree.of(e.MBO_SHEET, None)],
    )


def _scorecard(tree: _Children, names: PeopleNames, card: Any) -> s.Scorecard:
    links = []
    for card_key, cause, effect in tree.identities(e.LINK, card.key):
        row = tree.snapshot.rows[e.LINK][(card_key, cause, effect)]
        links.append(
            s.Link.model_construct(
                cause=cause, effect=effect, **_columns(row, "hypothesis", "lag_months")
            )
        )
    links.sort(key=lambda link: (link.cause, link.effect))
    initiatives = [
        s.Initiative.model_construct(
            **_columns(row, "key", "name", "budget", "starts_on", "ends_on", "status"),
            owner=names.users.get(row.owner_user_id),
            owner_team=names.teams.get(row.owner_team_id),
            objectives=sorted(
                objective for _, objective in tree.identities(e.INITIATIVE_OBJECTIVE, row.key)
            ),
        )
        for row in sorted(tree.of(e.INITIATIVE, card.key), key=lambda r: r.key)
    ]
    perspectives = [
        s.Perspective.model_construct(
            key=row.key,
            name=row.name,
            objectives=[
                _objective(tree, names, o) for o in tree.of(e.OBJECTIVE, (card.key, row.key))
            ],
        )
        for row in tree.of(e.PERSPECTIVE, card.key)
    ]
    return s.Scorecard.model_construct(
        **_columns(card, "key", "name", "level"),
        parent=tree.key(e.SCORECARD, card.parent_id),
        owner_team=names.teams.get(card.owner_team_id),
        perspectives=perspectives,
        links=links,
        initiatives=initiatives,
    )


def _objective(tree: _Children, names: PeopleNames, row: Any) -> s.Objective:
    return s.Objective.model_construct(
        **_columns(row, "key", "title", "description", "customer_voice"),
        owner=names.users.get(row.owner_user_id),
        owner_team=names.teams.get(row.owner_team_id),
        aligned_to=tree.key(e.OBJECTIVE, row.aligned_to_id),
        measures=[_measure(tree, m) for m in tree.of(e.MEASURE, row.key)],
    )


def _measure(tree: _Children, row: Any) -> s.Measure:
    values = [
        s.MeasureValue.model_construct(
            period=value.period_start,
            **_columns(
                value, "actual", "target", "source", "n", "ci_low", "ci_high", "computed_at"
            ),
        )
        for value in tree.of(e.MEASURE_VALUE, row.key)
    ]
    return s.Measure.model_construct(
        **_columns(row, "key", "name", "unit", "baseline", "target", "amber_from"),
        direction=Direction(row.direction),
        **_columns(row, "green_from", "band_low", "band_high", "tolerance", "weight"),
        **_columns(row, "frequency", "kind"),
        metric=_metric(row),
        values=sorted(values, key=lambda v: v.period),
    )


def _cycle(tree: _Children, names: PeopleNames, row: Any) -> s.OkrCycle:
    return s.OkrCycle.model_construct(
        **_columns(row, "key", "name", "kind", "starts_on", "ends_on", "status"),
        objectives=[
            _okr_objective(tree, names, o, row) for o in tree.of(e.OKR_OBJECTIVE, row.key)
        ],
    )


def _okr_objective(tree: _Children, names: PeopleNames, row: Any, cycle: Any) -> s.OkrObjective:
    return s.OkrObjective.model_construct(
        **_columns(row, "key", "title", "level"),
        team=names.teams.get(row.team_id),
        owner=names.users.get(row.owner_user_id),
        parent=tree.key(e.OKR_OBJECTIVE, row.parent_id),
        scorecard_objective=tree.key(e.OBJECTIVE, row.scorecard_objective_id),
        commitment=Commitment(row.commitment),
        grade=row.grade,
        key_results=[
            _key_result(tree, names, kr, cycle) for kr in tree.of(e.KEY_RESULT, row.key)
        ],
    )


def _key_result(tree: _Children, names: PeopleNames, row: Any, cycle: Any) -> s.KeyResult:
    check_ins = [
        s.CheckIn.model_construct(
            **_columns(c, "at", "value", "confidence", "comment"),
            author=names.users.get(c.author_user_id),
        )
        for c in tree.of(e.CHECK_IN, row.key)
    ]
    return s.KeyResult.model_construct(
        **_columns(row, "key", "title", "unit", "start", "target", "current"),
        kind=KeyResultKind(row.kind),
        **_columns(row, "band_low", "band_high", "milestones_done", "milestones_total", "done"),
        weight=row.weight,
        # The cycle's end is what a left-out due_on means; none stored (a key result from
        # before due dates) reads the same way, and the next import stores that day.
        due_on=None if row.due_on == cycle.ends_on else row.due_on,
        metric=_metric(row),
        per=Per(row.per),
        carried_over_from=tree.key(e.KEY_RESULT, row.carried_over_from_id),
        check_ins=sorted(check_ins, key=lambda c: c.at),
    )


def _sheet(tree: _Children, names: PeopleNames, row: Any) -> s.MboSheet:
    objectives = [
        s.MboObjective.model_construct(
            key=o.key,
            title=o.title,
            weight=o.weight_percent,
            achievement=o.achievement_percent,
            okr_objective=tree.key(e.OKR_OBJECTIVE, o.okr_objective_id),
            scorecard_objective=tree.key(e.OBJECTIVE, o.scorecard_objective_id),
            comment=o.review_comment,
        )
        for o in tree.of(e.MBO_OBJECTIVE, row.key)
    ]
    return s.MboSheet.model_construct(
        key=row.key,
        employee=names.employees[row.employee_id],
        period=row.period_label,
        status=row.status,
        comment=row.review_comment,
        objectives=objectives,
    )


def export_yaml(session: Session, workspace_slug: str) -> str:
    """The workspace's whole strategy as YAML; the same data always gives the same bytes."""
    document = build_document(session, workspace_slug)
    header = (
        f"# Strategy of workspace '{workspace_slug}' (kano strategy export).\n"
        f"# Edit, then: kano strategy import FILE --workspace {workspace_slug} --dry-run\n"
    )
    return dump_yaml(s.document_dump(document), header)
