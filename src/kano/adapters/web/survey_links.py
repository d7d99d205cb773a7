"""Public survey links: ``/s/{survey_key}?t=TOKEN``.

A survey key is unique only inside its workspace, so the link carries a token that names
the workspace and the survey, signed (HMAC, itsdangerous) with the server's secret key:
nobody can make a link to another workspace's survey, and a link works for exactly one
survey. The token never expires; changing ``KANO_SECRET_KEY`` revokes every link.
"""

from __future__ import annotations

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
        if (not isinstance(value, list) or len(value) != 2 or value[1] != survey_key
                or not isinstance(value[0], int)):
            return None
        return value[0]

    def path(self, workspace_id: int, survey_key: str, **query: str) -> str:
        params = urlencode({"t": self.token(workspace_id, survey_key), **query})
        return f"/s/{survey_key}?{params}"
