"""Property-based test of the whole API from its own OpenAPI document (schemathesis).

Schemathesis generates requests for every operation — with valid and with invalid
parameters — and checks that none gets a 5xx and that every response (status, media
type, headers, body) is one the document declares. It runs in process against the ASGI
app, on both engines, with a read token of a seeded workspace: every GET in full, every
write up to its 403 (the runs listed in ``schemathesis_run.RUNS`` take the writes further).

The check that schema-valid input is accepted is skipped for requests the schema cannot
judge: a ``cursor`` is opaque (only one the API issued is valid), ``until`` before
``since`` or ``max_nps`` below ``min_nps`` are rules across two parameters, and a metric
is computed in the warehouse, which this run leaves empty (a 409; the slices a metric
accepts depend on its table too). ``test_metrics_api`` runs the metric endpoints on a
loaded warehouse.
"""

from __future__ import annotations

from schemathesis import GenerationMode
from starlette.applications import Starlette

from tests.integration.api.schemathesis_run import MODES, RUNS, fuzz, schema_can_judge
from tests.integration.api.seed import SeededWorkspace


@MODES
def test_api_never_errors_and_conforms_to_its_openapi(
    host_app: Starlette, acme: SeededWorkspace, mode: GenerationMode
) -> None:
    run = RUNS["read"]
    fuzz(host_app, run, acme.auth(run.scope), mode, schema_judges=schema_can_judge)
