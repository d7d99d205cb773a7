"""The demo's pilot in the demo workspace: defined, and evaluated on the warehouse.

``kano demo`` seeds the pilot the generator planted (:mod:`kano.demo.pilot`: SMB customers
book delivery slots from March 2026; key accounts and consumers of the same delivery
teams are the control) through the pilots store, as ``POST /api/v1/pilots`` would, owned
by the delivery manager, and evaluates it as **Evaluate now** does, so /pilots on the demo
shows a pilot whose difference in differences recovers the planted effect. The evaluation
and the definition are audited as ``kano demo``.

Pilots are not business data of the file load (they refer to customers by attributes),
so they survive a reload: seeding again puts the demo pilot (found by its name) back to
the planted definition and evaluates it afresh; a decision and rollout steps a user
recorded on it stay. Its name and hypothesis are written in the demo's language
(``kano demo --language``); it is found by its name in any of them, so a re-run in
another language renames the same pilot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import accounts
from kano.adapters.db import pilots as store
from kano.adapters.db.engine import transaction
from kano.adapters.db.metric_catalogue import workspace_catalogue
from kano.adapters.db.orm import Membership, PilotRow, User
from kano.demo import pilot as planted
from kano.domain.pilots.model import checked_pilot

ACTOR = "kano demo"
OWNER = "tom.becker@northwind.example"
"""The delivery manager (``kano.demo.strategy.DEMO_PEOPLE``), when a member."""


@dataclass(frozen=True)
class DemoPilotReport:
    pilot_id: int
    effect: float | None
    ci_low: float | None
    ci_high: float | None
    pre_trend_rejected: bool | None


PILOT_TEXTS: dict[str, dict[str, str]] = {
    "en": {"name": planted.PILOT_NAME, "hypothesis": planted.PILOT_HYPOTHESIS},
    "ru": {
        "name": "Бронирование окна доставки для клиентов малого и среднего бизнеса",
        "hypothesis": "Когда клиенты малого и среднего бизнеса бронируют окно доставки, "
        "региональные службы доставки планируют маршруты с его учётом и опаздывают вдвое "
        "реже, что повышает CSAT доставки и NPS.",
    },
    "hu": {
        "name": "Szállítási időpont foglalása kkv-ügyfeleknek",
        "hypothesis": "Ha a kkv-ügyfelek szállítási időpontot foglalnak, a regionális "
        "kiszállítási csapatok ehhez igazítják az útvonalaikat, és feleannyiszor késnek, ami "
        "javítja a kiszállítás CSAT-értékét és az NPS-t.",
    },
}
"""The pilot's name and hypothesis in each language the demo is written in."""


def definition(owner: str | None, language: str = "en") -> dict[str, Any]:
    """The demo pilot as the API's body, its texts in ``language``."""
    return {
        "name": PILOT_TEXTS[language]["name"],
        "hypothesis": PILOT_TEXTS[language]["hypothesis"],
        "pilot_group": planted.PILOT_GROUP,
        "control_group": planted.CONTROL_GROUP,
        "kpis": [planted.PILOT_KPI],
        "baseline_start": planted.BASELINE_START,
        "baseline_end": planted.BASELINE_END,
        "test_start": planted.TEST_START,
        "test_end": planted.TEST_END,
        "owner": owner,
        "status": "running",
        "target_effect": 5.0,
    }


def _owner(session: Session, workspace_id: int) -> str | None:
    """The delivery manager when a member (the demo strategy's import makes them one)."""
    member = session.scalar(
        select(User.id)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.workspace_id == workspace_id, User.email == OWNER)
    )
    return OWNER if member is not None else None


def seed_demo_pilot(
    sessions: sessionmaker[Session], workspace: str, warehouse_url: str, language: str = "en"
) -> DemoPilotReport:
    """Define (or put back) the demo pilot in ``workspace``, named in ``language``, and
    evaluate it on the warehouse at ``warehouse_url``, which holds the workspace's data."""
    from kano.adapters.warehouse.reading import read_only_warehouse
    from kano.analytics.pilots.views import evaluate_on_warehouse

    with transaction(sessions) as session:
        workspace_id = accounts.get_workspace(session, workspace).id
        catalogue = workspace_catalogue(session, workspace_id)
        existing = session.scalar(
            select(PilotRow.id).where(
                PilotRow.workspace_id == workspace_id,
                PilotRow.name.in_([texts["name"] for texts in PILOT_TEXTS.values()]),
            )
        )
        body = definition(_owner(session, workspace_id), language)
        if existing is None:
            line = store.create_pilot(session, workspace_id, body, metric_ids=catalogue.ids(),
                                      actor=ACTOR, user_id=None)  # fmt: skip
        else:
            kept = store.get_pilot(session, workspace_id, existing)
            if kept.decision is not None:  # a decision a user recorded stays
                body["status"] = kept.status
            line = store.update_pilot(session, workspace_id, existing, body,
                                      metric_ids=catalogue.ids(), actor=ACTOR,
                                      user_id=None)  # fmt: skip
        draft = checked_pilot(line.fields())
        with read_only_warehouse(warehouse_url) as backend:
            evaluation = evaluate_on_warehouse(
                backend, workspace_id, [catalogue.get(planted.PILOT_KPI)],
                draft.pilot_group, draft.control_group,
                (draft.baseline_start, draft.baseline_end, draft.test_start, draft.test_end),
            )  # fmt: skip
        store.save_evaluation(session, workspace_id, line.id, evaluation, actor=ACTOR,
                              user_id=None)  # fmt: skip
    result = evaluation["kpis"][planted.PILOT_KPI]
    return DemoPilotReport(line.id, result.get("effect"), result.get("ci_low"),
                           result.get("ci_high"), result["pre_trend"].get("rejected"))  # fmt: skip


def load_demo_pilot(workspace: str, language: str = "en") -> DemoPilotReport:
    """``seed_demo_pilot`` on the configured database and warehouse (what ``kano demo``
    calls, after the warehouse load and the strategy import)."""
    from kano.bootstrap import build_container

    container = build_container()
    try:
        return seed_demo_pilot(
            container.sessions, workspace, container.settings.resolved_warehouse_url(), language
        )
    finally:
        container.close()


def describe(report: DemoPilotReport) -> str:
    """One line for the command's output."""
    if report.effect is None or report.ci_low is None or report.ci_high is None:
        return f"Demo pilot {report.pilot_id} defined; its evaluation has no effect."
    trend = "parallel before" if not report.pre_trend_rejected else "NOT parallel before"
    return (
        f"Demo pilot {report.pilot_id} ({planted.PILOT_NAME}) evaluated: on-time delivery "
        f"{report.effect:+.1f} pp (95 % CI {report.ci_low:+.1f} … {report.ci_high:+.1f}), "
        f"groups {trend} the pilot."
    )
