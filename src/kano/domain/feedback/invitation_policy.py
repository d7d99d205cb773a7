"""The rules e-mail invitations follow (SPEC §2.4): the survey fatigue window and the
delay before the one reminder, and the values a workspace may choose for them."""

from __future__ import annotations

from dataclasses import dataclass

from kano.domain.shared.errors import InvalidInput

FATIGUE_DAYS = (0, 3650)  # 0: no fatigue rule; at most ten years
REMINDER_DAYS = (1, 365)
SETTINGS = {"survey_fatigue_days": FATIGUE_DAYS, "survey_reminder_days": REMINDER_DAYS}


@dataclass(frozen=True)
class InvitationPolicy:
    """Do not invite a contact invited (to any survey) within ``fatigue_days``; remind an
    unanswered invitation once after ``reminder_days``."""

    fatigue_days: int = 30
    reminder_days: int = 3


def checked_days(name: str, value: object) -> int | None:
    """``value`` for setting ``name`` (None: the server default), or
    :class:`InvalidInput` naming the setting."""
    if name not in SETTINGS:
        raise InvalidInput(name, "not a survey setting of the workspace")
    low, high = SETTINGS[name]
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(name, f"must be a whole number of days from {low} to {high}")
    if not low <= value <= high:
        raise InvalidInput(name, f"must be from {low} to {high} days, not {value}")
    return value
