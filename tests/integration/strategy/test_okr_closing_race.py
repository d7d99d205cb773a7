"""Two closes of one cycle at once: the conditional UPDATE lets exactly one through, even
when the other read the cycle as open just before (as a concurrent request would)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.accounts import get_workspace
from kano.adapters.db.okr_closing import Actor, close_cycle
from kano.adapters.db.orm import AuditEntry, OkrCycleRow
from kano.domain.okr.closing import CycleNotOpen
from tests.integration.strategy.seed import seed_people
from tests.integration.strategy.support import example_text, import_text


def test_of_two_closes_only_the_first_claims_the_cycle(sessions: sessionmaker[Session]) -> None:
    seed_people(sessions)
    import_text(sessions, example_text(), "acme")
    with sessions() as first, sessions() as second:
        acme = get_workspace(second, "acme").id
        stale = second.scalar(select(OkrCycleRow).where(OkrCycleRow.key == "2026-q3",
                                                        OkrCycleRow.workspace_id == acme))
        assert stale is not None and stale.status == "open"  # second has seen it open
        second.commit()  # end the read, as a request would between its steps

        close_cycle(first, acme, "2026-q3", None, Actor("first"))
        first.commit()

        assert stale.status == "open"  # what second still believes: only the claim can tell
        with pytest.raises(CycleNotOpen):
            close_cycle(second, acme, "2026-q3", None, Actor("second"))
        second.rollback()

    with sessions() as session:
        closes = session.scalar(select(func.count()).select_from(AuditEntry)
                                .where(AuditEntry.action == "close"))
    assert closes == 1
