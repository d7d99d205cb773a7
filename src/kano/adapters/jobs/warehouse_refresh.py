"""Bring the warehouse up to date with the app database before live values are computed.

New responses, orders and events land in the app database (API, imports, the UI); live
bindings read the warehouse. The worker therefore loads each workspace's new rows from
the app database first (incremental, all or nothing; see the loader). A workspace whose
warehouse was loaded from files (``kano warehouse load --from DIR``) is left alone:
reloading it from the app database would replace that data with whatever the app holds.
"""

from __future__ import annotations

import logging

from kano.adapters.warehouse import AppDatabaseSource, load_warehouse, open_store
from kano.adapters.warehouse.connection import WarehouseBusy
from kano.bootstrap import Container
from kano.metrics.warehouse_schema import DERIVED_TABLES

DERIVED = {table.name for table in DERIVED_TABLES}
log = logging.getLogger("kano.worker")


def load_new_rows(container: Container, workspace_ids: list[int]) -> str:
    """Load what is new in the app database for every workspace fed from it; a summary."""
    source = AppDatabaseSource(container.engine)
    try:
        store = open_store(container.settings.resolved_warehouse_url())
    except WarehouseBusy as error:
        return f"warehouse not loaded ({error}); computed on the rows already there"
    loaded = []
    try:
        for workspace_id in workspace_ids:
            sources = {
                state.source
                for table, state in store.read_state(workspace_id).items()
                if table not in DERIVED  # built from the facts, not loaded from a source
            }
            if sources - {source.identity}:
                continue  # loaded from files: not ours to replace
            report = load_warehouse(store, source, workspace_id)
            done = f"workspace {workspace_id}: {report.total_rows} rows"
            if report.backfilled:
                others = ", ".join(str(other) for other in report.backfilled)
                log.info("warehouse load of workspace %s backfilled the segment membership "
                         "spans of workspace(s) %s (loaded before spans existed)",
                         workspace_id, others)  # fmt: skip
                done += f", segment membership spans backfilled for workspace(s) {others}"
            loaded.append(done)
    finally:
        store.close()
    return "warehouse " + (", ".join(loaded) if loaded else "unchanged")
