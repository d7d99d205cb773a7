"""Import a strategy file: read, check everything, then apply all of it or nothing.

Checking happens in two rounds. Pydantic (and, for custom metrics, the custom-metric
parser) checks every entry on its own and reports all such problems at once; only a file
whose entries are all valid gets the second round — references, repeated keys, the people
it names and the metrics its bindings name — because references inside a broken entry
cannot be trusted. Nothing is written until both rounds pass, and the writes share
one transaction, so a failure half-way (a store refusing an entry, even a database
constraint) leaves no trace.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.accounts import audit, ensure_workspace
from kano.adapters.db.metric_catalogue import stored_definitions
from kano.adapters.db.orm import Membership, User, Workspace
from kano.adapters.db.strategy_store import EditForbidden
from kano.adapters.jobs.live_key_result import live_windows, withdraw_moved_windows
from kano.adapters.strategy_code import entries as e
from kano.adapters.strategy_code import schema as s
from kano.adapters.strategy_code.apply import ChangeSummary, apply_document
from kano.adapters.strategy_code.checks import check_document
from kano.adapters.strategy_code.metrics import (
    binding_errors,
    check_file_metrics,
    import_catalogue,
    removed_metric_errors,
)
from kano.adapters.strategy_code.snapshot import People, load_people, load_snapshot
from kano.adapters.strategy_code.source import (
    DocumentError,
    LoadedYaml,
    Loc,
    StrategyFileInvalid,
    load_yaml,
    parse_loc,
)
from kano.adapters.strategy_code.stored import EntryRefused
from kano.domain.shared.errors import InvalidInput
from kano.domain.workspaces import Role, may_change_everything


def _document_error(error: Any, loaded: LoadedYaml) -> DocumentError:
    loc = tuple(error["loc"])
    message = str(error["msg"])
    if error["type"] == "domain_rule":
        loc += parse_loc(error["ctx"]["field"])
        message = error["ctx"]["message"]
    elif error["type"] in ("model_type", "dict_type"):
        message = "should be a mapping of fields (name: value)"
    elif error["type"] == "extra_forbidden":
        message = "unknown field"
    elif error["type"] == "missing":
        message = "required field is missing"
        if loc == ("format",):
            message += " (the file starts with `format: kano-strategy/1`)"
    message = message.removeprefix("Value error, ")
    return loaded.error(loc, message)


# The lists of child entries of each model. Each entry is validated on its own with these
# removed, because pydantic skips a model's own rules (thresholds, dates in order …) as soon
# as any child fails, and the user should see every problem in one run.
_CHILDREN: dict[type[BaseModel], dict[str, type[BaseModel]]] = {
    s.StrategyDocument: {
        "scorecards": s.Scorecard,
        "okr_cycles": s.OkrCycle,
        "mbo_sheets": s.MboSheet,
    },
    s.Scorecard: {"perspectives": s.Perspective, "links": s.Link, "initiatives": s.Initiative},
    s.Perspective: {"objectives": s.Objective},
    s.Objective: {"measures": s.Measure},
    s.Measure: {"values": s.MeasureValue},
    s.OkrCycle: {"objectives": s.OkrObjective},
    s.OkrObjective: {"key_results": s.KeyResult},
    s.KeyResult: {"check_ins": s.CheckIn},
}


def _entry_errors(
    model: type[BaseModel], data: Any, loc: Loc, loaded: LoadedYaml
) -> Iterator[DocumentError]:
    children = _CHILDREN.get(model, {})
    own = {k: v for k, v in data.items() if k not in children} if isinstance(data, dict) else data
    try:
        model.model_validate(own)
    except ValidationError as invalid:
        for error in invalid.errors():
            yield _document_error({**error, "loc": (*loc, *error["loc"])}, loaded)
    if not isinstance(data, dict):
        return
    for field, child in children.items():
        items = data.get(field)
        if items is None:  # absent, or written empty: no children
            continue
        if not isinstance(items, list):
            yield loaded.error((*loc, field), "should be a list")
            continue
        for index, item in enumerate(items):
            yield from _entry_errors(child, item, (*loc, field, index), loaded)


def read_document(text: str, source: str) -> tuple[s.StrategyDocument, LoadedYaml]:
    """Parse and check each entry on its own; raises StrategyFileInvalid with every error."""
    loaded = load_yaml(text, source)
    errors = list(_entry_errors(s.StrategyDocument, loaded.data, (), loaded))
    if isinstance(loaded.data, dict):
        errors += check_file_metrics(loaded.data.get("metrics"), loaded).errors
    if errors:
        raise StrategyFileInvalid(source, errors)
    try:
        return s.StrategyDocument.model_validate(loaded.data), loaded
    except ValidationError as invalid:  # not expected once every entry passed, but never raw
        errors = [_document_error(error, loaded) for error in invalid.errors()]
        raise StrategyFileInvalid(source, errors) from None


def _named_people(document: s.StrategyDocument) -> Iterator[tuple[str, str]]:
    """("user" | "team" | "employee", natural key) for everyone the document names."""
    for entry in e.walk(document):
        model = entry.model
        for field, kind in (("owner", "user"), ("author", "user"), ("owner_team", "team")):
            value = getattr(model, field, None)
            if isinstance(value, str):
                yield kind, value
        if entry.entity == e.OKR_OBJECTIVE and model.team:
            yield "team", model.team
        if entry.entity == e.MBO_SHEET:
            yield "employee", model.employee


def _load_people(session: Session, workspace_id: int, document: s.StrategyDocument) -> People:
    named = list(_named_people(document))
    return load_people(
        session,
        workspace_id,
        emails=[key for kind, key in named if kind == "user"],
        team_keys=[key for kind, key in named if kind == "team"],
        employee_ids=[key for kind, key in named if kind == "employee"],
    )


@dataclass(frozen=True)
class Importer:
    """Who imports, as the stores' ``Author``: a member named by e-mail (an admin or owner:
    a file changes the strategy's structure), or the operator at the command line, who
    acts as an admin without a user — as a ``write`` token without a user does."""

    workspace_id: int
    user_id: int | None
    role: Role
    actor: str


def importer_of(session: Session, workspace: Workspace, as_user: str | None,
                actor: str) -> Importer:
    """The author of an import into ``workspace``: the member with e-mail ``as_user``
    (``InvalidInput`` on ``as_user`` when there is none, ``EditForbidden`` below admin), else
    the operator named ``actor``."""
    if as_user is None:
        return Importer(workspace.id, None, Role.ADMIN, actor)
    email = as_user.strip().lower()
    member = session.execute(
        select(User.id, User.is_active, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.workspace_id == workspace.id, User.email == email)
    ).first()
    if member is None or not member.is_active:
        raise InvalidInput("as_user", f"no active member with e-mail '{email}' in workspace "
                                      f"'{workspace.slug}'")
    role = Role(member.role)
    if not may_change_everything(role):
        raise EditForbidden("admin", f"{email} is a {role} of workspace '{workspace.slug}'; "
                                     "only an admin or owner may import a strategy file")
    return Importer(workspace.id, int(member.id), role, email)


def workspace_owner(session: Session, slug: str) -> str | None:
    """The e-mail of the workspace's first active owner (None: no such workspace or owner),
    whom ``kano strategy import`` names as the importer unless told otherwise."""
    email = session.scalar(
        select(User.email)
        .join(Membership, Membership.user_id == User.id)
        .join(Workspace, Workspace.id == Membership.workspace_id)
        .where(Workspace.slug == slug, Membership.role == Role.OWNER.value, User.is_active)
        .order_by(Membership.id)
        .limit(1)
    )
    return None if email is None else str(email)


@dataclass(frozen=True)
class ImportResult:
    summary: ChangeSummary
    workspace_created: bool
    dry_run: bool
    actor: str = "cli"

    @property
    def changed(self) -> bool:
        return self.workspace_created or not self.summary.is_empty()


def import_strategy(
    sessions: sessionmaker[Session],
    text: str,
    *,
    source: str,
    workspace: str,
    dry_run: bool = False,
    actor: str = "cli",
    as_user: str | None = None,
) -> ImportResult:
    """Check ``text`` completely, then make ``workspace`` match it in one transaction.

    Scorecards, cycles and sheets in the file are replaced with what the file says (their
    perspectives, objectives, measures, values, links, initiatives, OKRs, key results,
    check-ins and MBO objectives that the file omits are deleted); those the file does not
    mention are left alone. A ``metrics:`` list replaces the workspace's custom metrics; a
    file without one keeps them. A dry run does the same work and rolls it back.

    The member ``as_user`` (an admin or owner) imports, else the operator named ``actor``;
    the audit log names them on every row written (``importer_of``).
    """
    document, loaded = read_document(text, source)
    return import_document(
        sessions, document, loaded, source=source, workspace=workspace, dry_run=dry_run,
        actor=actor, as_user=as_user,
    )


def import_document(
    sessions: sessionmaker[Session],
    document: s.StrategyDocument,
    loaded: LoadedYaml,
    *,
    source: str,
    workspace: str,
    dry_run: bool = False,
    actor: str = "cli",
    as_user: str | None = None,
) -> ImportResult:
    """The second half of ``import_strategy``, for a document whose entries are valid."""
    session = sessions()
    try:
        created = _workspace_is_new(session, workspace)
        ws = ensure_workspace(session, workspace)
        author = importer_of(session, ws, as_user, actor)
        snapshot = load_snapshot(session, ws.id)
        people = _load_people(session, ws.id, document)
        # Custom metrics are checked again here: the demo hands in a document directly.
        metrics = check_file_metrics(document.metrics, loaded)
        errors = metrics.errors + check_document(document, loaded, snapshot, people)
        catalogue = import_catalogue(session, ws.id, document, metrics)
        errors += binding_errors(document, loaded, catalogue, metrics)
        stored_ids = {row.key for row in stored_definitions(session, ws.id)}
        errors += removed_metric_errors(document, loaded, snapshot, stored_ids, metrics)
        if errors:
            raise StrategyFileInvalid(source, errors)
        before = live_windows(session, ws.id)
        try:
            summary = apply_document(session, author, document, loaded, snapshot, people)
            withdraw_moved_windows(session, ws.id, before)  # no old window's number stays
            if not summary.is_empty():
                audit(session, ws.id, author.actor, "import", "strategy", source[-64:],
                      summary.as_detail(), user_id=author.user_id)
            if dry_run:
                session.rollback()
            else:
                session.commit()
        except EntryRefused as refused:
            raise StrategyFileInvalid(source, [refused.error]) from None
        except IntegrityError as refused:
            if not _unique_clash(refused):
                raise  # a check or foreign key the checks let through: a bug, not the file's
            session.rollback()
            raise StrategyFileInvalid(source, _clashes_now(sessions, document, loaded,
                                                           workspace, refused)) from None
        return ImportResult(summary, created, dry_run, author.actor)
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _unique_clash(error: IntegrityError) -> bool:
    """Whether a unique key or index refused the write (PostgreSQL's SQLSTATE 23505,
    SQLite's "UNIQUE constraint failed"), rather than a check or a foreign key."""
    reason = error.orig
    return (getattr(reason, "sqlstate", None) == "23505"
            or str(reason).startswith("UNIQUE constraint failed"))


def _clashes_now(sessions: sessionmaker[Session], document: s.StrategyDocument,
                 loaded: LoadedYaml, workspace: str,
                 refused: IntegrityError) -> list[DocumentError]:
    """Why the database refused a write that the checks had let through: another change —
    the MBO page, another import — took a key or an employee's period between the checks
    and the write. The checks, run again on the workspace as it is now, name the entry
    and its line; nothing of the import was kept. Should they find nothing, the database's
    own reason is named (one line, not a traceback)."""
    with sessions() as session:
        workspace_id = session.scalar(select(Workspace.id).where(Workspace.slug == workspace))
        if workspace_id is not None:
            snapshot = load_snapshot(session, workspace_id)
            people = _load_people(session, workspace_id, document)
            if errors := check_document(document, loaded, snapshot, people):
                return errors
    reason = str(refused.orig).splitlines()[0][:200] if refused.orig else "a constraint"
    return [loaded.error((), f"the database refused the import ({reason}); nothing was "
                             "imported — if this workspace was being changed at the same "
                             "time, run the import again")]


def _workspace_is_new(session: Session, slug: str) -> bool:
    return session.scalar(select(Workspace.id).where(Workspace.slug == slug)) is None
