"""The closed loop's case inbox and the case page.

``/cases`` lists the workspace's cases, newest first, with filters (a GET form: it opens on
the open cases, new or in progress, the ones still to work on; ``status=any`` shows all) and the
SLA countdown of each open case; managers and above route selected cases to a team and
hand them to a person (the case's owner: a member who may work cases).
``/cases/{id}`` shows one case: the response that opened it (its scores, comment and the
answers to its survey's other questions), the customer's history, the audit trail, and
the forms that move it along. Changes go through
``kano.adapters.db.case_actions``, the same functions as the API's PATCH; viewers read only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Form
from starlette.responses import Response

from kano.adapters.db import case_rules as case_rule_store
from kano.adapters.db.case_actions import (
    assign_cases,
    assign_owner,
    case_of,
    parse_root_causes,
    update_case,
)
from kano.adapters.db.loop_closing import reach_of
from kano.adapters.db.orm import utcnow
from kano.adapters.db.survey_store import answer_lines
from kano.adapters.db.views.case_export import case_export
from kano.adapters.db.views.cases import (
    OPEN,
    CaseFilters,
    case_inbox,
    case_view,
    case_workers,
    root_cause_report,
    root_cause_suggestions,
    rules_of,
    teams_of,
)
from kano.adapters.exports.case_table import CaseFileTexts, cases_csv, cases_xlsx
from kano.adapters.exports.table_files import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE
from kano.adapters.web.case_rule_labels import (
    case_rule_filter,
    case_title_filter,
    score_condition,
)
from kano.adapters.web.deps import CsrfChecked, DbSession, SignedInPage, SignedInPageContext
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.routes.surveys import KANO_LABELS
from kano.adapters.web.strategy_access import can_edit, no_workspace, not_found, refuse_edit
from kano.adapters.web.strategy_exports import download, utc_heading
from kano.domain.feedback.cases import CaseRule, CaseStatus, check_transition
from kano.domain.shared.errors import InvalidInput, NotFound

router = APIRouter()

STATUS_LABELS = {
    "new": N_("New"),
    "in_progress": N_("In progress"),
    "resolved": N_("Resolved"),
    "loop_closed": N_("Loop closed"),
}
EVENT_LABELS = {
    "opened": N_("Opened"),
    "status": N_("Status changed"),
    "escalated": N_("Escalated"),
    "note": N_("Note"),
    "root_causes": N_("Root causes tagged"),
    "assigned": N_("Assigned to a team"),
    "owner": N_("Owner changed"),
}
ESCALATION_REASONS = {
    "first response overdue": N_("first response overdue"),
    "resolution overdue": N_("resolution overdue"),
}
DELIVERY_LABELS = {  # an outbox message's status, as the response's e-mail
    "pending": N_("queued"),
    "sent": N_("sent"),
    "failed": N_("could not be delivered"),
    "bounced": N_("bounced"),
}
RULE_KIND_LABELS = {
    "score": N_("Score"),
    "keyword": N_("Keyword"),
    "vip": N_("VIP"),
    "segment": N_("Segment"),
    "sentiment": N_("Negative sentiment"),
}
MESSAGES = {
    "status": N_("This case cannot move to that status from where it is."),
    "root_causes": N_("Separate root causes with commas or new lines: at most 20 tags, "
                      "each up to 64 characters."),
    "note": N_("Write a note of up to 5,000 characters."),
    "message": N_("Write what changed for the customer, in up to 5,000 characters: closing the "
                  "loop sends them this message."),
    "assign": N_("Tick at least one case and choose a team or a person."),
    "owner": N_("Only a member who may work cases (a manager or above) can own a case."),
}
NOBODY = "-"  # the owner filter's and the owner forms' value for "nobody"
MINE = "me"  # the owner filter's value for the viewer's own cases
ANY_STATUS = "any"  # the status filter's value for every status (the default is OPEN)


def next_statuses(status: str) -> list[str]:
    """The statuses this case may move to, as ``check_transition`` allows."""
    allowed = []
    for wanted in CaseStatus:
        try:
            check_transition(CaseStatus(status), wanted)
        except InvalidInput:
            continue
        allowed.append(wanted.value)
    return allowed


def _labels() -> dict[str, object]:
    return {"status_labels": STATUS_LABELS, "event_labels": EVENT_LABELS,
            "escalation_reasons": ESCALATION_REASONS, "rule_kind_labels": RULE_KIND_LABELS,
            "delivery_labels": DELIVERY_LABELS}


def rule_condition(rule: CaseRule, gettext: Callable[[str], str] = str) -> str:
    """What a rule looks at, in its own terms (keys, keywords, "CSAT ≤ 2"): data, not
    prose, so it reads the same in every language but for the rating's name."""
    parts: list[str] = []
    if rule.kind == "keyword" or (rule.kind == "score" and rule.keywords):
        parts.append(", ".join(rule.keywords))
    if rule.kind == "vip":
        if rule.vip_attribute:
            parts.append("vip: true")
        if rule.vip_accounts:
            shown = ", ".join(rule.vip_accounts[:5])
            parts.append(shown + (f" … (+{len(rule.vip_accounts) - 5})"
                                  if len(rule.vip_accounts) > 5 else ""))
    if rule.kind == "segment" and rule.segment:
        parts.append(rule.segment)
    if rule.kind == "sentiment":
        parts.append(f"p(negative) ≥ {rule.threshold_probability:g}")
    if rule.question is not None:
        parts.append(score_condition(rule.question, rule.comparison, rule.threshold, gettext))
    return " · ".join(parts)


def _inbox_page(page: SignedInPageContext, db: DbSession, filters: CaseFilters, *,
                owner: str = "", status_code: int = 200, error: str | None = None) -> Response:
    """``owner`` is the owner filter as chosen (``me``, ``-``, an e-mail or empty);
    ``filters.owner`` holds what it means."""
    assert page.workspace is not None
    workspace_id = page.workspace.id
    return page.render(
        "cases/index.html", status_code=status_code, active="cases",
        inbox=case_inbox(db, workspace_id, filters, utcnow()), filters=filters,
        owner_filter=owner, owners=case_workers(db, workspace_id), nobody=NOBODY, mine=MINE,
        any_status=ANY_STATUS,
        teams=teams_of(db, workspace_id), rules=rules_of(db, workspace_id),
        policy=case_rule_store.policy_of(db, workspace_id),
        root_causes=root_cause_report(db, workspace_id),
        rule_condition=lambda rule: rule_condition(rule, page.gettext),
        can_work=can_edit(page), error=error, download_query=download_query(filters, owner),
        **_labels(),
    )


def inbox_status(status: str | None) -> str | None:
    """The status filter a ``status`` parameter asks for: the inbox opens on the cases
    still to work on (no parameter, or one it does not know), and ``any`` shows every
    status, as does the empty ``status=`` of URLs bookmarked when "any" was the default."""
    if status is None:
        return OPEN
    if status in ("", ANY_STATUS):
        return None
    return status if status in STATUS_LABELS or status == OPEN else OPEN


def inbox_filters(page: SignedInPageContext, status: str | None, team: str, rule: str,
                  overdue: str, owner: str, due: str) -> CaseFilters:
    """The filters the inbox's GET form (or a download link that copies it) asks for."""
    return CaseFilters(inbox_status(status), team or None, rule or None,
                       overdue in ("1", "on", "yes", "true"),
                       page.viewer.email if owner == MINE else owner or None,
                       due_today=due == "today")


def download_query(filters: CaseFilters, owner: str) -> str:
    """The query string that gives a download link the page's filters (``owner`` as
    chosen: ``me`` stays "the viewer's own")."""
    asked = {"status": filters.status or ANY_STATUS, "team": filters.team or "",
             "rule": filters.rule or "", "overdue": "1" if filters.overdue else "",
             "owner": owner, "due": "today" if filters.due_today else ""}
    return urlencode({name: value for name, value in asked.items() if value})


@router.get("/cases")
def inbox(page: SignedInPage, db: DbSession, status: str | None = None, team: str = "",
          rule: str = "", overdue: str = "", owner: str = "", due: str = "") -> Response:
    if page.workspace is None:
        return no_workspace(page)
    filters = inbox_filters(page, status, team, rule, overdue, owner, due)
    return _inbox_page(page, db, filters, owner=owner)


@router.get("/cases.{extension}")
def inbox_file(page: SignedInPage, db: DbSession, extension: str, status: str | None = None,
               team: str = "", rule: str = "", overdue: str = "", owner: str = "",
               due: str = "") -> Response:
    """The cases the inbox shows for the same filters (all of them, not only the first
    200) as CSV or XLSX; whoever may read the inbox may download it."""
    if page.workspace is None:
        return no_workspace(page)
    if extension not in ("csv", "xlsx"):
        return not_found(page, "cases")
    filters = inbox_filters(page, status, team, rule, overdue, owner, due)
    lines = case_export(db, page.workspace.id, filters, utcnow())
    texts = case_file_texts(page)
    stem = f"cases-{page.workspace.slug}"
    if extension == "csv":
        return download(cases_csv(lines, texts), CSV_MEDIA_TYPE, f"{stem}.csv")
    return download(cases_xlsx(lines, texts), XLSX_MEDIA_TYPE, f"{stem}.xlsx")


def case_file_texts(page: SignedInPageContext) -> CaseFileTexts:
    _ = page.gettext
    return CaseFileTexts(
        header=(_("Case"), utc_heading(_("Opened"), _), _("Title"), _("Customer"), _("Rule"),
                _("Priority"), _("Status"), _("Owner"), _("Team"),
                utc_heading(_("First response due"), _), utc_heading(_("Resolution due"), _),
                _("SLA breached"), _("Root causes")),
        statuses={status: _(words) for status, words in STATUS_LABELS.items()},
        yes=_("yes"), no=_("no"), sheet=_("Cases"),
        case_title=case_title_filter(page.gettext),
        case_rule=case_rule_filter(page.gettext),
    )


def filters_of_query(page: SignedInPageContext, query: str) -> tuple[CaseFilters, str]:
    """The inbox filters (and the owner filter as chosen) of a query string such as
    ``download_query`` writes: the inbox form hands back the filters it was shown with."""
    asked = {name: values[0] for name, values in parse_qs(query).items()}
    owner = asked.get("owner", "")
    return inbox_filters(page, asked.get("status"), asked.get("team", ""),
                         asked.get("rule", ""), asked.get("overdue", ""), owner,
                         asked.get("due", "")), owner


@router.post("/cases/assign", dependencies=[CsrfChecked])
def assign(page: SignedInPage, db: DbSession,
           case_ids: Annotated[list[int] | None, Form()] = None,
           team: Annotated[str, Form()] = "",
           owner: Annotated[str, Form()] = "",
           shown: Annotated[str, Form()] = "") -> Response:
    """Route the ticked cases to a team and/or hand them to a person (``-``: nobody);
    managers and above. Both in one transaction: a refused owner routes nothing.
    ``shown``: the filters the inbox was shown with (its query string); the inbox comes
    back with them, after the change or with the refusal."""
    if page.workspace is None:
        return no_workspace(page)
    if not can_edit(page):
        return refuse_edit(page)
    filters, owner_filter = filters_of_query(page, shown)
    if not case_ids or not (team or owner):
        return _inbox_page(page, db, filters, owner=owner_filter, status_code=422,
                           error=MESSAGES["assign"])
    try:
        if team:
            assign_cases(db, page.workspace.id, case_ids, team, page.viewer.email)
        if owner:
            assign_owner(db, page.workspace.id, case_ids, None if owner == NOBODY else owner,
                         page.viewer.email)
    except InvalidInput as refused:
        db.rollback()
        error = MESSAGES["owner"] if refused.field == "owner" else MESSAGES["assign"]
        return _inbox_page(page, db, filters, owner=owner_filter, status_code=422,
                           error=error)
    db.commit()
    return page.redirect(f"/cases?{download_query(filters, owner_filter)}")


def _case_page(page: SignedInPageContext, db: DbSession, case_id: int, *,
               status_code: int = 200, error: str | None = None,
               error_for: str | None = None, message: str | None = None) -> Response:
    assert page.workspace is not None
    view = case_view(db, page.workspace.id, case_id, utcnow())
    if view is None:
        return not_found(page, "cases")
    answers = []
    if view.response is not None:
        answers = answer_lines(db, page.workspace.id, view.response.id, page.language.code)
    statuses = next_statuses(view.line.status)
    can_close = CaseStatus.LOOP_CLOSED.value in statuses
    return page.render(
        "cases/case.html", status_code=status_code, active="cases", view=view,
        answers=answers, kano_labels=KANO_LABELS,
        next_statuses=[s for s in statuses if s != CaseStatus.LOOP_CLOSED.value],
        reach=reach_of(db, view.row, _email_enabled(page)) if can_close else None,
        message=message or "", can_work=can_edit(page),
        owners=case_workers(db, page.workspace.id), nobody=NOBODY, me=page.viewer.email,
        tag_suggestions=root_cause_suggestions(db, page.workspace.id) if can_edit(page) else [],
        error=error, error_for=error_for, **_labels(),
    )


@router.get("/cases/{case_id}")
def case(page: SignedInPage, db: DbSession, case_id: int) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    return _case_page(page, db, case_id)


def _change(page: SignedInPageContext, db: DbSession, case_id: int, field: str, *,
            status: str | None = None, root_causes: str | None = None,
            note: str | None = None, message: str | None = None) -> Response:
    """One change through ``case_actions.update_case``; the page again on a refusal."""
    if page.workspace is None:
        return no_workspace(page)
    if not can_edit(page):
        return refuse_edit(page)
    try:
        row = case_of(db, page.workspace.id, case_id)
        if field == "status" and status not in STATUS_LABELS:
            raise InvalidInput("status", "unknown status")
        if field == "note" and not 0 < len((note or "").strip()) <= 5000:
            raise InvalidInput("note", "empty")
        tags = parse_root_causes(root_causes) if root_causes is not None else None
        update_case(db, row, page.viewer.email, status=status, root_causes=tags,
                    note=note.strip() if note is not None else None, message=message,
                    email_enabled=_email_enabled(page))
    except NotFound:
        return not_found(page, "cases")
    except InvalidInput as refused:
        db.rollback()
        field = refused.field if refused.field in MESSAGES else field
        return _case_page(page, db, case_id, status_code=422, error=MESSAGES[field],
                          error_for=field, message=message)
    db.commit()
    return page.redirect(f"/cases/{case_id}")


@router.post("/cases/{case_id}/status", dependencies=[CsrfChecked])
def move(page: SignedInPage, db: DbSession, case_id: int,
         status: Annotated[str, Form()] = "") -> Response:
    return _change(page, db, case_id, "status", status=status)


@router.post("/cases/{case_id}/close-loop", dependencies=[CsrfChecked])
def close_loop(page: SignedInPage, db: DbSession, case_id: int,
               message: Annotated[str, Form()] = "") -> Response:
    """The last step: the case is final and the customer gets ``message`` (what changed)."""
    return _change(page, db, case_id, "message", status=CaseStatus.LOOP_CLOSED.value,
                   message=message)


def _email_enabled(page: SignedInPageContext) -> bool:
    return bool(page.web.container.settings.smtp_url)


@router.post("/cases/{case_id}/owner", dependencies=[CsrfChecked])
def hand_over(page: SignedInPage, db: DbSession, case_id: int,
              owner: Annotated[str, Form()] = "") -> Response:
    """Take the case ("Assign to me" posts the viewer's e-mail), hand it to another member
    who may work cases, or unassign it (``-``)."""
    if page.workspace is None:
        return no_workspace(page)
    if not can_edit(page):
        return refuse_edit(page)
    try:
        case_of(db, page.workspace.id, case_id)
        assign_owner(db, page.workspace.id, [case_id], None if owner == NOBODY else owner,
                     page.viewer.email)
    except NotFound:
        return not_found(page, "cases")
    except InvalidInput:
        db.rollback()
        return _case_page(page, db, case_id, status_code=422, error=MESSAGES["owner"],
                          error_for="owner")
    db.commit()
    return page.redirect(f"/cases/{case_id}")


@router.post("/cases/{case_id}/root-causes", dependencies=[CsrfChecked])
def tag(page: SignedInPage, db: DbSession, case_id: int,
        root_causes: Annotated[str, Form()] = "") -> Response:
    return _change(page, db, case_id, "root_causes", root_causes=root_causes)


@router.post("/cases/{case_id}/notes", dependencies=[CsrfChecked])
def add_note(page: SignedInPage, db: DbSession, case_id: int,
             note: Annotated[str, Form()] = "") -> Response:
    return _change(page, db, case_id, "note", note=note)
