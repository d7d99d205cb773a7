"""The strategy API under generated writes (schemathesis), with an admin token.

``test_schemathesis`` drives every operation with a read token, so the writes stop at the
scope check; here a write token takes generated bodies all the way into the routes — NUL
characters, huge numbers, impossible dates — on a workspace that holds a small strategy,
and no request may end in a 5xx or in a response the OpenAPI document does not declare.

Valid cases often name what the workspace holds (``KNOWN``), so they reach the routes'
checks past the 404. Valid-per-schema bodies may still be refused with a 422 (a reference
to an unknown key, thresholds the domain rejects), so the "positive data is accepted"
check is left out.
"""

from __future__ import annotations

from schemathesis import GenerationMode
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.testclient import TestClient

from tests.integration.api.schemathesis_run import MODES, RUNS, fuzz, with_known
from tests.integration.api.strategy_support import build_strategy, seed_actors

KNOWN = {  # what build_strategy holds: valid cases often name it, to get past the 404
    "scorecard_key": ["company"],
    "perspective_key": ["customer", "process"],
    "objective_key": ["happy-customers", "fast-delivery", "mia-okr", "max-okr"],
    "measure_key": ["nps"],
    "cycle_key": ["q4"],
    "kr_key": ["mia-nps"],
}


@MODES
def test_strategy_writes_never_error_and_conform_to_the_openapi(
    host_app: Starlette, api: TestClient, sessions: sessionmaker[Session], mode: GenerationMode
) -> None:
    actors = seed_actors(sessions)
    build_strategy(api, actors)
    fuzz(host_app, RUNS["strategy"], actors.auth("admin"), mode, prepare=with_known(mode, KNOWN))
