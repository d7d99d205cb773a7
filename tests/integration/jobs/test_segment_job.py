"""The worker's segments job (SQLite and PostgreSQL): it is scheduled daily, refreshes
every workspace's segments, and without a loaded warehouse it still refreshes rule
segments while RFM segments wait (reported, members kept)."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import segments
from kano.adapters.db.engine import transaction
from kano.adapters.jobs.segments import SEGMENT_JOB, refresh_all_segments
from kano.adapters.jobs.worker import default_jobs
from kano.bootstrap import Container
from tests.integration.api.seed import seed_workspace

PERSONS = {"all": [{"field": "kind", "op": "eq", "value": "person"}]}


def test_daily_job_refreshes_every_workspace_and_reports_what_waits(
    container: Container, sessions: sessionmaker[Session]
) -> None:
    jobs = {job.name: job for job in default_jobs(container)}
    assert jobs[SEGMENT_JOB].every.days == 1
    acme = seed_workspace(sessions, "acme")
    globex = seed_workspace(sessions, "globex", customers=4)
    with transaction(sessions) as session:
        for ws in (acme, globex):
            segments.save_segment(session, ws.workspace_id, {
                "key": "persons", "name": "Persons", "source": "rule", "rule": PERSONS})
        segments.save_segment(session, acme.workspace_id, {
            "key": "champions", "name": "Champions", "source": "rfm",
            "parameter": "Champions"})  # fmt: skip

    outcome = refresh_all_segments(container)

    # acme: persons 3, key-accounts 2, smb 2 entered; champions waits for the warehouse
    assert f"workspace {acme.workspace_id}: 4 segments, 7 memberships changed, 1 skipped" in (
        outcome)
    assert f"workspace {globex.workspace_id}: 3 segments, 5 memberships changed" in outcome
    with sessions() as session:
        counts = {s.key: s.members_now for s in segments.segment_overview(session,
                                                                          globex.workspace_id)}
    assert counts == {"key-accounts": 2, "smb": 1, "persons": 2}
    assert "0 memberships changed" in refresh_all_segments(container)
