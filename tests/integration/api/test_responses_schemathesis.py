"""The response intake under generated requests (schemathesis) with a write token: no 5xx,
every answer one the OpenAPI document declares, whatever the body, header or key."""

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
def test_response_intake_never_errors_and_conforms_to_the_openapi(
    host_app: Starlette, acme: SeededWorkspace, mode: GenerationMode
) -> None:
    config = schemathesis.Config.from_dict({
        "headers": acme.auth(Scope.WRITE),
        "generation": {"with-security-parameters": False, "allow-extra-parameters": False},
    })
    schema = schemathesis.openapi.from_asgi(
        f"{API_PREFIX}/openapi.json", host_app, config=config
    ).include(path_regex=r"^/responses")

    @given(case=schema.as_strategy(generation_mode=mode))
    @settings(max_examples=200, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def call_and_validate(case: schemathesis.Case[Any]) -> None:
        # A generated survey key is almost never the seeded one, so valid-looking bodies
        # are refused (422): the schema cannot know which surveys exist.
        case.call_and_validate(excluded_checks=[positive_data_acceptance])

    call_and_validate()
