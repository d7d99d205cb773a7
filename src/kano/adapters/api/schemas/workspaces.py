"""Who am I: the workspace a token belongs to and what the token may do; the workspace's
own settings."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from kano.adapters.api.schemas.editing import RequestBody
from kano.adapters.api.timestamps import UtcDateTime
from kano.domain.feedback.invitation_policy import FATIGUE_DAYS, REMINDER_DAYS
from kano.domain.workspaces import Scope


class WorkspaceSummary(BaseModel):
    slug: str
    name: str


class TokenSummary(BaseModel):
    """The calling token, identified by its prefix (the secret itself is never stored)."""

    name: str
    prefix: str = Field(description="The first characters of the token, to recognise it.")
    scopes: list[Scope]
    created_at: UtcDateTime
    last_used_at: UtcDateTime | None = Field(
        description="Last use, recorded at most once a minute."
    )


class CallerIdentity(BaseModel):
    """The answer to "who am I": every request with this token sees only this workspace."""

    workspace: WorkspaceSummary
    token: TokenSummary


# --- the workspace's own settings -------------------------------------------------------

FatigueDays = Annotated[int, Field(strict=True, ge=FATIGUE_DAYS[0], le=FATIGUE_DAYS[1])]
ReminderDays = Annotated[int, Field(strict=True, ge=REMINDER_DAYS[0], le=REMINDER_DAYS[1])]
CurrencyCode = Annotated[str, Field(min_length=3, max_length=3, pattern="^[A-Za-z]{3}$",
                                    examples=["EUR", "HUF", "RUB"])]


class SurveyPolicy(BaseModel):
    survey_fatigue_days: int
    survey_reminder_days: int


class WorkspaceSettings(BaseModel):
    """The workspace's own survey settings (null: the server default holds), the server
    defaults, and what is in effect."""

    survey_fatigue_days: int | None = Field(
        description="No contact is invited again within this many days of an invitation "
        "to any survey (0: no such rule); null: the server default."
    )
    survey_reminder_days: int | None = Field(
        description="An unanswered invitation gets its one reminder after this many days; "
        "null: the server default."
    )
    defaults: SurveyPolicy = Field(description="The server's defaults (`KANO_SURVEY_…`).")
    effective: SurveyPolicy = Field(description="What invitations and reminders follow.")
    currency: str = Field(
        description="ISO 4217 code of the currency the workspace's money is in (revenue, "
        "costs, CLV, money measures); pages write amounts with it. Kano converts nothing.",
        examples=["EUR"],
    )


class WorkspaceSettingsChange(RequestBody):
    """The settings to change; one left out stays as it is, null returns it to the
    server default."""

    survey_fatigue_days: FatigueDays | None = Field(
        None, description=f"{FATIGUE_DAYS[0]}–{FATIGUE_DAYS[1]} days, or null."
    )
    survey_reminder_days: ReminderDays | None = Field(
        None, description=f"{REMINDER_DAYS[0]}–{REMINDER_DAYS[1]} days, or null."
    )
    currency: CurrencyCode = Field(
        None,  # type: ignore[assignment]  # left out: unchanged; null is refused
        description="ISO 4217 code (`HUF`; lower case is accepted). A code that is not one "
        "is a 422 naming `currency`.",
    )
