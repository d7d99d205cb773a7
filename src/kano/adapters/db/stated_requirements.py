"""Special requirements stated in survey answers, entered in the register at intake.

A survey's requirement question (``QuestionType.REQUIREMENT``) asks for one kind of
requirement (delivery, packaging …) in the customer's words. Every intake path — the
single API and staff entry, the public page, the bulk API and imports — calls
:func:`enter_stated_requirements` in the transaction that stores the responses, so the
answer and its register entry exist together or not at all. The entry is ``proposed``
(someone still has to agree to it), linked to the customer and the response, and its
process is the survey's touchpoint. An anonymous answer has no customer to hold a
requirement: it stays an answer of its response only.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from kano.adapters.db.orm import AuditEntry, SpecialRequirementRow, Touchpoint, utcnow
from kano.domain.feedback.surveys import ExtraAnswer

ACTOR = "survey"  # the audit log's actor: the customer, through a survey


def enter_stated_requirements(
    session: Session,
    workspace_id: int,
    response_ids: Sequence[int],
    customer_ids: Sequence[int | None],
    touchpoint_ids: Sequence[int | None],
    extras: Sequence[Sequence[ExtraAnswer]],
) -> int:
    """Enter the requirement answers of these stored responses (same order); how many."""
    stated = [
        (response_id, customer_id, touchpoint_id, answer)
        for response_id, customer_id, touchpoint_id, extra in zip(
            response_ids, customer_ids, touchpoint_ids, extras, strict=True
        )
        if customer_id is not None
        for answer in extra
        if answer.requirement_kind is not None and answer.value.strip()
    ]
    if not stated:
        return 0
    wanted = sorted({t for _, _, t, _ in stated if t is not None})
    touchpoints: dict[int, str] = {}
    if wanted:
        touchpoints = {
            touchpoint_id: key
            for touchpoint_id, key in session.execute(
                select(Touchpoint.id, Touchpoint.key).where(
                    Touchpoint.workspace_id == workspace_id, Touchpoint.id.in_(wanted)
                )
            )
        }
    now = utcnow()
    entered = insert(SpecialRequirementRow).returning(
        SpecialRequirementRow.id, sort_by_parameter_order=True
    )
    ids = session.scalars(
        entered,
        [
            {
                "workspace_id": workspace_id,
                "customer_id": customer_id,
                "response_id": response_id,
                "kind": answer.requirement_kind,
                "text": answer.value.strip(),
                "status": "proposed",
                "process_key": touchpoints.get(touchpoint_id) if touchpoint_id else None,
                "created_at": now,
                "updated_at": now,
            }
            for response_id, customer_id, touchpoint_id, answer in stated
        ],
    ).all()
    session.execute(
        insert(AuditEntry),
        [
            {
                "workspace_id": workspace_id,
                "actor": ACTOR,
                "action": "create",
                "entity": "requirement",
                "entity_id": str(requirement_id),
                "detail": {"response_id": response_id, "question": answer.question},
                "at": now,
            }
            for requirement_id, (response_id, _, _, answer) in zip(ids, stated, strict=True)
        ],
    )
    return len(ids)
