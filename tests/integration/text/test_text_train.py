"""The stored sentiment model on the demo company: ``kano text train`` trains and stores it,
and ``kano worker``'s warehouse refresh retrains it when a workspace with a sentiment case
rule has new comments (and leaves workspaces without such a rule alone)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from kano.adapters.db.case_rules import replace_policy
from kano.adapters.db.orm import SentimentModelRow, Workspace
from kano.adapters.jobs.compute import warehouse_backend
from kano.adapters.jobs.worker import train_sentiment_models
from kano.bootstrap import Container, build_container
from kano.config import Settings
from kano.domain.feedback.cases import CaseRule
from tests.integration.warehouse.test_cli import kano


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("text-train-demo")
    result = kano(folder, "demo", "--no-serve")
    assert result.returncode == 0, result.stderr
    return folder


@pytest.fixture
def demo(demo_folder: Path) -> Iterator[Container]:
    built = build_container(Settings(
        database_url=f"sqlite:///{demo_folder / 'kano.db'}",
        secret_key="test-secret-key-0123456789abcdef",
        demo_data_dir=str(demo_folder / "demo-data"),
    ))  # fmt: skip
    yield built
    built.close()


def test_kano_text_train_stores_the_cross_validated_model(
    demo_folder: Path, demo: Container
) -> None:
    result = kano(demo_folder, "text", "train", "--workspace", "demo")
    assert result.returncode == 0, result.stderr
    assert "sentiment model stored" in result.stdout
    assert "Cross-validated accuracy" in result.stdout
    with demo.sessions() as session:
        row = session.scalar(select(SentimentModelRow))
        assert row is not None and row.status == "trained"
        assert row.accuracy is not None and row.accuracy > 0.9 and row.folds == 5
        assert row.labelled > 500 and len(row.coefficients or b"") == 4 * 2**18
    unknown = kano(demo_folder, "text", "train", "--workspace", "nowhere")
    assert unknown.returncode != 0 and "nowhere" in unknown.stdout + unknown.stderr


def test_the_worker_trains_for_workspaces_with_a_sentiment_rule_when_comments_change(
    demo: Container,
) -> None:
    url = demo.settings.resolved_warehouse_url()
    with demo.sessions() as session:
        workspaces = list(session.scalars(select(Workspace.id)))
        session.execute(SentimentModelRow.__table__.delete())
        session.commit()
    with warehouse_backend(url) as backend:
        assert train_sentiment_models(demo, backend, workspaces) == []  # no sentiment rule
    with demo.sessions() as session:
        assert session.scalar(select(SentimentModelRow)) is None
        replace_policy(session, workspaces[0], [CaseRule("negative", kind="sentiment")], [])
        session.commit()
    with warehouse_backend(url) as backend:
        trained = train_sentiment_models(demo, backend, workspaces)
        assert trained == [f"workspace {workspaces[0]}: sentiment model trained"]
        # the comments have not changed since: nothing to do
        assert train_sentiment_models(demo, backend, workspaces) == []
    with demo.sessions() as session:
        row = session.scalar(select(SentimentModelRow))
        assert row is not None and row.coefficients and row.comments_fingerprint
        row.comments_fingerprint = "before the last load"  # as if comments came in since
        session.commit()
    with warehouse_backend(url) as backend:
        assert train_sentiment_models(demo, backend, workspaces) == trained
