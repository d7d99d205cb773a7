"""A re-import that changes measures bound to metrics: each binding is checked against the
catalogue the workspace has after the import, and the catalogue (built-in metrics plus the
workspace's stored custom metrics, read and parsed) is loaded once for the import, not
once per changed measure. A measure bound to a metric without a unit of its own still takes
the metric's unit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.orm import MeasureRow
from kano.bootstrap import Container
from tests.integration.strategy.seed import seed_people
from tests.integration.strategy.support import import_text

METRICS = """\
metrics:
  - id: web_revenue_share
    name: Web share of revenue
    layer: financial
    unit: "%"
    direction: higher
    source: transactions
    aggregate: ratio
    numerator: {aggregate: sum, value: amount, where: "channel = 'web'"}
    denominator: {aggregate: sum, value: amount}
    scale: 100
"""


def strategy(objectives: int, target: int) -> str:
    """``objectives`` objectives, each with a measure bound to the custom metric (no unit:
    it takes the metric's), one bound to NPS of a segment and one unbound."""
    lines = [
        "format: kano-strategy/1",
        *METRICS.splitlines(),
        "scorecards:",
        "  - key: main",
        "    name: Main",
        "    perspectives:",
        "      - key: customer",
        "        name: Customer",
        "        objectives:",
    ]
    bindings = ("{id: web_revenue_share}", "{id: nps, slice: {segment: smb}}", None)
    for o in range(objectives):
        lines += [
            f"          - key: o{o}",
            f"            title: Objective {o}",
            "            owner: ceo@acme.example",
            "            measures:",
        ]
        for m, binding in enumerate(bindings):
            lines += [
                f"              - key: o{o}-m{m}",
                f"                name: Measure {m} of o{o}",
                "                direction: higher",
                "                amber_from: 1",
                "                green_from: 2",
                f"                target: {target}",
                *([f"                metric: {binding}"] if binding else []),
            ]
    return "\n".join(lines) + "\n"


def custom_metric_reads(container: Container, work: Any) -> int:
    """The statements ``work()`` sends that read the custom metrics table."""
    reads = [0]

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("SELECT") and "FROM custom_metrics" in statement:
            reads[0] += 1

    event.listen(container.engine, "before_cursor_execute", count)
    try:
        work()
    finally:
        event.remove(container.engine, "before_cursor_execute", count)
    return reads[0]


def test_a_reimport_loads_the_catalogue_once_however_many_bound_measures_change(
    sessions: sessionmaker[Session], container: Container
) -> None:
    seed_people(sessions)
    seed_people(sessions, "other", teams=(), employees=())
    few, many = strategy(1, 3), strategy(12, 3)
    import_text(sessions, few, workspace="acme")
    import_text(sessions, many, workspace="other")

    def reimport(objectives: int, workspace: str) -> int:
        changed = strategy(objectives, 4)
        return custom_metric_reads(container, lambda: import_text(sessions, changed, workspace))

    assert reimport(1, "acme") == reimport(12, "other") <= 3
    with sessions() as session:
        rows = session.execute(select(MeasureRow.key, MeasureRow.target, MeasureRow.unit,
                                      MeasureRow.metric_id)).all()  # fmt: skip
    by_key = {key: (target, unit, metric) for key, target, unit, metric in rows}
    assert by_key["o11-m0"] == (4.0, "%", "web_revenue_share")
    assert by_key["o11-m1"][0::2] == (4.0, "nps")
    assert by_key["o11-m2"] == (4.0, None, None)
    assert {target for target, _unit, _metric in by_key.values()} == {4.0}
