"""The API suite's app, seeded workspaces and loaded demo warehouse, for the pilot tests."""

from __future__ import annotations

from tests.integration.api.conftest import acme, api, globex, host_app
from tests.integration.api.test_metrics_api import demo_files, warehouse

__all__ = ["acme", "api", "demo_files", "globex", "host_app", "warehouse"]
