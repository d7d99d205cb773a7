"""The strategy API under generated writes (schemathesis), with an admin token.

``test_schemathesis`` drives every operation with a read token, so the writes stop at the
scope check; here a write token takes generated bodies all the way into the routes — NUL
characters, huge numbers, impossible dates — on a workspace that holds a small strategy,
and no request may end in a 5xx or in a response the OpenAPI document does not declare.

Valid-per-schema bodies may still be refused with a 422 (a reference to an unknown key,
thresholds the domain rejects), so the "positive data is accepted" check is left out.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.testclient import TestClient

from kano.adapters.api.app import API_PREFIX
from tests.integration.api.strategy_support import build_strategy, seed_actors

STRATEGY_PATHS = r"^/(scorecards|objectives|links|measures|initiatives|okr|mbo)"


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                         ids=["valid-input", "invalid-input"])
def test_strategy_writes_never_error_and_conform_to_the_openapi(
    host_app: Starlette, api: TestClient, sessions: sessionmaker[Session], mode: GenerationMode
) -> None:
    actors = seed_actors(sessions)
    build_strategy(api, actors)
    config = schemathesis.Config.from_dict({
        "headers": actors.auth(),
        "generation": {"with-security-parameters": False, "allow-extra-parameters": False},
    })
    schema = schemathesis.openapi.from_asgi(
        f"{API_PREFIX}/openapi.json", host_app, config=config
    ).include(path_regex=STRATEGY_PATHS)

    @given(case=schema.as_strategy(generation_mode=mode))
    @settings(max_examples=150, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def call_and_validate(case: schemathesis.Case[Any]) -> None:
        case.call_and_validate(excluded_checks=[positive_data_acceptance])

    call_and_validate()
