"""``PATCH /customers/{id}`` under generated bodies (schemathesis), with a write token.

``test_schemathesis`` drives every operation with a read token, so a PATCH stops at the
scope check; here generated bodies — NUL characters, huge attribute maps, any JSON in the
wrong place — go all the way into the route, on both engines, and no request may end in a
5xx or in a response the OpenAPI document does not declare. Schema-valid bodies may still
be refused (an unknown segment key is a 422, another customer's external id a 409), so
the "positive data is accepted" check is left out.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance
from starlette.applications import Starlette

from kano.adapters.api.app import API_PREFIX
from kano.domain.workspaces import Scope
from tests.integration.api.seed import SeededWorkspace


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                         ids=["valid-input", "invalid-input"])
def test_customer_changes_never_error_and_conform_to_the_openapi(
    host_app: Starlette, acme: SeededWorkspace, mode: GenerationMode
) -> None:
    config = schemathesis.Config.from_dict({
        "headers": acme.auth(Scope.WRITE),
        "generation": {"with-security-parameters": False, "allow-extra-parameters": False},
    })
    schema = schemathesis.openapi.from_asgi(
        f"{API_PREFIX}/openapi.json", host_app, config=config
    ).include(path_regex=r"^/customers/\{customer_id\}$", method="PATCH")
    known = iter(acme.customer_ids * 100)

    @given(case=schema.as_strategy(generation_mode=mode))
    @settings(max_examples=150, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def call_and_validate(case: schemathesis.Case[Any]) -> None:
        if mode is GenerationMode.POSITIVE and case.path_parameters:
            # Mostly real customers, so bodies reach the checks past the 404.
            case.path_parameters["customer_id"] = next(known)
        case.call_and_validate(excluded_checks=[positive_data_acceptance])

    call_and_validate()
