"""The demo company's strategy: scorecard, strategy map, Q4 2026 OKRs and MBO sheets.

``demo_strategy.yaml`` is an ordinary strategy-as-code file whose data-bound numbers are
filled in from the generated company at import (``fill.py``, ``history.py``), then it is
imported with the same importer as ``kano strategy import``. The people it names as
owners are created as demo users (password ``demo``) so that the roles can be tried out:
the managing director is an admin, everyone else a manager who may edit what they own.

The texts come in English, Russian and Hungarian: the English file plus a translation
overlay per language (``overlay.py``), merged before the numbers are filled in.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import User
from kano.adapters.strategy_code import ImportResult
from kano.adapters.strategy_code.importer import import_document, workspace_owner
from kano.adapters.strategy_code.schema import StrategyDocument
from kano.adapters.strategy_code.source import LoadedYaml
from kano.demo.strategy.fill import fill_from_data
from kano.demo.strategy.history import DemoHistory
from kano.demo.strategy.overlay import translated
from kano.domain.workspaces import Role

DEMO_STRATEGY_FILE = Path(__file__).with_name("demo_strategy.yaml")
DEMO_PEOPLE_PASSWORD = "demo"


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    role: Role


DEMO_PEOPLE = (
    DemoPerson("helen.carter@northwind.example", "Helen Carter", Role.ADMIN),
    DemoPerson("marco.silva@northwind.example", "Marco Silva", Role.MANAGER),
    DemoPerson("priya.nair@northwind.example", "Priya Nair", Role.MANAGER),
    DemoPerson("tom.becker@northwind.example", "Tom Becker", Role.MANAGER),
    DemoPerson("judit.kovacs@northwind.example", "Kovács Judit", Role.MANAGER),
    DemoPerson("anna.petrova@northwind.example", "Anna Petrova", Role.MANAGER),
)
"""Managing director; finance director; head of customer experience (the CX lead);
delivery manager; customer service manager; people & culture lead."""


def filled_document(data_dir: Path, language: str = "en") -> dict[str, Any]:
    """The demo strategy as data, its texts in ``language`` (en, ru, hu), with every
    data-bound number computed from ``data_dir``."""
    # libyaml's loader when present: the pure-Python one takes a tenth of a second here.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    template = yaml.load(DEMO_STRATEGY_FILE.read_text(encoding="utf-8"), Loader=loader)
    template = translated(template, language)
    with DemoHistory(data_dir) as history:
        return fill_from_data(template, history)


def _named_people(node: Any) -> Iterator[str]:
    """Every e-mail the document names as an owner or a check-in author."""
    if isinstance(node, dict):
        for field, value in node.items():
            if field in ("owner", "author") and isinstance(value, str):
                yield value
            else:
                yield from _named_people(value)
    elif isinstance(node, list):
        for item in node:
            yield from _named_people(item)


def ensure_demo_people(session: Session, workspace_slug: str, emails: set[str]) -> None:
    """Create the demo people among ``emails`` who do not exist yet (password ``demo``) and
    give each their role in the workspace."""
    people = {person.email: person for person in DEMO_PEOPLE}
    unknown = sorted(emails - people.keys())
    if unknown:
        raise ValueError(f"the demo strategy names people who are not demo users: {unknown}")
    workspace = accounts.get_workspace(session, workspace_slug)
    existing = {
        user.email: user for user in session.scalars(select(User).where(User.email.in_(emails)))
    }
    for email in sorted(emails):
        person = people[email]
        # Only missing people are created: hashing a password takes a tenth of a second,
        # which every refresh of the demo would pay six times over.
        user = existing.get(email) or accounts.ensure_user(
            session, email, DEMO_PEOPLE_PASSWORD, name=person.name
        )
        accounts.grant_role(session, workspace, user, person.role)


def import_demo_strategy(
    sessions: sessionmaker[Session], data_dir: Path, workspace: str, language: str = "en"
) -> ImportResult:
    """Import the demo strategy into ``workspace``, which holds the company generated in
    ``data_dir`` (its teams and employees are referenced), its texts in ``language``.
    Idempotent; a re-import in another language rewrites the texts, keys stay."""
    document = filled_document(data_dir, language)
    with transaction(sessions) as session:
        ensure_demo_people(session, workspace, set(_named_people(document)))
        owner = workspace_owner(session, workspace)  # the importer, as in the CLI
    # Checked as a document rather than re-parsed as YAML text: the pure-Python YAML
    # parser would add most of a second to ``kano demo``. Its line numbers would point
    # into a generated text anyway; an error here is a bug in the template.
    return import_document(
        sessions,
        StrategyDocument.model_validate(document),
        LoadedYaml(document),
        source=DEMO_STRATEGY_FILE.name,
        workspace=workspace,
        actor="kano demo",
        as_user=owner,
    )


def load_demo_strategy(data_dir: Path, workspace: str, language: str = "en") -> ImportResult:
    """``import_demo_strategy`` on the configured database (what ``kano demo`` calls)."""
    from kano.bootstrap import build_container

    container = build_container()
    try:
        return import_demo_strategy(container.sessions, data_dir, workspace, language)
    finally:
        container.close()
