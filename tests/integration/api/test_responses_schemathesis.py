"""The response intake under generated requests (schemathesis) with a write token: no 5xx,
every answer one the OpenAPI document declares, whatever the body, header or key."""

from __future__ import annotations

from schemathesis import GenerationMode
from starlette.applications import Starlette

from tests.integration.api.schemathesis_run import MODES, RUNS, fuzz
from tests.integration.api.seed import SeededWorkspace


@MODES
def test_response_intake_never_errors_and_conforms_to_the_openapi(
    host_app: Starlette, acme: SeededWorkspace, mode: GenerationMode
) -> None:
    # A generated survey key is almost never the seeded one, so valid-looking bodies
    # are refused (422): the schema cannot know which surveys exist.
    run = RUNS["responses"]
    fuzz(host_app, run, acme.auth(run.scope), mode)
