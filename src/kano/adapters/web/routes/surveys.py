"""The survey builder: ``/surveys`` lists the workspace's surveys (and creates one),
``/surveys/{key}`` edits one: name, touchpoint and the questions (type, texts in English,
Russian and Hungarian, choices, Kano pairs), added, removed and reordered.

The editor is one plain form (it works without JavaScript): "add", "remove", "up" and
"down" change the draft shown again, "save" checks the whole definition with
``kano.domain.feedback.surveys.checked_definition`` and stores it (audited); a refusal
shows the draft again (422) with the field marked. Owners, admins and analysts build
surveys; everyone in the workspace sees the list.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Form
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from kano.adapters.db.quotas import quota_lines, segments_of_workspace, touchpoint_channels
from kano.adapters.db.survey_store import (
    DefinedSurvey,
    answer_counts,
    create_survey,
    defined_survey,
    save_survey,
    set_survey_status,
    surveys_of,
    touchpoints_of,
)
from kano.adapters.web import labels
from kano.adapters.web.deps import CsrfChecked, DbSession, SignedInPage, SignedInPageContext
from kano.adapters.web.i18n import LANGUAGES
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.routes.requirements import KIND_LABELS as REQUIREMENT_KIND_LABELS
from kano.adapters.web.routes.settings_page import may_administer
from kano.adapters.web.strategy_access import no_workspace, not_found
from kano.adapters.web.survey_invitation_flash import sent_report
from kano.adapters.web.survey_invitation_view import STATUS_LABELS, invitation_section
from kano.adapters.web.survey_links import SurveyLinks
from kano.domain.feedback.quotas import KANO_CHANNELS, QuotasLoseAnswer
from kano.domain.feedback.survey_status import SurveyStatus
from kano.domain.feedback.surveys import (
    CHOICE_TYPES,
    MAX_QUESTIONS,
    KanoCategory,
    QuestionType,
    SurveyDefinition,
    checked_definition,
    kano_summary,
    text_in,
)
from kano.domain.shared.errors import InvalidInput, NotFound
from kano.domain.workspaces import Role

router = APIRouter()

BUILDER_ROLES = (Role.OWNER, Role.ADMIN, Role.ANALYST)
TYPE_LABELS = {
    "nps": N_("NPS (0–10)"),
    "csat": N_("CSAT (1–5)"),
    "ces": N_("CES (1–7)"),
    "rating": N_("Rating (1–5)"),
    "single": N_("Single choice"),
    "multi": N_("Multiple choice"),
    "text": N_("Open text"),
    "kano": N_("Kano pair"),
    "requirement": N_("Special requirement"),
}
KANO_LABELS = {
    KanoCategory.ATTRACTIVE: N_("Attractive"),
    KanoCategory.ONE_DIMENSIONAL: N_("One-dimensional"),
    KanoCategory.MUST_BE: N_("Must-be"),
    KanoCategory.INDIFFERENT: N_("Indifferent"),
    KanoCategory.REVERSE: N_("Reverse"),
    KanoCategory.QUESTIONABLE: N_("Questionable"),
}
FIELD_MESSAGES = {
    "key": N_("Use 1–40 lower-case letters, digits, - or _, starting with a letter, "
              "each key once in the survey."),
    "type": N_("Choose a type; a survey has at most one question of each score type."),
    "text": N_("Write the English text (the fallback of every language); a text has at "
               "most 500 characters."),
    "dysfunctional": N_("Write the English text of “If it is not so” too (the fallback of "
                        "every language); a text has at most 500 characters."),
    "choices": N_("Give 2 to 30 choices, one a line: key | English | Русский | Magyar, "
                  "each key once."),
    "questions": N_("A survey has at most 50 questions."),
    "kind": N_("Choose the kind of requirement the question asks for."),
    "name": N_("Write a name of 1 to 200 characters."),
    "touchpoint": N_("Choose a touchpoint of this workspace."),
    "title": N_("Write the English title too (the fallback of every language); a title has "
                "at most 500 characters."),
    "new-key": N_("Use 1–40 lower-case letters, digits, - or _, starting with a letter; "
                  "the key must be new."),
}
_INDEXED = re.compile(r"^questions\[(\d+)\]\.(\w+)")


BUILDERS_ONLY = N_("Only workspace owners, admins and analysts build surveys.")


def may_build(page: SignedInPageContext) -> bool:
    return page.workspace is not None and page.workspace.role in BUILDER_ROLES


def refuse_edit(page: SignedInPageContext, reason: str = BUILDERS_ONLY) -> Response:
    return page.render("surveys/forbidden.html", status_code=403, active="surveys",
                       reason=reason)


def _survey_links(page: SignedInPageContext) -> SurveyLinks:
    return SurveyLinks(page.web.container.settings.secret_key)


def _list_page(page: SignedInPageContext, db: Session, *, status_code: int = 200,
               error: str | None = None, form: dict[str, str] | None = None) -> Response:
    assert page.workspace is not None
    return page.render(
        "surveys/index.html", status_code=status_code, active="surveys",
        surveys=surveys_of(db, page.workspace.id),
        touchpoints=touchpoints_of(db, page.workspace.id), can_build=may_build(page),
        error=error, form=form or {"key": "", "name": "", "touchpoint": ""},
    )


@router.get("/surveys")
def survey_list(page: SignedInPage, db: DbSession) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    return _list_page(page, db)


@router.post("/surveys", dependencies=[CsrfChecked])
def new_survey(page: SignedInPage, db: DbSession, key: Annotated[str, Form()] = "",
               name: Annotated[str, Form()] = "",
               touchpoint: Annotated[str, Form()] = "") -> Response:
    if page.workspace is None:
        return no_workspace(page)
    if not may_build(page):
        return refuse_edit(page)
    key = key.strip()
    try:
        create_survey(db, page.workspace.id, key, name, touchpoint or None,
                      page.viewer.email, page.viewer.user_id)
    except InvalidInput as error:
        db.rollback()
        message = FIELD_MESSAGES["new-key" if error.field == "key" else error.field]
        return _list_page(page, db, status_code=422, error=message,
                          form={"key": key, "name": name, "touchpoint": touchpoint})
    db.commit()
    return page.redirect(f"/surveys/{key}")


def _draft_of(definition_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """The questions as the form shows them: choices as lines of text."""
    draft = []
    for question in definition_dict.get("questions", []):
        lines = [" | ".join([c["key"], *(c["label"].get(lang, "") for lang in LANGUAGES)])
                 .rstrip(" |") for c in question.get("choices", [])]
        draft.append({"key": question["key"], "type": question["type"],
                      "required": question.get("required", False),
                      "text": dict(question.get("text", {})),
                      "dysfunctional": dict(question.get("dysfunctional", {})),
                      "kind": question.get("kind", ""),
                      "choices": "\n".join(lines)})
    return draft


def _draft_from_form(form: FormData) -> list[dict[str, Any]]:
    count = min(int(str(form.get("count", "0")) or 0) if str(form.get("count", "0")).isdigit()
                else 0, MAX_QUESTIONS + 1)
    draft = []
    for i in range(count):
        def value(name: str, i: int = i) -> str:
            got = form.get(f"q{i}-{name}")
            return got.strip() if isinstance(got, str) else ""
        draft.append({
            "key": value("key"), "type": value("type"), "required": bool(value("required")),
            "text": {lang: value(f"text-{lang}") for lang in LANGUAGES},
            "dysfunctional": {lang: value(f"dys-{lang}") for lang in LANGUAGES},
            "kind": value("kind"),
            "choices": value("choices"),
        })
    return draft


def _title_from_form(form: FormData) -> dict[str, str]:
    title = {}
    for lang in LANGUAGES:
        value = form.get(f"title-{lang}")
        if isinstance(value, str) and value.strip():
            title[lang] = value.strip()
    return title


def _definition_document(draft: list[dict[str, Any]]) -> dict[str, Any]:
    questions = []
    for item in draft:
        question: dict[str, Any] = {
            "key": item["key"], "type": item["type"], "required": item["required"],
            "text": {k: v for k, v in item["text"].items() if v},
        }
        if item["type"] in ("single", "multi"):
            choices = []
            for line in item["choices"].splitlines():
                if not line.strip():
                    continue
                parts = [part.strip() for part in line.split("|")]
                labels = {lang: text for lang, text in zip(LANGUAGES, parts[1:], strict=False)
                          if text}
                choices.append({"key": parts[0], "label": labels})
            question["choices"] = choices
        if item["type"] == "kano":
            question["dysfunctional"] = {k: v for k, v in item["dysfunctional"].items() if v}
        if item["type"] == "requirement":
            question["kind"] = item["kind"]
        questions.append(question)
    return {"questions": questions}  # the title is added by the caller


def edit_page(page: SignedInPageContext, db: Session, key: str, *,
              draft: list[dict[str, Any]] | None = None, name: str | None = None,
              touchpoint: str | None = None, title: dict[str, str] | None = None,
              status_code: int = 200, error: dict[str, Any] | None = None,
              note: str | None = None, quota_error: dict[str, Any] | None = None,
              quota_form: dict[str, str] | None = None, **extra: Any) -> Response:
    """The builder (NotFound: no such survey); ``quota_*``: a refused quota form
    (``survey_quotas``) shown again; ``extra``: more for the template (the invitation
    section's report or refusal, ``survey_invitations``)."""
    assert page.workspace is not None
    survey = defined_survey(db, page.workspace.id, key)
    links = _survey_links(page)
    base = str(page.request.base_url).rstrip("/")
    public_url = base + links.path(page.workspace.id, key)
    widget_url = base + links.path(page.workspace.id, key).replace(
        f"/s/{key}?", f"/s/{key}/widget.js?", 1)
    return page.render(
        "surveys/edit.html", status_code=status_code, active="surveys", survey=survey,
        name=survey.row.name if name is None else name,
        touchpoint=survey.touchpoint if touchpoint is None else touchpoint,
        title=dict(survey.definition.title) if title is None else title,
        draft=_draft_of(survey.definition.to_dict()) if draft is None else draft,
        touchpoints=touchpoints_of(db, page.workspace.id), type_labels=TYPE_LABELS,
        requirement_kinds=REQUIREMENT_KIND_LABELS,
        error=error, note=note, public_url=public_url, widget_url=widget_url,
        results=_results(db, page, survey),
        fits_widget=survey.definition.fits_widget(),
        quotas=quota_lines(db, page.workspace.id, key),
        quota_choices=_quota_choices(db, page.workspace.id, survey.definition,
                                     page.language.code), quota_error=quota_error,
        quota_form=quota_form or {}, channel_labels=CHANNEL_LABELS, quotas_saved=(
            page.request.query_params.get("quotas") == "saved" and status_code == 200),
        saved=(page.request.query_params.get("saved") == "1" and status_code == 200
               and error is None and note is None),
        quotas_removed=(page.request.query_params.get("quotas") == "removed"
                        and status_code == 200),
        status_changed=(page.request.query_params.get("status") in STATUS_CHANGED
                        and status_code == 200),
        invitations=invitation_section(db, page.workspace.id, key,
                                       page.web.container.settings),
        invitation_status_labels=STATUS_LABELS, can_administer=may_administer(page),
        invitation_settings_saved=(
            page.request.query_params.get("invitations") == "saved" and status_code == 200),
        **{**INVITATION_FORMS, **extra},
    )


STATUS_CHANGED = ("closed", "open")
INVITATION_FORMS: dict[str, Any] = dict.fromkeys(
    ("invite_report", "invite_form", "invite_error", "settings_error", "settings_form"))
"""What the invitation section's forms show again (``survey_invitations``): none yet."""


@router.post("/surveys/{key}/status", dependencies=[CsrfChecked])
def change_status(page: SignedInPage, db: DbSession, key: str,
                  status: Annotated[str, Form()] = "") -> Response:
    """Close the survey (its link, widget, API and invitations take no more answers) or
    reopen it; audited. Builders only."""
    if page.workspace is None:
        return no_workspace(page)
    if not may_build(page):
        return refuse_edit(page)
    try:
        wanted = SurveyStatus(status)
    except ValueError:
        wanted = None
    try:
        if wanted is None:
            edit_page(page, db, key)  # NotFound first: an unknown survey is a 404
            return edit_page(page, db, key, status_code=422,
                             note=N_("Choose whether the survey is open or closed."))
        set_survey_status(db, page.workspace.id, key, wanted, actor=page.viewer.email,
                          user_id=page.viewer.user_id)
    except NotFound:
        return not_found(page, "surveys")
    db.commit()
    return page.redirect(f"/surveys/{key}?status={wanted.value}#survey-status")


# Kano's channels as every page names them, but on the quota form the e-mail channel is the
# survey's invitations (the demo's "email" orders are ordinary e-mail).
CHANNEL_LABELS = {**labels.CHANNEL_LABELS, "email": N_("E-mail invitation")}


def _quota_choices(db: Session, workspace_id: int, definition: SurveyDefinition,
                   language: str) -> dict[str, Any]:
    """What a quota's condition may name: channels (Kano's and the touchpoints'),
    segments and touchpoints of the workspace, and the answers of the survey's choice
    questions ("question:option", grouped by question, in the page's language)."""
    answers = [(text_in(q.text, language), [(f"{q.key}:{c.key}", text_in(c.label, language))
                                            for c in q.choices])
               for q in definition.questions if q.type in CHOICE_TYPES]
    channels: list[tuple[str, str | None]] = [
        (channel, CHANNEL_LABELS.get(channel)) for channel in KANO_CHANNELS]
    # a touchpoint's channel by its name where Kano knows it ("web" → Website), else its key
    channels += [(channel, CHANNEL_LABELS.get(channel))
                 for channel in touchpoint_channels(db, workspace_id)
                 if channel not in KANO_CHANNELS]
    return {"channels": channels, "segments": segments_of_workspace(db, workspace_id),
            "touchpoints": touchpoints_of(db, workspace_id), "answers": answers,
            "answer_labels": {value: f"{question} = {label}" for question, options in answers
                              for value, label in options}}


def _results(db: Session, page: SignedInPageContext, survey: DefinedSurvey) -> dict[str, Any]:
    """The saved questions' answers so far: counts per choice, Kano categories."""
    assert page.workspace is not None
    asked = [q for q in survey.definition.questions
             if q.type in (QuestionType.SINGLE, QuestionType.MULTI, QuestionType.KANO)]
    counts = answer_counts(db, page.workspace.id, survey.row.id, [q.key for q in asked])
    language = page.language.code
    choices, kano = [], []
    for q in asked:
        if q.type is QuestionType.KANO:
            kano.append((text_in(q.text, language), kano_summary(counts.kano.get(q.key, {}))))
        else:
            given = counts.choices.get(q.key, {})
            choices.append((text_in(q.text, language),
                            [(text_in(c.label, language), given.get(c.key, 0))
                             for c in q.choices]))
    return {"responses": counts.responses, "choices": choices, "kano": kano,
            "categories": KANO_LABELS}


@router.get("/surveys/{key}")
def edit_survey(page: SignedInPage, db: DbSession, key: str) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    if not may_build(page):
        return refuse_edit(page)
    try:
        return edit_page(page, db, key, invite_report=sent_report(page, key))
    except NotFound:
        return not_found(page, "surveys")


@router.post("/surveys/{key}", dependencies=[CsrfChecked])
async def change_survey(request: Request, page: SignedInPage, db: DbSession,
                        key: str) -> Response:
    form = await request.form()
    return await run_in_threadpool(_change_survey, page, db, key, form)


SAVE_REMOVING_QUOTAS = "save-remove-quotas"
"""The "save and delete those quotas" button the refusal of a save that would leave quotas
counting a removed answer offers (``quotas.settle_quotas_for``)."""
SAVE_ACTIONS = ("save", SAVE_REMOVING_QUOTAS)


def _moved(draft: list[dict[str, Any]], action: str) -> list[dict[str, Any]]:
    verb, _, index_text = action.partition("-")
    if not index_text.isdigit() or int(index_text) >= len(draft):
        return draft
    i = int(index_text)
    if verb == "remove":
        return draft[:i] + draft[i + 1:]
    j = i - 1 if verb == "up" else i + 1
    if verb in ("up", "down") and 0 <= j < len(draft):
        draft[i], draft[j] = draft[j], draft[i]
    return draft


def _change_survey(page: SignedInPageContext, db: Session, key: str,
                   form: FormData) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    if not may_build(page):
        return refuse_edit(page)
    try:
        defined_survey(db, page.workspace.id, key)
    except NotFound:
        return not_found(page, "surveys")
    draft = _draft_from_form(form)
    name = str(form.get("name", "")).strip()
    touchpoint = str(form.get("touchpoint", "")).strip()
    title = _title_from_form(form)
    action = str(form.get("action", "save"))
    if action not in SAVE_ACTIONS:
        if action == "add":
            kind = str(form.get("new_type", "text"))
            kind = kind if kind in TYPE_LABELS else "text"
            draft.append({"key": f"q{len(draft) + 1}", "type": kind, "required": False,
                          "text": {}, "dysfunctional": {}, "kind": "", "choices": ""})
        else:
            draft = _moved(draft, action)
        return edit_page(page, db, key, draft=draft, name=name, touchpoint=touchpoint,
                          title=title,
                          note=N_("Not saved yet: save the survey to publish the changes."))
    try:
        definition = checked_definition({**_definition_document(draft), "title": title})
        removed = save_survey(
            db, page.workspace.id, key, name=name, touchpoint=touchpoint or None,
            definition=definition, actor=page.viewer.email, user_id=page.viewer.user_id,
            remove_quotas=action == SAVE_REMOVING_QUOTAS)
    except QuotasLoseAnswer as error:
        db.rollback()
        return edit_page(page, db, key, draft=draft, name=name, touchpoint=touchpoint,
                          title=title, status_code=422, error={
                              "index": None, "number": None, "part": "quotas",
                              "quotas": list(error.quotas), "message": error.message})
    except InvalidInput as error:
        db.rollback()
        return edit_page(page, db, key, draft=draft, name=name, touchpoint=touchpoint,
                          title=title, status_code=422, error=_form_error(error))
    db.commit()
    return page.redirect(f"/surveys/{key}?saved=1" + ("&quotas=removed" if removed else ""))


def _form_error(error: InvalidInput) -> dict[str, Any]:
    """Which question and which part of it the refusal is about, and what to say."""
    match = _INDEXED.match(error.field)
    if match is None:
        part = error.field.split(".")[0]
        part = part if part in FIELD_MESSAGES else "questions"
        return {"index": None, "number": None, "part": part, "message": FIELD_MESSAGES[part]}
    part = match.group(2)  # "dysfunctional": a Kano pair's "if it is not so" text
    if part not in FIELD_MESSAGES:
        part = "text" if part in ("label",) else "choices"
    return {"index": int(match.group(1)), "number": int(match.group(1)) + 1, "part": part,
            "message": FIELD_MESSAGES[part]}
