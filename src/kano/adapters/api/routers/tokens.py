"""``/tokens``: what a token may do to itself (today: revoke itself)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from kano.adapters.api.deps import SessionDep, WriteAccess
from kano.adapters.api.errors import problem_responses
from kano.adapters.db.api_tokens import revoke_api_token

router = APIRouter(prefix="/tokens", tags=["tokens"])


@router.delete(
    "/current",
    summary="Revoke the calling token",
    status_code=204,
    response_class=Response,
    responses=problem_responses(401, 403, 500),
)
def revoke_current_token(caller: WriteAccess, session: SessionDep) -> Response:
    """Revoke the token that makes this call, e.g. when an integration is retired or the
    token may have leaked. It fails with 401 from then on; the revocation is audited."""
    token = caller.token
    revoke_api_token(session, token, actor=f"api-token:{token.prefix}", user_id=token.user_id)
    session.commit()
    return Response(status_code=204)
