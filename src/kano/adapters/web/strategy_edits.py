"""The edits the strategy pages make: objectives and cause–effect links through the
one write path the API uses too (``kano.adapters.db.strategy_store``).

The store checks who may — the API's rule (``may_change_owned``): admins change
everything, managers and analysts what they own, links only admins — and refuses with
``EditForbidden``; then the input, then it writes the rows and an audit entry in the
caller's session (the route commits). This module adds what only a page needs: the
editor behind the signed-in reader, numbers as people type them, and the store's problems
as ``EditRejected`` naming the form field with a message marked for the catalogues, so the
page can say what to fix in the reader's language. A row of another workspace is "not
found" (``LookupError``). Measures: ``measure_edits``; values and perspectives:
``scorecard_edits``; OKR check-ins: ``okr_authoring`` on ``okr_store``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db import link_store, strategy_store
from kano.adapters.db.link_store import LAG, SELF_LINK
from kano.adapters.db.orm import (
    CauseEffectLinkRow,
    ObjectiveRow,
    PerspectiveRow,
    ScorecardRow,
)
from kano.adapters.db.strategy_store import (
    BLANK,
    CONTROL,
    TOO_LONG,
    AlreadyExists,
    EditForbidden,
)
from kano.adapters.web.routes.navigation import N_
from kano.domain.shared.errors import InvalidInput, NotFound
from kano.domain.workspaces import Role, may_change_everything, may_change_owned

__all__ = ["EditForbidden", "EditRejected", "Editor"]

NUMBER_LIMIT = 1e15  # as the API's numbers: no score or progress can overflow
LAG_TEXT = N_("The lag is a number of months from 0 to 120.")
# The store's messages in the reader's words, then the store's fields as the forms name them.
_TEXTS = {
    BLANK: N_("Please fill this in."),
    CONTROL: N_("This text contains invisible control characters."),
    LAG: LAG_TEXT,
    SELF_LINK: N_("An objective cannot drive itself."),
}
_FIELD_TEXTS = {
    "perspective": N_("Choose one of the perspectives."),
    "effect": N_("These objectives are already linked."),
    "kind": N_("Choose what the measure records."),
    "direction": N_("Choose whether higher or lower is better."),
    "metric": N_("Choose a metric of the catalogue."),
    "owner_team": N_("Choose one of the workspace's teams."),
}
_FORM_FIELDS = {"perspective": "perspective_id", "cause": "cause_id", "effect": "effect_id"}


class EditRejected(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message  # an N_-marked text: translate it where it is shown


def rejection(problem: InvalidInput | AlreadyExists) -> EditRejected:
    """A store's problem as the page shows it: the form's field, the reader's words."""
    field = problem.field.split(".")[0]  # metric.id, metric.slice.segment → metric
    message = problem.message if isinstance(problem, InvalidInput) else ""
    if message in _TEXTS:
        text = _TEXTS[message]
    elif message.startswith(TOO_LONG):
        text = N_("This text is too long.")
    else:
        text = _FIELD_TEXTS.get(field, N_("Check this value."))
    return EditRejected(_FORM_FIELDS.get(field, field), text)


@contextmanager
def store_problems() -> Iterator[None]:
    """Run a store call; its problems come out as the pages handle them."""
    try:
        yield
    except (InvalidInput, AlreadyExists) as problem:
        raise rejection(problem) from None
    except NotFound as missing:
        raise LookupError(missing.key) from None


@dataclass(frozen=True)
class Editor:
    """Who edits: their role decides what they may change, their e-mail goes to the audit log."""

    workspace_id: int
    user_id: int
    email: str
    role: Role
    language: str = ""  # the page's: how it writes numbers (``parse_number``)

    @property
    def actor(self) -> str:
        return self.email

    def require_admin(self) -> None:
        if not may_change_everything(self.role):
            raise EditForbidden("admin")

    def require_owner(self, owner_user_id: int | None) -> None:
        if not may_change_owned(self.role, self.user_id, [owner_user_id]):
            raise EditForbidden("owner")


def clean_text(value: str, field: str, *, required: bool, limit: int) -> str | None:
    """A typed text trimmed and checked by the store's rule (blank is None)."""
    with store_problems():
        return strategy_store.text(value, field, limit=limit, required=required)


_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_GROUPED = {mark: re.compile(r"[+-]?[1-9]\d{0,2}(" + re.escape(mark) + r"\d{3})+")
            for mark in ",."}  # thousands: "0,125" is a fraction in any language


def _plain_number(text: str, language: str) -> str:
    """The digits of a typed number with a dot for its decimal mark: "1,200,000" and
    "1,200.5" as an English page writes them, "1 200 000,5" as a Russian or Hungarian one
    does, "1.200.000,5" as a German reader may type it. A mark that appears more than once,
    or before the other mark, separates thousands; a single comma is the decimal mark, but
    for a number the English way ("1,200": its page writes 1,200 for twelve hundred)."""
    text = _SPACES.sub("", text).replace("\u2212", "-")  # the pages write U+2212 for minus
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        grouping = "." if decimal == "," else ","
        whole, _, fraction = text.rpartition(decimal)
        if grouping in fraction or not _GROUPED[grouping].fullmatch(whole):
            return text  # float() refuses it
        return whole.replace(grouping, "") + "." + fraction
    for mark in (",", "."):
        if text.count(mark) > 1 or (mark == "," and language == "en"
                                    and _GROUPED[","].fullmatch(text)):
            return text.replace(mark, "") if _GROUPED[mark].fullmatch(text) else text
    return text.replace(",", ".")


def parse_number(text: str, field: str, language: str = "") -> float:
    """A number as people type it: "37.5" or "37,5" (Russian and Hungarian write a comma),
    thousands separated by spaces, or by commas as the ``language`` (the page's) writes
    them ("1,200,000"; "1,200" is twelve hundred on an English page, 1.2 on another),
    bounded like the API's numbers. Before, "1,200,000" was refused and "1,200" saved 1.2."""
    try:
        value = float(_plain_number(text.strip(), language))
    except ValueError:
        raise EditRejected(field, N_("Enter a number.")) from None
    if not -NUMBER_LIMIT <= value <= NUMBER_LIMIT:  # also refuses nan and infinities
        raise EditRejected(field, N_("Enter a number."))
    return value


def create_objective(
    db: Session, editor: Editor, *, perspective_id: int, title: str,
    customer_voice: str = "", description: str = "",
) -> ObjectiveRow:
    """An objective its author owns (managers edit what they own), last in its perspective."""
    with store_problems():
        return strategy_store.create_objective(
            db, editor, perspective_id=perspective_id, title=title,
            customer_voice=customer_voice, description=description,
            owner_user_id=editor.user_id,
        )


def update_objective(
    db: Session, editor: Editor, objective_id: int, *, title: str, customer_voice: str = "",
) -> ObjectiveRow:
    """Reword an objective the editor owns (its key stays, so strategy files still match)."""
    with store_problems():
        return strategy_store.update_objective(
            db, editor, objective_id, {"title": title, "customer_voice": customer_voice})


def add_link(
    db: Session, editor: Editor, *, scorecard_id: int, cause_id: int, effect_id: int,
    hypothesis: str = "", lag_months: int = 0,
) -> CauseEffectLinkRow:
    """Link two objectives of one scorecard (the caller has checked they belong to it).
    Links are the strategy map's structure: admins only, as in the API."""
    with store_problems():
        return link_store.create_link(
            db, editor, scorecard_id=scorecard_id, cause_id=cause_id, effect_id=effect_id,
            hypothesis=hypothesis, lag_months=lag_months,
        )


def delete_objective(db: Session, editor: Editor, objective_id: int) -> str:
    """Delete an objective the editor owns (its measures, values and links go with it);
    returns the key of its scorecard, where the page goes next."""
    scorecard_key = db.scalar(
        select(ScorecardRow.key)
        .join(PerspectiveRow, PerspectiveRow.scorecard_id == ScorecardRow.id)
        .join(ObjectiveRow, ObjectiveRow.perspective_id == PerspectiveRow.id)
        .where(ObjectiveRow.id == objective_id, ObjectiveRow.workspace_id == editor.workspace_id)
    )
    with store_problems():
        strategy_store.delete_objective(db, editor, objective_id)
    return str(scorecard_key)


def delete_link(db: Session, editor: Editor, link_id: int) -> None:
    """Remove a cause–effect link (admins only, as adding one)."""
    with store_problems():
        link_store.delete_link(db, editor, link_id)
