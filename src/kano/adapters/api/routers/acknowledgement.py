"""``/workspace/acknowledgement``: the workspace's own wording of the acknowledgement
e-mail every accepted response gets (SPEC §2.5), per language, with previews."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from kano.adapters.api.deps import ReadAccess, SessionDep
from kano.adapters.api.editing import AdminWriteAccess
from kano.adapters.api.errors import problem_responses
from kano.adapters.api.schemas.acknowledgement import (
    AcknowledgementChange,
    AcknowledgementEmail,
    AcknowledgementParts,
    AcknowledgementPreviews,
    AcknowledgementSettings,
    LanguageAcknowledgement,
)
from kano.adapters.api.schemas.problems import Problem
from kano.adapters.db.acknowledgement_texts import (
    AcknowledgementTexts,
    acknowledgement_texts,
    change_acknowledgement_texts,
)
from kano.adapters.messaging.acknowledgement import effective_texts

router = APIRouter(tags=["workspace"])
PATH = "/workspace/acknowledgement"


def settings_out(found: AcknowledgementTexts) -> AcknowledgementSettings:
    effective, defaults, wording = found.effective, effective_texts(None), found.wording
    languages = {
        language: LanguageAcknowledgement(
            texts=AcknowledgementParts(**effective[language]),
            custom=sorted(found.overrides.get(language, {})),
            defaults=AcknowledgementParts(**defaults[language]),
            previews=AcknowledgementPreviews(**{
                variant: AcknowledgementEmail(subject=text.subject, body=text.body)
                for variant, text in wording.previews(language).items()
            }),
        )
        for language in ("en", "ru", "hu")
    }  # fmt: skip
    return AcknowledgementSettings(**languages)


def _body_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    responses = problem_responses(*statuses)
    responses[400] = {"model": Problem, "description": "The body is not readable JSON."}
    return responses


@router.get(PATH, summary="The workspace's acknowledgement e-mail",
            response_model=AcknowledgementSettings,
            responses=problem_responses(401, 403, 500))  # fmt: skip
def read_acknowledgement(caller: ReadAccess, session: SessionDep) -> AcknowledgementSettings:
    """Per language (en, ru, hu): the texts of the e-mail every accepted response gets,
    which parts the workspace wrote itself, Kano's built-in texts, and the e-mail as a
    sample customer gets it (a low score with a case, a low score without, a good one)."""
    return settings_out(acknowledgement_texts(session, caller.workspace_id))


@router.put(PATH, summary="Change the workspace's acknowledgement e-mail",
            response_model=AcknowledgementSettings,
            responses=_body_responses(401, 403, 422, 500))  # fmt: skip
def change_acknowledgement(caller: AdminWriteAccess, session: SessionDep,
                           body: AcknowledgementChange) -> AcknowledgementSettings:
    """Write the parts given (null: back to the built-in text; a language set to null:
    all its parts); the others stay. Admins only; written to the audit log. A part may
    use only its placeholders (`{name}` greeting, `{within}` contact, `{reference}`
    closing, `{workspace}` any); the subject is one line of at most 150 characters, other
    parts at most 1,000. A bad part is a 422 naming it (`texts.hu.contact`)."""
    changes = body.texts.model_dump(exclude_unset=True)
    changed = change_acknowledgement_texts(
        session, caller.workspace_id, changes,
        actor=f"api-token:{caller.token.prefix}", user_id=caller.token.user_id)  # fmt: skip
    session.commit()
    return settings_out(changed)
