"""Strategy data for the web tests of the scorecard, map, OKR and MBO pages.

Acme gets the realistic example strategy (tests/integration/strategy/example_strategy.yaml:
10 company objectives, 6 links, a Q3 2026 cycle, Ana's MBO sheet) and a third member,
Vera, who may only read. ``grant_manager`` lets the CEO of the example log in as a manager
who owns some of it. Globex gets a small strategy whose every title says "Globex secret",
so a test can assert that none of it ever shows up on Acme's pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.domain.workspaces import Role
from tests.integration.strategy.seed import seed_people
from tests.integration.strategy.support import example_text, import_text
from tests.integration.web.seed import PASSWORD, SeededCompanies

VIEWER = "vera@acme.test"
MANAGER = "ceo@acme.example"
"""Owns "Be easy to work with" and "Grow profitable revenue" on the scorecard, and the
company OKR "Delight our B2B customers" — not "Keep the customers we have" (a team's) nor
Ana's OKR "Coach every new agent"."""
SECRET = "Globex secret"

GLOBEX_STRATEGY = """\
format: kano-strategy/1
scorecards:
  - key: company
    name: Globex secret scorecard
    perspectives:
      - key: financial
        name: Globex secret perspective
        objectives:
          - key: globex-secret-objective
            title: Globex secret objective
          - key: globex-secret-cause
            title: Globex secret cause
    links:
      - cause: globex-secret-cause
        effect: globex-secret-objective
okr_cycles:
  - key: 2026-q3
    name: Globex secret cycle
    starts_on: 2026-07-01
    ends_on: 2026-09-30
    objectives:
      - key: globex-secret-okr
        title: Globex secret OKR
        key_results:
          - key: globex-secret-kr
            title: Globex secret key result
            kind: metric
            start: 0
            target: 10
            current: 5
mbo_sheets:
  - key: ana-2026
    employee: E-1001
    period: "2026"
    objectives:
      - key: secret
        title: Globex secret MBO objective
        weight: 100
"""


@dataclass(frozen=True)
class SeededStrategy:
    companies: SeededCompanies
    viewer: str = VIEWER
    password: str = PASSWORD

    @property
    def editor(self) -> str:
        """Bob owns Acme: owners and admins change the whole strategy."""
        return self.companies.bob

    @property
    def analyst(self) -> str:
        """Alice is an analyst in Acme who owns none of its strategy (a manager's peer)."""
        return self.companies.alice


def seed_strategy(sessions: sessionmaker[Session], companies: SeededCompanies) -> SeededStrategy:
    seed_people(sessions, "acme")
    import_text(sessions, example_text(), "acme")
    seed_people(sessions, "globex", users=(), teams=("secret-team",), employees=("E-1001",))
    import_text(sessions, GLOBEX_STRATEGY, "globex")
    with transaction(sessions) as session:
        acme = accounts.get_workspace(session, "acme")
        vera = accounts.ensure_user(session, VIEWER, PASSWORD, name="Vera")
        accounts.grant_role(session, acme, vera, Role.VIEWER)
    return SeededStrategy(companies)


def grant_manager(sessions: sessionmaker[Session], email: str = MANAGER) -> str:
    """Let a person the strategy names log in to Acme as a manager; returns the e-mail."""
    with transaction(sessions) as session:
        acme = accounts.get_workspace(session, "acme")
        user = accounts.ensure_user(session, email, PASSWORD)
        accounts.grant_role(session, acme, user, Role.MANAGER)
    return email


def id_of(sessions: sessionmaker[Session], table: type[Any], workspace_id: int, key: str) -> int:
    """The id of the row with this key in this workspace (objectives, key results …)."""
    with sessions() as session:
        found = session.scalar(
            select(table.id).where(table.workspace_id == workspace_id, table.key == key)
        )
    assert found is not None, (table.__name__, key)
    return int(found)
