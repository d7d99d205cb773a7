"""Custom metrics in the strategy file (``metrics:``) and the metric bindings that use them.

Each entry is checked by the same parser as ``kano metrics --definitions`` files, with its
errors pointed at the strategy file's lines; an id may not repeat or take a built-in's.
Every measure's and key result's ``metric`` must then name a metric of the catalogue the
workspace will have after the import: the built-ins plus the file's custom metrics (or,
when the file has no ``metrics:``, the ones already stored).

A file that lists ``metrics:`` replaces the workspace's custom metrics with that list (an
empty list removes them all); a file without it leaves them alone, as it leaves alone the
scorecards it does not mention. Each metric is stored as the mapping the file wrote, and
exported as exactly that mapping, so export → import → export gives the same bytes.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from kano.adapters.db.accounts import audit
from kano.adapters.db.metric_catalogue import (
    binding_problems,
    built_in_ids,
    parse_definition,
    stored_definitions,
    workspace_catalogue,
)
from kano.adapters.db.orm import CustomMetricRow
from kano.adapters.db.strategy_store import Author
from kano.adapters.strategy_code import entries as e
from kano.adapters.strategy_code.schema import StrategyDocument
from kano.adapters.strategy_code.snapshot import Snapshot, stale_identities
from kano.adapters.strategy_code.source import DocumentError, LoadedYaml, Loc, parse_loc
from kano.domain.shared.errors import InvalidInput

if TYPE_CHECKING:
    from kano.adapters.strategy_code.apply import ChangeSummary
    from kano.metrics import Catalogue, Metric

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_BOUND = {e.MEASURE: "measure", e.KEY_RESULT: "key result"}


def declares_metrics(document: StrategyDocument) -> bool:
    """Whether the file has a ``metrics:`` list (then it is the whole list)."""
    return "metrics" in document.model_fields_set


@dataclass
class FileMetrics:
    """The file's custom metrics that parsed, the problems of the others, and every id
    the file declares (so a binding to a broken metric is not reported twice)."""

    metrics: list[Metric] = field(default_factory=list)
    errors: list[DocumentError] = field(default_factory=list)
    declared_ids: set[str] = field(default_factory=set)


def check_file_metrics(definitions: Any, loaded: LoadedYaml) -> FileMetrics:
    """Every entry of ``metrics:`` through the custom-metric parser. Entries that are not
    mappings are left to the schema, which reports them."""
    found = FileMetrics()
    if not isinstance(definitions, list):
        return found
    first_line: dict[str, int] = {}
    for index, definition in enumerate(definitions):
        if not isinstance(definition, dict):
            continue
        loc: Loc = ("metrics", index)
        if isinstance(definition.get("id"), str):
            found.declared_ids.add(definition["id"])
        try:
            metric = parse_definition(definition)
        except InvalidInput as error:
            found.errors.append(loaded.error((*loc, *parse_loc(error.field)), error.message))
            continue
        problem = _unstorable(definition, loc)
        id_loc = (*loc, "id")
        if problem is not None:
            found.errors.append(loaded.error(*problem))
        elif metric.id in built_in_ids():
            message = f"'{metric.id}' is a built-in metric; give the custom metric another id"
            found.errors.append(loaded.error(id_loc, message))
        elif metric.id in first_line:
            first = first_line[metric.id]
            message = f"metric '{metric.id}' is defined twice (first at line {first})"
            found.errors.append(loaded.error(id_loc, message))
        else:
            first_line[metric.id] = loaded.line_of(id_loc)
            found.metrics.append(metric)
    return found


def _unstorable(value: Any, loc: Loc) -> tuple[Loc, str] | None:
    """Where a definition holds something the JSON column cannot keep as written."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return (loc, f"field names are text, not {key!r}")
            if (problem := _unstorable(item, (*loc, key))) is not None:
                return problem
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if (problem := _unstorable(item, (*loc, index))) is not None:
                return problem
    elif isinstance(value, str):
        if _CONTROL.search(value):
            return (loc, "contains control characters")
    elif isinstance(value, float):
        if not math.isfinite(value):
            return (loc, "must be a finite number")
    elif value is not None and not isinstance(value, bool | int):
        return (loc, f"put it in quotes: YAML reads it as a {type(value).__name__}")
    return None


def import_catalogue(
    session: Session, workspace_id: int, document: StrategyDocument, found: FileMetrics
) -> Catalogue:
    """The catalogue the workspace will have after the import."""
    from kano.metrics import Catalogue  # Ibis, only when a file is imported

    if declares_metrics(document):
        return Catalogue(found.metrics)
    return workspace_catalogue(session, workspace_id)


def binding_errors(
    document: StrategyDocument, loaded: LoadedYaml, catalogue: Catalogue, found: FileMetrics
) -> list[DocumentError]:
    """Every measure's and key result's ``metric`` checked against ``catalogue``."""
    errors = []
    for entry in e.walk(document):
        binding = getattr(entry.model, "metric", None) if entry.entity in _BOUND else None
        if binding is None:
            continue
        if binding.id not in catalogue and binding.id in found.declared_ids:
            continue  # the metric's own definition is broken, and reported as such
        for where, message in binding_problems(catalogue, binding.id, binding.slice):
            errors.append(loaded.error((*entry.loc, "metric", *parse_loc(where)), message))
    return errors


def removed_metric_errors(
    document: StrategyDocument,
    loaded: LoadedYaml,
    snapshot: Snapshot,
    stored_ids: set[str],
    found_metrics: FileMetrics,
) -> list[DocumentError]:
    """A custom metric the file removes may not stay bound by a measure or key result
    that the file does not list (and therefore keeps)."""
    if not declares_metrics(document):
        return []
    removed = stored_ids - found_metrics.declared_ids
    if not removed:
        return []
    found = e.first_entries(document)
    stale = stale_identities(snapshot, {entity: set(items) for entity, items in found.items()})
    errors = []
    for entity, label in _BOUND.items():
        for identity, row in snapshot.rows[entity].items():
            kept = identity not in found[entity] and identity not in stale[entity]
            if kept and row.metric_id in removed:
                message = (
                    f"metric '{row.metric_id}' is still bound by {label} '{identity}', which "
                    "this file does not list; keep the metric or change that binding first"
                )
                errors.append(loaded.error(("metrics",), message))
    return errors


def write_metrics(
    session: Session, author: Author, document: StrategyDocument, summary: ChangeSummary
) -> None:
    """Make the author's workspace's custom metrics the file's list (if it has one). Each
    created, changed or deleted definition is audited with its old and new mapping."""
    if not declares_metrics(document):
        return
    workspace_id = author.workspace_id
    stored = {row.key: row for row in stored_definitions(session, workspace_id)}
    for position, definition in enumerate(document.metrics):
        key = str(definition["id"])
        row = stored.pop(key, None)
        if row is None:
            row = CustomMetricRow(
                workspace_id=workspace_id, key=key, definition=definition, position=position
            )
            session.add(row)
            summary.created[e.CUSTOM_METRIC] += 1
            _audit_metric(session, author, "create", key, None, definition)
            continue
        changed = _as_written(row.definition) != _as_written(definition)
        if not changed and row.position == position:
            continue
        if changed:
            _audit_metric(session, author, "update", key, row.definition, definition)
            row.definition = definition
        row.position = position
        summary.updated[e.CUSTOM_METRIC] += 1
    for key, row in sorted(stored.items()):
        _audit_metric(session, author, "delete", key, row.definition, None)
        session.delete(row)
        summary.deleted[e.CUSTOM_METRIC] += 1
    session.flush()


def _as_written(definition: dict[str, Any]) -> str:
    """Definitions compare as written: the order of fields and 100 vs 100.0 count."""
    return json.dumps(definition, ensure_ascii=False)


def _audit_metric(
    session: Session,
    author: Author,
    action: str,
    key: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    detail: dict[str, Any] = {"via": "strategy import"}
    if before is not None:
        detail["before"] = before
    if after is not None:
        detail["after"] = after
    audit(session, author.workspace_id, author.actor, action, "custom_metric", key, detail,
          user_id=author.user_id)


def exported_metrics(session: Session, workspace_id: int) -> list[dict[str, Any]]:
    """The stored definitions, as written, in file order."""
    return [row.definition for row in stored_definitions(session, workspace_id)]
