"""The warehouse fixtures' demo company (size S, seed 1, workspace 7 next to seed 2)."""

from tests.integration.warehouse.conftest import (  # noqa: F401 -- fixtures re-exported
    DEMO_WORKSPACE,
    demo_dir,
    demo_warehouses,
    other_dir,
    warehouse_factory,
)
