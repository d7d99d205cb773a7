"""Generated writes (schemathesis) with a write token on every write no other fuzz run
drives: workspace settings and acknowledgement, requirements, invitations, bounces,
webhooks, survey quotas, cases, journeys, pilots, case rules — and revoking a token.

The workspace holds one of each thing a path can name (a case, a requirement, a webhook
endpoint, a quota), and valid input often names it, so generated bodies reach the
routes' own checks past the 404. No request may end in a 5xx or in a response the
OpenAPI document does not declare. Valid-looking input may still be refused (an unknown
survey or customer is a 422), so the "valid input is accepted" check is left out.
"""

from __future__ import annotations

from typing import Any

from schemathesis import GenerationMode
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.testclient import TestClient

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import Workspace
from kano.domain.workspaces import Scope
from tests.integration.api.schemathesis_run import MODES, RUNS, fuzz, with_known
from tests.integration.api.seed import SeededWorkspace


def _created_id(api: TestClient, path: str, body: dict[str, Any], acme: SeededWorkspace) -> Any:
    created = api.post(path, json=body, headers=acme.auth(Scope.WRITE))
    assert created.status_code == 201, created.text
    return created.json()["id"]


@MODES
def test_writes_never_error_and_conform_to_the_openapi(
    host_app: Starlette, api: TestClient, acme: SeededWorkspace, mode: GenerationMode
) -> None:
    detractor = _created_id(api, "responses", {
        "survey": "after-delivery", "customer": {"external_id": "C0001"},
        "answers": {"nps": 2, "comment": "Late again"}}, acme)  # fmt: skip
    (case,) = api.get("cases", params={"response": detractor}, headers=acme.auth()).json()["items"]
    known = {
        "case_id": [case["id"]],
        "requirement_id": [_created_id(api, "requirements", {
            "customer": "C0000", "kind": "packaging", "text": "Boxes of 100"}, acme)],
        "endpoint_id": [_created_id(api, "webhooks", {"url": "https://93.184.216.34/hooks/kano"},
                                    acme)],
        "quota_id": [_created_id(api, "surveys/after-delivery/quotas", {
            "name": "Email", "limit": 10, "channel": "email"}, acme)],
        "survey": ["after-delivery"],
        "touchpoint": ["delivery-call"],
    }  # fmt: skip
    run = RUNS["writes"]
    fuzz(host_app, run, acme.auth(run.scope), mode, prepare=with_known(mode, known))


def test_token_revocation_never_errors_and_conforms(
    host_app: Starlette, sessions: sessionmaker[Session], acme: SeededWorkspace
) -> None:
    """Each case revokes a token of its own, minted for it: a revoked one would only
    ever answer 401. Valid input only: the operation takes none to make invalid."""
    run = RUNS["token-revocation"]

    def fresh_token() -> dict[str, str]:
        with transaction(sessions) as session:
            workspace = session.get_one(Workspace, acme.workspace_id)
            minted = accounts.create_api_token(session, workspace, run.scope, "throwaway")
        return {"Authorization": f"Bearer {minted.token}"}

    assert fuzz(host_app, run, fresh_token, GenerationMode.POSITIVE) == ["DELETE /tokens/current"]
