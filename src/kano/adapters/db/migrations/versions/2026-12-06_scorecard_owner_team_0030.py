"""scorecards.owner_team_id: the team that owns a department or team scorecard

Objectives and initiatives name their owning team; a scorecard of the cascade did not, so
"Customer service scorecard" could not say which team it belongs to. Nullable (a company
scorecard belongs to no team); deleting the team keeps the scorecard.

On SQLite, not batch mode: it copies ``scorecards`` and drops the original, and with
foreign keys on, that drop deletes every perspective, objective and measure below it (ON
DELETE CASCADE); ``PRAGMA foreign_keys`` cannot be turned off inside the migration's
transaction. Instead the column is added in place and its named foreign key written into
the table's definition, SQLite's documented procedure for a constraint that does not
change what is stored (https://sqlite.org/lang_altertable.html#otheralter: writable
schema, a new schema version, an integrity check). The downgrade reverses both steps.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-06 23:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_scorecards_owner_team_id"
FOREIGN_KEY = "fk_scorecards_owner_team_id_teams"
CONSTRAINT = (
    f"CONSTRAINT {FOREIGN_KEY} FOREIGN KEY(owner_team_id) REFERENCES teams (id) "
    "ON DELETE SET NULL"
)


def _rewrite_sqlite_definition(change: str) -> None:
    """Add (``"add"``) or remove the foreign key in the stored CREATE TABLE of
    ``scorecards``, bumping the schema version so every connection reads it again."""
    bind = op.get_bind()
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'scorecards'"
    ).scalar_one()
    if change == "add":
        end = sql.rstrip().rindex(")")
        new_sql = f"{sql[:end].rstrip()}, \n\t{CONSTRAINT}\n)"
    else:
        new_sql = sql.replace(f", \n\t{CONSTRAINT}", "")
        assert new_sql != sql, "the foreign key is not where 0030 wrote it"
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    try:
        bind.exec_driver_sql(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'scorecards'",
            (new_sql,),
        )
        bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    finally:
        bind.exec_driver_sql("PRAGMA writable_schema = OFF")
    problems = bind.exec_driver_sql("PRAGMA integrity_check").scalars().all()
    assert problems == ["ok"], problems


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE scorecards ADD COLUMN owner_team_id INTEGER")
        _rewrite_sqlite_definition("add")
    else:
        op.add_column("scorecards", sa.Column("owner_team_id", sa.BigInteger(), nullable=True))
        op.create_foreign_key(
            FOREIGN_KEY, "scorecards", "teams", ["owner_team_id"], ["id"], ondelete="SET NULL"
        )
    op.create_index(INDEX, "scorecards", ["owner_team_id"], unique=False)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="scorecards")
    if op.get_bind().dialect.name == "sqlite":
        _rewrite_sqlite_definition("remove")
        op.execute("ALTER TABLE scorecards DROP COLUMN owner_team_id")
    else:
        op.drop_constraint(FOREIGN_KEY, "scorecards", type_="foreignkey")
        op.drop_column("scorecards", "owner_team_id")
