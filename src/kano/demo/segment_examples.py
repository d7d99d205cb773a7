"""The demo company's example segments, one of each kind, computed when the demo is built.

- *Key accounts at risk* (rule): key accounts that have not ordered for 60 days or more.
- *Champions* (RFM): the customers the RFM analysis names Champions.
- *Tier A* (value tier): the top 20 % of customers by revenue in the last 12 months.
- *Attractive, weak relationship* (client-matrix cell ``high-low``): accounts worth
  investing in whose relationship is weak — the cell whose strategy is "raise loyalty".

They are refreshed as of the day after the data's last order (the day the /value pages
score on), so the numbers agree with those pages.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import Transaction
from kano.adapters.db.segment_refresh import RefreshReport, refresh_segments
from kano.adapters.db.segments import save_segment

AT_RISK_DAYS = 60
NAMES = {
    "key-accounts-at-risk": {"en": "Key accounts at risk",
                             "ru": "Ключевые клиенты под угрозой",
                             "hu": "Veszélyben lévő kulcsügyfelek"},
    "champions": {"en": "Champions", "ru": "Чемпионы", "hu": "Bajnokok"},
    "tier-a": {"en": "Tier A (top 20 % by 12-month revenue)",
               "ru": "Уровень A (20 % лучших по выручке за 12 месяцев)",
               "hu": "A szint (12 havi árbevétel szerinti felső 20 %)"},
    "attractive-weak-relationship": {"en": "Attractive, weak relationship",
                                     "ru": "Привлекательные, слабые отношения",
                                     "hu": "Vonzó, gyenge kapcsolat"},
}  # fmt: skip


def demo_definitions(
    language: str = "en", key_segment: str = "key_account"
) -> list[dict[str, Any]]:
    """The four example segments, named in ``language`` (en, ru, hu)."""

    def name(key: str) -> str:
        return NAMES[key].get(language, NAMES[key]["en"])

    at_risk = {"all": [
        {"field": "segment", "op": "eq", "value": key_segment},
        {"field": "days_since_last_order", "op": "gte", "value": AT_RISK_DAYS},
    ]}  # fmt: skip
    return [
        {"key": "key-accounts-at-risk", "name": name("key-accounts-at-risk"), "source": "rule",
         "rule": at_risk,
         "description": f"Key accounts without an order for {AT_RISK_DAYS} days or more."},
        {"key": "champions", "name": name("champions"), "source": "rfm",
         "parameter": "Champions"},
        {"key": "tier-a", "name": name("tier-a"), "source": "value_tier", "parameter": "A"},
        {"key": "attractive-weak-relationship", "name": name("attractive-weak-relationship"),
         "source": "matrix_cell", "parameter": "high-low"},
    ]  # fmt: skip


def scoring_day(session: Session, workspace_id: int) -> datetime | None:
    """Midnight after the workspace's last order (None without orders)."""
    last = session.scalar(
        select(func.max(Transaction.occurred_at)).where(Transaction.workspace_id == workspace_id)
    )
    if last is None:
        return None
    return datetime(last.year, last.month, last.day) + timedelta(days=1)


def seed_demo_segments(
    sessions: sessionmaker[Session], workspace: str, warehouse: Any, language: str = "en"
) -> RefreshReport | None:
    """Define the example segments and compute every segment of the workspace."""
    with transaction(sessions) as session:
        workspace_id = accounts.get_workspace(session, workspace).id
        for definition in demo_definitions(language):
            save_segment(session, workspace_id, definition)
        day = scoring_day(session, workspace_id)
        if day is None:
            return None
        return refresh_segments(session, workspace_id, day, warehouse=warehouse)


def load_demo_segments(workspace: str, language: str = "en") -> str:
    """``seed_demo_segments`` on the configured database and warehouse (``kano demo``)."""
    from kano.adapters.jobs.segments import warehouse_if_loaded
    from kano.bootstrap import build_container

    container = build_container()
    try:
        with warehouse_if_loaded(container.settings.resolved_warehouse_url()) as backend:
            report = seed_demo_segments(container.sessions, workspace, backend, language)
    finally:
        container.close()
    if report is None:
        return "Demo segments defined (no orders yet, so no members)."
    sizes = ", ".join(f"{s.key} {s.members:,}" for s in report.segments)
    return f"Segments as of {report.as_of:%d %b %Y}: {sizes}."
