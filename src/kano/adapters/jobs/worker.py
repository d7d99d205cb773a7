"""``kano worker``: delivers the outbox continuously and runs the periodic jobs.

Workers are stateless: start as many as you like against one app database; each due
occurrence of a job is claimed by exactly one of them (:mod:`kano.adapters.jobs.schedule`).
A job that fails is logged on its row and retried at its next occurrence; the worker
itself keeps going. SIGTERM / SIGINT finish the job in hand, then stop.

The outbox is looked at every ``poll_seconds`` (0.2 s by default, one cheap indexed
query when nothing is due) and again after a short pause while messages are flowing
(at once after a full batch; :func:`kano.adapters.jobs.outbox.deliver_continuously`), in a
thread of its own; the schedule at most every ``SCHEDULE_SECONDS``, since its jobs run
minutes apart. A short poll was chosen over LISTEN/NOTIFY: NOTIFY serialises the
committing transactions on a global lock, a cost every accepted response would pay.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from types import FrameType

from sqlalchemy import select

from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import Workspace, utcnow
from kano.adapters.jobs.schedule import claim_due, ensure_job, record_outcome
from kano.bootstrap import Container
from kano.domain.shared.errors import KanoError

log = logging.getLogger("kano.worker")

COMPUTE_JOB = "compute-bound-metrics"
ESCALATION_JOB = "escalate-overdue-cases"
SCHEDULE_SECONDS = 1.0
UPKEEP_SECONDS = 5


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[Container], str]
    """Runs the job; returns a one-line outcome for the job's row and the log."""
    routine: bool = False
    """Runs every few seconds: its successes are logged at DEBUG, not INFO."""


def refresh_all_workspaces(container: Container) -> str:
    """The compute job: load the app database's new rows into the warehouse, then refresh
    every workspace's live bindings from it, then analyse the comments of each workspace
    whose stored text analysis is not current (after the live values: they must not wait
    for a slow analysis)."""
    from kano.adapters.db.metric_catalogue import workspace_catalogue
    from kano.adapters.jobs.compute import refresh_workspace, warehouse_backend
    from kano.adapters.jobs.segments import refresh_segments_of
    from kano.adapters.jobs.text_insights import analyse_after_load
    from kano.adapters.jobs.warehouse_refresh import load_new_rows

    with container.sessions() as session:
        workspaces = list(session.scalars(select(Workspace.id).order_by(Workspace.id)))
    outcomes = [load_new_rows(container, workspaces)]
    with warehouse_backend(container.settings.resolved_warehouse_url()) as backend:
        outcomes.extend(train_sentiment_models(container, backend, workspaces))
        for workspace_id in workspaces:
            try:  # one workspace's broken custom metric must not stop the others
                with container.sessions() as session:
                    catalogue = workspace_catalogue(session, workspace_id)
            except KanoError as error:
                outcomes.append(f"workspace {workspace_id}: failed, {error}")
                continue
            report = refresh_workspace(
                container.sessions, backend, workspace_id, catalogue, trigger="worker"
            )
            outcomes.append(
                f"workspace {workspace_id}: {report.status}, {report.values_changed} changed"
            )
        if outcomes[0] != "warehouse unchanged":  # new data: segments follow it
            outcomes.extend(refresh_segments_of(container, workspaces, backend))
    # with the read-only backend closed: the analysis writes to the warehouse
    outcomes.extend(analyse_after_load(container.settings.resolved_warehouse_url(), workspaces))
    return "; ".join(outcomes)


def train_sentiment_models(
    container: Container, backend: object, workspaces: list[int]
) -> list[str]:
    """After the warehouse load: retrain the stored sentiment model of each workspace that
    has an enabled sentiment case rule, when its comments changed since the last training
    (or it has no model yet). Workspaces without such a rule cost one query for their rules."""
    from kano.adapters.db.case_rules import rules_of
    from kano.adapters.db.sentiment_models import train_from_warehouse
    from kano.domain.feedback.cases import uses_sentiment

    outcomes = []
    for workspace_id in workspaces:
        with container.sessions() as session:
            if not uses_sentiment(rules_of(session, workspace_id)):
                continue
            try:
                model = train_from_warehouse(session, backend, workspace_id, only_if_changed=True)
            except Exception as error:  # one workspace's failure must not stop the others
                log.exception("sentiment model of workspace %s", workspace_id)
                outcomes.append(f"workspace {workspace_id}: sentiment model failed, {error}")
                continue
            session.commit()
        if model is not None:
            outcomes.append(f"workspace {workspace_id}: sentiment model {model.status}")
    return outcomes


def escalate_cases(container: Container) -> str:
    from kano.adapters.jobs.cases import escalate_overdue_cases

    return escalate_overdue_cases(container)


def remind_invitations(container: Container) -> str:
    from kano.adapters.jobs.invitations import remind_unanswered_invitations

    return remind_unanswered_invitations(container)


def default_jobs(container: Container) -> list[Job]:
    from kano.adapters.jobs.bounces import BOUNCE_JOB, read_bounce_maildir
    from kano.adapters.jobs.idempotency_expiry import EXPIRY_JOB, forget_expired_keys
    from kano.adapters.jobs.invitations import REMINDER_JOB
    from kano.adapters.jobs.outbox_retention import RETENTION_JOB, delete_old_outbox_messages
    from kano.adapters.jobs.segments import SEGMENT_JOB, refresh_all_segments
    from kano.adapters.jobs.table_upkeep import UPKEEP_JOB, keep_tables_planned
    from kano.adapters.jobs.webhook_secret_expiry import (
        SECRET_EXPIRY_JOB,
        forget_replaced_secrets,
    )

    every = timedelta(minutes=container.settings.compute_every_minutes)
    jobs = [
        # Often: the intake's plans go bad within seconds when its tables grow without
        # statistics (table_upkeep.py says why Kano does this at all).
        Job(UPKEEP_JOB, timedelta(seconds=UPKEEP_SECONDS), keep_tables_planned, routine=True),
        Job(ESCALATION_JOB, timedelta(minutes=1), escalate_cases),
        Job(REMINDER_JOB, timedelta(minutes=5), remind_invitations),
        Job(EXPIRY_JOB, timedelta(minutes=10), forget_expired_keys),
        Job(SECRET_EXPIRY_JOB, timedelta(minutes=10), forget_replaced_secrets),
        Job(COMPUTE_JOB, every, refresh_all_workspaces),
        Job(SEGMENT_JOB, timedelta(days=1), refresh_all_segments),
    ]
    if container.settings.outbox_retention_days > 0:  # 0 keeps all: outbox_retention.py
        jobs.append(Job(RETENTION_JOB, timedelta(minutes=10), delete_old_outbox_messages))
    if container.settings.bounce_maildir:  # bounces.py: the Maildir of returned e-mails
        jobs.append(Job(BOUNCE_JOB, timedelta(minutes=1), read_bounce_maildir))
    return jobs


Continuous = Callable[[Container], str | None]
"""Work every worker does on every look (e.g. the outbox): claims its own rows."""


def default_continuous() -> list[Continuous]:
    from kano.adapters.jobs.outbox import deliver_continuously

    return [deliver_continuously]


class Worker:
    def __init__(
        self,
        container: Container,
        jobs: list[Job],
        poll_seconds: float = 0.2,
        continuous: list[Continuous] | None = None,
    ) -> None:
        self.container = container
        self.jobs = jobs
        self.continuous = continuous or []
        self.poll_seconds = poll_seconds
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self._stopping = threading.Event()

    def stop(self, *_: object) -> None:
        self._stopping.set()

    def install_signal_handlers(self) -> None:
        def handler(_signum: int, _frame: FrameType | None) -> None:
            log.info("stopping after the job in hand")
            self.stop()

        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)

    def run_continuous(self) -> list[str]:
        """One round of the continuous work; what it reported."""
        reports = []
        for work in self.continuous:
            try:
                report = work(self.container)
            except Exception:  # e.g. the database restarting: try again next round
                log.exception("%s failed", getattr(work, "__name__", work))
                continue
            if report:
                log.info("%s", report)
                reports.append(report)
        return reports

    def run_due(self) -> list[tuple[str, str, str]]:
        """Run every job that is due and that this worker claims: (job, status, message)."""
        ran = []
        for job in self.jobs:
            now = utcnow()
            with transaction(self.container.sessions) as session:
                ensure_job(session, job.name, first_run_at=now)
                claimed = claim_due(session, job.name, job.every, now, self.name)
            if not claimed:
                continue
            try:
                status, message = "ok", job.run(self.container)
            except Exception as error:  # the worker outlives a failing job
                log.exception("job %s failed", job.name)
                status, message = "failed", f"{type(error).__name__}: {error}"
            with transaction(self.container.sessions) as session:
                record_outcome(session, job.name, utcnow(), status, message[:2000])
            level = logging.DEBUG if job.routine and status == "ok" else logging.INFO
            log.log(level, "job %s: %s — %s", job.name, status, message)
            ran.append((job.name, status, message))
        return ran

    def run_forever(self) -> None:
        """The outbox in a thread of its own, the schedule in this one: a job that runs
        for minutes (a warehouse refresh) never holds an acknowledgement back."""
        log.info("worker %s started: %s", self.name, ", ".join(job.name for job in self.jobs))
        outbox = threading.Thread(target=self._deliver_forever, name="kano-outbox", daemon=True)
        outbox.start()
        while not self._stopping.is_set():
            try:
                self.run_due()
            except Exception:  # e.g. the database restarting: try again next round
                log.exception("the schedule could not be read")
            self._stopping.wait(max(self.poll_seconds, SCHEDULE_SECONDS))
        outbox.join()
        log.info("worker %s stopped", self.name)

    def _deliver_forever(self) -> None:
        while not self._stopping.is_set():
            busy = bool(self.run_continuous())
            if not busy:  # while messages are flowing, go straight on to the next batch
                self._stopping.wait(self.poll_seconds)
