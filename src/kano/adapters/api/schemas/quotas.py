"""Survey quotas: how many responses a survey takes, overall or of one kind."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from kano.adapters.api.schemas.editing import RequestBody
from kano.adapters.api.timestamps import UtcDateTime
from kano.domain.feedback.quotas import LIMIT_MAX, NAME_MAX_LENGTH

NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"


class QuotaIn(RequestBody):
    name: str = Field(min_length=1, max_length=NAME_MAX_LENGTH, pattern=NO_CONTROL,
                      description="Unique within the survey, e.g. `web respondents`.")
    limit: int = Field(gt=0, le=LIMIT_MAX, description="How many responses it takes.")
    channel: str | None = Field(
        None, min_length=1, max_length=32, pattern=NO_CONTROL,
        description="Only responses from this channel count: `link`, `widget`, `email`, "
        "`api`, `call`, `meeting`, `account-review`, `import` or a channel of one of the "
        "workspace's touchpoints. Default: every channel.")
    language: str | None = Field(None, description="Only responses in `en`, `ru` or `hu`.")
    segment: str | None = Field(
        None, min_length=1, max_length=64, pattern=NO_CONTROL,
        description="Only responses of customers in this segment (its key).")
    touchpoint: str | None = Field(
        None, min_length=1, max_length=64, pattern=NO_CONTROL,
        description="Only responses about this touchpoint (its key).")
    question: str | None = Field(
        None, min_length=1, max_length=40, pattern=NO_CONTROL,
        description="With `option`: only responses that chose `option` in answer to this "
        "single or multi choice question of the survey (its key) count, e.g. `plan`. Full, "
        "the link page and invitation links refuse responses carrying that answer, when "
        "it is sent; it does not stop invitations. Unknown question: 422 naming `question`.")
    option: str | None = Field(
        None, min_length=1, max_length=40, pattern=NO_CONTROL,
        description="One of the question's choice keys, e.g. `enterprise` (a multi choice "
        "answer counts if it includes it). Not one of them: 422 naming `option`.")


class QuotaPatch(RequestBody):
    """The name and the limit can change; the condition cannot (delete and add)."""

    name: str | None = Field(None, min_length=1, max_length=NAME_MAX_LENGTH,
                             pattern=NO_CONTROL)
    limit: int | None = Field(None, gt=0, le=LIMIT_MAX)


class Quota(BaseModel):
    id: int
    survey: str
    name: str
    limit: int
    filled: int = Field(description="Responses counted so far. The REST API, bulk, staff "
                        "entry and file import are counted but never refused, so it can "
                        "exceed `limit`.")
    full: bool = Field(description="The link page, the widget and invitation links refuse "
                       "further matching responses; invitations skip matching contacts.")
    channel: str | None
    language: str | None
    segment: str | None
    touchpoint: str | None
    question: str | None = Field(None, description="With `option`: the answer that counts.")
    option: str | None = None
    orphaned: bool = Field(False, description="The survey no longer asks `question` with "
                           "`option` (removed before Kano guarded it): the quota never "
                           "counts a response again; delete it.")
    created_at: UtcDateTime


class Quotas(BaseModel):
    items: list[Quota]



class SurveyDefinitionIn(RequestBody):
    """A survey's questions, replaced as a whole (the builder page's "Save")."""

    definition: dict[str, Any] = Field(
        description="`{\"title\": {\"en\": …}, \"questions\": [{\"key\": \"plan\", \"type\": "
        "\"single\", \"text\": {\"en\": \"Your plan?\"}, \"choices\": [{\"key\": \"basic\", "
        "\"label\": {\"en\": \"Basic\"}}, …]}, …]}`, the document the survey builder "
        "saves. A bad part is a 422 naming it (`questions[0].choices`).")
    remove_quotas: bool = Field(
        False, description="A definition that removes a question or option a quota counts "
        "is refused (422, code `quota_answer_removed`, `quotas`: their names), since such "
        "a quota would never match again; `true` saves it and deletes those quotas.")


class SurveyDefinitionSaved(BaseModel):
    survey: str
    questions: list[str] = Field(description="The question keys, in order.")
    removed_quotas: list[str] = Field(description="The quotas deleted with the change "
                                      "(`remove_quotas`), by name.")
