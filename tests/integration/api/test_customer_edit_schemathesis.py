"""``PATCH /customers/{id}`` under generated bodies (schemathesis), with a write token.

``test_schemathesis`` drives every operation with a read token, so a PATCH stops at the
scope check; here generated bodies — NUL characters, huge attribute maps, any JSON in the
wrong place — go all the way into the route, on both engines, and no request may end in a
5xx or in a response the OpenAPI document does not declare. Schema-valid bodies may still
be refused (an unknown segment key is a 422, another customer's external id a 409), so
the "positive data is accepted" check is left out.
"""

from __future__ import annotations

from schemathesis import GenerationMode
from starlette.applications import Starlette

from tests.integration.api.schemathesis_run import MODES, RUNS, fuzz, with_known
from tests.integration.api.seed import SeededWorkspace


@MODES
def test_customer_changes_never_error_and_conform_to_the_openapi(
    host_app: Starlette, acme: SeededWorkspace, mode: GenerationMode
) -> None:
    # Mostly real customers, so bodies reach the checks past the 404.
    run = RUNS["customer-edit"]
    fuzz(
        host_app,
        run,
        acme.auth(run.scope),
        mode,
        prepare=with_known(mode, {"customer_id": acme.customer_ids}),
    )
