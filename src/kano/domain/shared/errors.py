"""Domain errors: each names what was wrong so adapters can say it to the user."""

from __future__ import annotations


class KanoError(Exception):
    """Base of every error Kano raises on purpose."""


class NotFound(KanoError):
    def __init__(self, entity: str, key: object) -> None:
        super().__init__(f"{entity} {key!r} does not exist")
        self.entity = entity
        self.key = key


class InvalidInput(KanoError):
    """Bad input; ``field`` names the field (or row) so the caller can fix it."""

    #: A stable name of the kind of problem for programs (the API's ``code``), for errors
    #: a client may want to tell apart from a plain bad value; None when field and message
    #: say it all.
    code: str | None = None

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    def details(self) -> dict[str, object]:
        """What else a program needs to act on it (the API adds it to the problem)."""
        return {}


class PermissionDenied(KanoError):
    pass
