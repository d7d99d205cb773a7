"""Public survey links: ``/s/{survey_key}?t=TOKEN``.

A survey key is unique only inside its workspace, so the link carries a token that names
the workspace and the survey, signed (HMAC, itsdangerous) with the server's secret key:
nobody can make a link to another workspace's survey, and a link works for exactly one
survey. The token never expires; changing ``KANO_SECRET_KEY`` revokes every link.

An e-mail invitation's token names a third thing, the invitation's random nonce
(``[workspace, survey, nonce]``): it opens the same page, and the answer is keyed to the
invited customer and accepted once (``kano.adapters.db.invitations``).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from itsdangerous import BadSignature, URLSafeSerializer

SALT = "kano.survey-link"


class SurveyLinks:
    def __init__(self, secret_key: str) -> None:
        self._serializer = URLSafeSerializer(secret_key, salt=SALT)

    def token(self, workspace_id: int, survey_key: str) -> str:
        return str(self._serializer.dumps([workspace_id, survey_key]))

    def workspace_of(self, token: str, survey_key: str) -> int | None:
        """The workspace of a valid token for this survey, else None."""
        if not token or len(token) > 200:
            return None
        try:
            value = self._serializer.loads(token)
        except BadSignature:
            return None
        if (not isinstance(value, list) or len(value) not in (2, 3) or value[1] != survey_key
                or not isinstance(value[0], int)):
            return None
        return value[0]

    def invitation_token(self, workspace_id: int, survey_key: str, nonce: str) -> str:
        return str(self._serializer.dumps([workspace_id, survey_key, nonce]))

    def invitation_of(self, token: str, survey_key: str) -> str | None:
        """The invitation nonce of a valid invitation token for this survey, else None
        (also for a plain link token)."""
        if self.workspace_of(token, survey_key) is None:
            return None
        value = self._serializer.loads(token)
        if len(value) != 3 or not isinstance(value[2], str):
            return None
        return value[2]

    def invitation_path(self, workspace_id: int, survey_key: str, nonce: str,
                        language: str) -> str:
        params = urlencode({"t": self.invitation_token(workspace_id, survey_key, nonce),
                            "lang": language})
        return f"/s/{survey_key}?{params}"

    def path(self, workspace_id: int, survey_key: str, **query: str) -> str:
        params = urlencode({"t": self.token(workspace_id, survey_key), **query})
        return f"/s/{survey_key}?{params}"


def invitation_links(
    secret_key: str, public_url: str
) -> Callable[[int, str], Callable[[str, str], str]]:
    """``links(workspace_id, survey_key)(nonce, language)``: an invitation's full URL."""
    links = SurveyLinks(secret_key)
    base = public_url.rstrip("/")

    def for_survey(workspace_id: int, survey_key: str) -> Callable[[str, str], str]:
        def link(nonce: str, language: str) -> str:
            return base + links.invitation_path(workspace_id, survey_key, nonce, language)

        return link

    return for_survey
