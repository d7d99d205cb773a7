"""The linkage page's figures (the service-profit chain's links tested on the data and the
say–do gap), kept until the warehouse changes.

Not in the route module: the server's warm-up (:mod:`kano.adapters.web.warm_figures`) asks
the same question for the first workspaces, and a background job has no business importing
a page's routes.
"""

from __future__ import annotations

from typing import Any

from kano.adapters.web.page_figures import WarehouseVisit


def linkage_figures(visit: WarehouseVisit, workspace_id: int) -> dict[str, Any]:
    """The chain's links tested and the say–do gap, kept until the warehouse changes (the
    page's question, also asked by the server's warm-up)."""
    # Imported here: the linkage models load statsmodels/scipy, which start-up must not pay.
    from kano.analytics.linkage import SERVICE_PROFIT_CHAIN, test_links
    from kano.analytics.linkage.frames import WarehouseReader
    from kano.analytics.linkage.say_do import say_do_gap

    def compute() -> dict[str, Any]:
        reader = WarehouseReader(visit.backend, workspace_id)
        results = test_links(visit.backend, SERVICE_PROFIT_CHAIN, workspace_id)
        return {"links": results, "say_do": say_do_gap(reader)}

    return visit.figure(("linkage",), compute)
