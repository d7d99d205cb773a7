"""The OKR page's forms: what they offer and how they read, on the one OKR write path
(``kano.adapters.db.okr_store``, which the API's routers use too).

Each form is parsed here — choices of a select, numbers and dates as the reader types
them — and written by the store, which checks who may (``EditForbidden``: managers write
what they own, admins anything, viewers nothing), the closed cycle (``CycleIsClosed``),
the values and the live key result, and writes the rows and the audit entries in the
caller's transaction. The route commits. The store's problems come out as
``EditRejected`` naming the form's field with a catalogue text, as the other forms do.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db import okr_store
from kano.adapters.db.okr_store import CYCLE_KINDS, LEVELS
from kano.adapters.db.orm import (
    CheckInRow,
    KeyResultRow,
    Membership,
    ObjectiveRow,
    OkrCycleRow,
    OkrObjectiveRow,
    Team,
    User,
)
from kano.adapters.db.strategy_store import BLANK, CONTROL, TOO_LONG, AlreadyExists
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.strategy_edits import Editor, EditRejected, parse_number
from kano.domain.okr.live_window import Per
from kano.domain.okr.model import Commitment, KeyResultKind
from kano.domain.shared.errors import InvalidInput

__all__ = ["CYCLE_KINDS", "LEVELS"]

# What a page offers: a metric key result follows a catalogue metric or is checked in by hand.
KR_KINDS = ("metric", "manual", "milestone", "yes_no")
KR_KIND_LABELS = {
    "metric": N_("Follows a catalogue metric"),
    "manual": N_("A number checked in by hand"),
    "milestone": N_("Milestones"),
    "yes_no": N_("Done or not"),
}
MILESTONES_MAX = 1000


@dataclass(frozen=True)
class Choice:
    id: int
    label: str


def members(db: Session, workspace_id: int) -> list[Choice]:
    rows = db.execute(select(User.id, User.name, User.email)
                      .join(Membership, Membership.user_id == User.id)
                      .where(Membership.workspace_id == workspace_id).order_by(User.email))
    return [Choice(user_id, f"{name} ({email})" if name else email)
            for user_id, name, email in rows]


def teams(db: Session, workspace_id: int) -> list[Choice]:
    rows = db.execute(select(Team.id, Team.name).where(Team.workspace_id == workspace_id)
                      .order_by(Team.name))
    return [Choice(team_id, name) for team_id, name in rows]


def scorecard_objectives(db: Session, workspace_id: int) -> list[Choice]:
    rows = db.execute(select(ObjectiveRow.id, ObjectiveRow.title)
                      .where(ObjectiveRow.workspace_id == workspace_id)
                      .order_by(ObjectiveRow.title))
    return [Choice(row_id, title) for row_id, title in rows]


def _chosen_id(text: str, field: str, message: str) -> int | None:
    """A select's value: blank is none, anything but a whole number is refused."""
    if not text.strip():
        return None
    try:
        return int(text)
    except ValueError:
        raise EditRejected(field, message) from None


# The store's problems in the reader's words: by (field, message), then by field.
_TEXTS = {
    ("ends_on", okr_store.ENDS_BEFORE_START): N_("The cycle ends on or after its first day."),
    ("team", okr_store.NO_TEAM): N_("A team objective needs its team."),
    ("value", okr_store.LIVE_VALUE): N_(
        "This key result follows its metric: its value updates itself. Check in "
        "your confidence and a comment."
    ),
}
_FIELD_TEXTS = {
    "name": N_("Check this value."),
    "kind": N_("Choose what the key result counts."),
    "owner": N_("Choose a member of this workspace."),
    "team": N_("Choose a team."),
    "parent": N_("Choose an objective of this workspace."),
    "scorecard_objective": N_("Choose an objective of the scorecard."),
    "level": N_("Choose company, team or person."),
    "metric": N_("Choose a metric of the catalogue."),
    "confidence": N_("Confidence is a whole number from 0 to 10."),
    "value": N_("This value does not fit the key result."),
}
_GENERAL_TEXTS = {BLANK: N_("Please fill this in."),
                  CONTROL: N_("This text contains invisible control characters.")}


def _rejection(problem: InvalidInput) -> EditRejected:
    field = problem.field.split(".")[0]  # metric.id → metric
    if (field, problem.message) in _TEXTS:
        return EditRejected(field, _TEXTS[field, problem.message])
    if problem.message in _GENERAL_TEXTS:
        return EditRejected(field, _GENERAL_TEXTS[problem.message])
    if problem.message.startswith(TOO_LONG):
        return EditRejected(field, N_("This text is too long."))
    if field == "value" and problem.message.startswith("is the number of milestones"):
        return EditRejected(field, N_("Enter how many milestones are done."))
    return EditRejected(field, _FIELD_TEXTS.get(field, N_("Check this value.")))


@contextmanager
def _store_problems() -> Iterator[None]:
    """Run a store call; a refused value comes out as the form shows it. ``EditForbidden``
    and ``CycleIsClosed`` pass through to the route (403, 409)."""
    try:
        yield
    except InvalidInput as problem:
        raise _rejection(problem) from None
    except AlreadyExists as taken:  # a derived key is free; a concurrent form took it
        raise EditRejected(taken.field, N_("Check this value.")) from None


@dataclass(frozen=True)
class ObjectiveForm:
    title: str = ""
    level: str = "company"
    owner: str = ""
    team: str = ""
    parent: str = ""
    scorecard_objective: str = ""
    commitment: str = "committed"


def create_okr_objective(db: Session, editor: Editor, cycle: OkrCycleRow,
                         form: ObjectiveForm) -> OkrObjectiveRow:
    """An objective in ``cycle``, last among its objectives; a manager only one they own."""
    try:
        commitment = Commitment(form.commitment)
    except ValueError:
        raise EditRejected("commitment", N_("Choose committed or aspirational.")) from None
    with _store_problems():
        return okr_store.create_objective(
            db, editor, cycle_id=cycle.id, title=form.title, level=form.level,
            owner_user_id=_chosen_id(form.owner, "owner", N_("Choose a member of this "
                                                             "workspace.")),
            team_id=_chosen_id(form.team, "team", N_("Choose a team.")),
            parent_id=_chosen_id(form.parent, "parent",
                                 N_("Choose an objective of this workspace.")),
            scorecard_objective_id=_chosen_id(form.scorecard_objective, "scorecard_objective",
                                              N_("Choose an objective of the scorecard.")),
            commitment=commitment,
        )


@dataclass(frozen=True)
class KeyResultForm:
    title: str = ""
    kind: str = "metric"
    metric: str = ""
    unit: str = ""
    start: str = ""
    target: str = ""
    milestones_total: str = ""
    due_on: str = ""
    per: str = "cycle"


def _milestones(text: str) -> int:
    try:
        total = int(text.strip())
    except ValueError:
        total = 0
    if not 1 <= total <= MILESTONES_MAX:
        raise EditRejected("milestones_total", N_("Enter how many milestones, from 1 to 1000."))
    return total


def create_key_result(db: Session, editor: Editor, objective_id: int,
                      form: KeyResultForm) -> KeyResultRow:
    """A key result on an objective the editor owns, due at the cycle's end unless the
    form names a day."""
    if form.kind not in KR_KINDS:
        raise EditRejected("kind", N_("Choose what the key result counts."))
    kind = KeyResultKind.METRIC if form.kind in ("metric", "manual") else KeyResultKind(form.kind)
    metric_id = form.metric.strip() if form.kind == "metric" else None
    start = target = None
    milestones_total = 0
    if kind is KeyResultKind.METRIC:
        start = parse_number(form.start, "start", editor.language)
        target = parse_number(form.target, "target", editor.language)
    elif kind is KeyResultKind.MILESTONE:
        milestones_total = _milestones(form.milestones_total)
    due_on = _date(form.due_on, "due_on") if form.due_on.strip() else None
    if form.per not in tuple(Per):
        raise EditRejected("per", N_("Choose the cycle so far or per month."))
    with _store_problems():
        return okr_store.create_key_result(
            db, editor, objective_id=objective_id, title=form.title, kind=kind,
            metric_id=metric_id, start=start, target=target,
            unit=form.unit if kind is KeyResultKind.METRIC else None,
            milestones_total=milestones_total, due_on=due_on, per=form.per,
        )


NAME_MAX = okr_store.NAME_MAX


@dataclass(frozen=True)
class CycleForm:
    name: str = ""
    kind: str = "quarter"
    starts_on: str = ""
    ends_on: str = ""


def _date(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise EditRejected(field, N_("Enter a date.")) from None


def create_cycle(db: Session, editor: Editor, form: CycleForm) -> OkrCycleRow:
    """An open cycle (admins only, as the API's ``POST /okr/cycles``)."""
    if form.kind not in CYCLE_KINDS:
        raise EditRejected("kind", N_("Choose a quarter or a year."))
    starts_on = _date(form.starts_on, "starts_on")
    ends_on = _date(form.ends_on, "ends_on")
    with _store_problems():
        return okr_store.create_cycle(db, editor, name=form.name, kind=form.kind,
                                      starts_on=starts_on, ends_on=ends_on)


def check_in(db: Session, editor: Editor, *, key_result_id: int, value: str,
             confidence: str, comment: str) -> tuple[KeyResultRow, CheckInRow]:
    """The check-in form: a number as the reader types it (required but for a key result
    that follows its metric live), a whole confidence, a comment."""
    try:
        score = int(confidence.strip())
    except ValueError:
        raise EditRejected(
            "confidence", N_("Confidence is a whole number from 0 to 10.")
        ) from None
    number = parse_number(value, "value", editor.language) if value.strip() else None
    kr = db.scalar(select(KeyResultRow).where(KeyResultRow.id == key_result_id,
                                              KeyResultRow.workspace_id == editor.workspace_id))
    if kr is None:
        raise LookupError(key_result_id)
    if number is None and not okr_store.is_live(kr):
        raise EditRejected("value", N_("Enter a number."))
    with _store_problems():
        return okr_store.create_check_in(db, editor, key_result_id=kr.id, value=number,
                                         confidence=score, comment=comment)


def cycle_at(db: Session, workspace_id: int, key: str) -> OkrCycleRow | None:
    return db.scalar(select(OkrCycleRow).where(OkrCycleRow.workspace_id == workspace_id,
                                               OkrCycleRow.key == key))
