"""The metric catalogue of one workspace: the built-in metrics plus its custom ones."""

from __future__ import annotations

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.orm import CustomMetricRow
from kano.metrics import Catalogue, load_custom_metrics


def workspace_catalogue(session: Session, workspace_id: int) -> Catalogue:
    """Built-in metrics and the workspace's stored custom metrics (parsed afresh)."""
    definitions = list(
        session.scalars(
            select(CustomMetricRow.definition)
            .where(CustomMetricRow.workspace_id == workspace_id)
            .order_by(CustomMetricRow.position, CustomMetricRow.id)
        )
    )
    if not definitions:
        return Catalogue([])
    return Catalogue(load_custom_metrics(yaml.safe_dump({"metrics": definitions})))
