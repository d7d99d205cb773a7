"""``kano worker``'s schedule: many workers, one run per due occurrence, failures logged."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest
from sqlalchemy import update

from kano.adapters.db.orm import ScheduledJobRow, utcnow
from kano.adapters.jobs.worker import Job, Worker
from kano.bootstrap import Container


def counting_job(name: str, runs: list[str], every: timedelta = timedelta(hours=1)) -> Job:
    def run(_container: Container) -> str:
        runs.append(name)
        return f"run {len(runs)}"

    return Job(name, every, run)


def test_of_many_workers_exactly_one_runs_each_due_occurrence(container: Container) -> None:
    runs: list[str] = []
    workers = [Worker(container, [counting_job("tick", runs)]) for _ in range(4)]
    barrier = threading.Barrier(len(workers))

    def run_when_all_ready(worker: Worker) -> None:
        barrier.wait()
        worker.run_due()

    threads = [threading.Thread(target=run_when_all_ready, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert runs == ["tick"]

    # Not due again until its interval has passed …
    for worker in workers:
        worker.run_due()
    assert runs == ["tick"]
    # … then once more, by one worker.
    with container.sessions.begin() as session:
        session.execute(
            update(ScheduledJobRow)
            .where(ScheduledJobRow.name == "tick")
            .values(next_run_at=utcnow() - timedelta(seconds=1))
        )
    for worker in workers:
        worker.run_due()
    assert runs == ["tick", "tick"]


def test_a_failing_job_is_recorded_and_the_worker_goes_on(container: Container) -> None:
    runs: list[str] = []

    def broken(_container: Container) -> str:
        raise RuntimeError("warehouse on fire")

    worker = Worker(
        container, [Job("broken", timedelta(hours=1), broken), counting_job("ok", runs)]
    )
    outcomes = worker.run_due()
    assert [(name, status) for name, status, _ in outcomes] == [("broken", "failed"), ("ok", "ok")]
    assert runs == ["ok"]
    with container.sessions() as session:
        row = session.get(ScheduledJobRow, "broken")
        assert row is not None
        assert row.last_status == "failed"
        assert row.last_message == "RuntimeError: warehouse on fire"
        assert row.last_finished_at is not None


def test_a_routine_jobs_successes_stay_out_of_the_info_log(
    container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_container: Container) -> str:
        raise RuntimeError("disk full")

    every_few_seconds = Job("upkeep", timedelta(seconds=5), lambda _c: "nothing due", routine=True)
    failing = Job("failing-upkeep", timedelta(seconds=5), broken, routine=True)
    with caplog.at_level(logging.INFO, logger="kano.worker"):
        Worker(container, [every_few_seconds, failing, counting_job("hourly", [])]).run_due()
    logged = [record.getMessage() for record in caplog.records if record.levelno >= logging.INFO]
    assert not any("job upkeep" in message for message in logged)
    assert any("job failing-upkeep: failed" in message for message in logged)
    assert any("job hourly: ok" in message for message in logged)
