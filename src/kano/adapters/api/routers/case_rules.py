"""``/case-rules``: the workspace's case rules and routing table, read and replaced whole."""

from __future__ import annotations

from fastapi import APIRouter

from kano.adapters.api.deps import ReadAccess, SessionDep
from kano.adapters.api.editing import EditorDep, commit_or_conflict, record, write_responses
from kano.adapters.api.errors import problem_responses
from kano.adapters.api.schemas.case_rules import CaseRulesIn, CaseRulesOut
from kano.adapters.db import case_rules

router = APIRouter(prefix="/case-rules", tags=["cases"])


@router.get(
    "",
    summary="The case rules and routing table",
    response_model=CaseRulesOut,
    responses=problem_responses(401, 403, 500),
)
def get_case_rules(caller: ReadAccess, session: SessionDep) -> CaseRulesOut:
    """The rules in force, in order (the defaults when the workspace has none of its own)
    and the routing table."""
    document = case_rules.document_of(session, caller.workspace_id)
    rules, _ = case_rules.parse_document(document)
    warnings = case_rules.policy_warnings(session, caller.workspace_id, rules)
    return CaseRulesOut.model_validate(document | {"warnings": warnings})


@router.put(
    "",
    summary="Replace the case rules and routing table",
    response_model=CaseRulesOut,
    responses=write_responses(400, 401, 403, 409, 422, 500),
)
def put_case_rules(editor: EditorDep, session: SessionDep, body: CaseRulesIn) -> CaseRulesOut:
    """Admins only. The whole list is checked first (a bad rule is a 422 naming the
    field, as `rules.2.threshold`; unknown teams, segments and touchpoints too) and
    nothing changes unless all of it is right. The change is in the audit log with the
    lists before and after. A sentiment rule saved while the workspace has no trained
    sentiment model is kept, with a warning in `warnings`: it fires once a model is."""
    editor.require_admin("case rules")
    rules, routes = case_rules.parse_document(body.model_dump(exclude_defaults=True))
    before = case_rules.document_of(session, editor.workspace_id)
    case_rules.replace_policy(session, editor.workspace_id, rules, routes)
    after = case_rules.document_of(session, editor.workspace_id)
    record(session, editor, "replace", "case_rules", None, {"from": before, "to": after})
    commit_or_conflict(session)
    warnings = case_rules.policy_warnings(session, editor.workspace_id, rules)
    return CaseRulesOut.model_validate(after | {"warnings": warnings})
