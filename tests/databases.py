"""Fresh, migrated app databases for tests, on SQLite and on the real PostgreSQL server.

Each engine gets one template built by ``alembic upgrade head`` per test process; each
test gets its own copy (a file copy for SQLite, ``CREATE DATABASE … TEMPLATE`` for
PostgreSQL). Copies are real databases, so a ``kano serve`` subprocess can use them too,
and no test sees another's rows.

A used PostgreSQL copy is not dropped but emptied and handed out again: ``DROP DATABASE``
waits for a forced checkpoint of the whole server, 1–4 s on a quiet two-core machine and
over 10 s on a busy one — with half the suite on PostgreSQL that was most of its run time.
``PostgresReset`` puts the copy back exactly as the template left it (every table's rows,
every sequence), and only when its schema still matches the template's — a copy whose
schema a test changed, or that cannot be reset, is dropped (in a background thread) instead.
"""

from __future__ import annotations

import os
import queue
import shutil
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url

from kano.adapters.db.migrate import upgrade

POSTGRES_ADMIN_URL = os.environ.get(
    "KANO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
DROP_BACKLOG = 4


def _psycopg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def postgres_reachable() -> str | None:
    """None when the server answers, else the reason."""
    try:
        with psycopg.connect(_psycopg_dsn(POSTGRES_ADMIN_URL), connect_timeout=3):
            return None
    except psycopg.Error as error:
        return str(error)


def require_engine(engine: str) -> None:
    """Skip a PostgreSQL test when the server does not answer, but fail it under
    ``CI=true``, where every PostgreSQL test must run."""
    if engine != "postgresql" or (problem := postgres_reachable()) is None:
        return
    if IN_CI:
        pytest.fail(f"CI=true but PostgreSQL is unreachable: {problem}")
    pytest.skip(f"PostgreSQL unreachable: {problem}")


def _database_dsn(name: str) -> str:
    return _psycopg_dsn(make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(
        hide_password=False))


def _admin_execute(sql: str) -> None:
    with psycopg.connect(_psycopg_dsn(POSTGRES_ADMIN_URL), autocommit=True) as connection:
        connection.execute(sql)  # type: ignore[arg-type]


class DatabaseFactory:
    """Builds the per-process templates lazily and hands out fresh copies."""

    def __init__(self, workdir: Path, worker: str) -> None:
        self.workdir = workdir
        self.worker = worker.replace("-", "_")
        self._sqlite_template: Path | None = None
        self._postgres_template: str | None = None
        self._created_postgres: list[str] = []
        self._to_drop: queue.Queue[str | None] = queue.Queue(maxsize=DROP_BACKLOG)
        self._drop_errors: list[str] = []
        self._dropper: threading.Thread | None = None
        self._reset: PostgresReset | None = None
        self._reusable: list[str] = []

    def fresh(self, engine: str) -> str:
        if engine == "sqlite":
            return self._fresh_sqlite()
        if engine == "postgresql":
            return self._fresh_postgres()
        raise ValueError(engine)

    def _fresh_sqlite(self) -> str:
        if self._sqlite_template is None:
            template = self.workdir / "template.db"
            upgrade(f"sqlite:///{template}")
            self._sqlite_template = template
        copy = self.workdir / f"kano-{uuid.uuid4().hex[:10]}.db"
        shutil.copyfile(self._sqlite_template, copy)
        return f"sqlite:///{copy}"

    def _fresh_postgres(self) -> str:
        base = make_url(POSTGRES_ADMIN_URL)
        if self._postgres_template is None:
            name = f"kano_tpl_{self.worker}_{os.getpid()}"
            _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            _admin_execute(f'CREATE DATABASE "{name}"')
            self._created_postgres.append(name)
            upgrade(base.set(database=name).render_as_string(hide_password=False))
            self._postgres_template = name
            self._reset = PostgresReset(_database_dsn(name))
        if self._reusable:
            name = self._reusable.pop()
            return base.set(database=name).render_as_string(hide_password=False)
        name = f"kano_t_{uuid.uuid4().hex[:12]}"
        _admin_execute(f'CREATE DATABASE "{name}" TEMPLATE "{self._postgres_template}"')
        self._created_postgres.append(name)
        return base.set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        """Done with a copy: a PostgreSQL copy is reset for reuse or dropped (see above)."""
        parsed = make_url(url)
        if parsed.get_backend_name() == "postgresql" and parsed.database:
            name = parsed.database
            if (self._reset is not None and name in self._created_postgres
                    and name not in (*self._reusable, self._postgres_template)
                    and self._reset.restore(_database_dsn(name))):
                self._reusable.append(name)
                return
            if self._dropper is None:
                self._dropper = threading.Thread(
                    target=self._drop_in_background, name="drop-test-databases", daemon=True
                )
                self._dropper.start()
            self._to_drop.put(parsed.database)  # blocks while DROP_BACKLOG are waiting

    def _drop_in_background(self) -> None:
        while (name := self._to_drop.get()) is not None:
            try:
                _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except Exception as error:  # reported by close(); the thread goes on
                self._drop_errors.append(f"{name}: {error}")
            else:
                if name in self._created_postgres:
                    self._created_postgres.remove(name)

    def close(self) -> None:
        self._reusable.clear()
        if self._dropper is not None:
            self._to_drop.put(None)
            self._dropper.join()
            self._dropper = None
        for name in list(self._created_postgres):
            _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._created_postgres.clear()
        if self._drop_errors:
            raise RuntimeError("test databases not dropped: " + "; ".join(self._drop_errors))


# Everything in a database's catalogue that a test could change and TRUNCATE would not
# undo: relations, columns, constraints, indexes, functions, types, triggers, schemas,
# extensions, per-database settings and large objects.
_SCHEMA_FINGERPRINT = """
SELECT md5(coalesce(string_agg(item, ',' ORDER BY item), '')) FROM (
  SELECT 'rel:' || n.nspname || '.' || c.relname || ':' || c.relkind::text || ':'
         || c.relpersistence::text AS item
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\\_%'
  UNION ALL
  SELECT 'col:' || c.relname || '.' || a.attname || ':' || format_type(a.atttypid, a.atttypmod)
         || ':' || a.attnotnull || ':' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE n.nspname = 'public' AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT 'con:' || conrelid::regclass::text || '.' || conname || ':' || pg_get_constraintdef(oid)
    FROM pg_constraint WHERE connamespace = 'public'::regnamespace
  UNION ALL
  SELECT 'idx:' || indexname || ':' || indexdef FROM pg_indexes WHERE schemaname = 'public'
  UNION ALL
  SELECT 'fn:' || n.nspname || '.' || p.proname || ':' || md5(p.prosrc)
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  UNION ALL
  SELECT 'type:' || n.nspname || '.' || t.typname
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\\_%'
  UNION ALL
  SELECT 'trg:' || tgrelid::regclass::text || '.' || tgname || ':' || tgenabled::text
    FROM pg_trigger WHERE NOT tgisinternal
  UNION ALL
  SELECT 'nsp:' || nspname FROM pg_namespace
    WHERE nspname NOT LIKE 'pg\\_temp\\_%' AND nspname NOT LIKE 'pg\\_toast\\_temp\\_%'
  UNION ALL
  SELECT 'ext:' || extname || ':' || extversion FROM pg_extension
  UNION ALL
  SELECT 'set:' || array_to_string(setconfig, ';') FROM pg_db_role_setting
    WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
  UNION ALL
  SELECT 'lo:' || count(*) FROM pg_largeobject_metadata
) AS catalogue
"""


Connection = psycopg.Connection[Any]


class PostgresReset:
    """Puts a copy of the template back into the template's state, without a checkpoint.

    Built from the template (migrated, never used by a test): its schema fingerprint, the
    rows of its non-empty tables (``alembic_version``) and the state of its sequences. A
    reset closes every other connection to the copy, checks the schema, truncates every
    table that has rows or had them in the template, copies the template's rows back and
    sets each sequence as the template had it.
    """

    def __init__(self, template_dsn: str) -> None:
        with psycopg.connect(template_dsn, autocommit=True) as connection:
            self.fingerprint = _fingerprint(connection)
            self.tables: list[str] = [row[0] for row in connection.execute(
                "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables"
                " WHERE schemaname = 'public' ORDER BY 1"
            )]  # fmt: skip
            self.rows: dict[str, bytes] = {}
            for table in _tables_with_rows(connection, self.tables):
                with connection.cursor().copy(f"COPY {table} TO STDOUT (FORMAT binary)") as out:
                    self.rows[table] = b"".join(bytes(block) for block in out)
            self.sequences: dict[str, tuple[int, bool]] = _sequence_states(connection)

    def restore(self, dsn: str) -> bool:
        """Whether the copy at ``dsn`` is now as the template was (False: drop it)."""
        try:
            with psycopg.connect(dsn, autocommit=True) as connection:
                if not _alone_in(connection) or _fingerprint(connection) != self.fingerprint:
                    return False
                with connection.transaction():
                    connection.execute("SET LOCAL lock_timeout = '5s'")
                    dirty = set(_tables_with_rows(connection, self.tables)) | set(self.rows)
                    if dirty:
                        connection.execute(f"TRUNCATE {', '.join(sorted(dirty))} CASCADE")
                    for table, data in self.rows.items():
                        with connection.cursor().copy(
                            f"COPY {table} FROM STDIN (FORMAT binary)"
                        ) as into:
                            into.write(data)
                    for sequence, (value, called) in self.sequences.items():
                        connection.execute(
                            "SELECT setval(%s::regclass, %s, %s)", (sequence, value, called)
                        )
                return _sequence_states(connection) == self.sequences
        except psycopg.Error:
            return False


def _fingerprint(connection: Connection) -> str:
    row = connection.execute(_SCHEMA_FINGERPRINT).fetchone()
    assert row is not None
    return str(row[0])


def _tables_with_rows(connection: Connection,
                      tables: list[str]) -> list[str]:
    if not tables:
        return []
    probe = " UNION ALL ".join(
        f"SELECT {index} WHERE EXISTS (SELECT FROM {table})" for index, table in enumerate(tables)
    )
    return [tables[row[0]] for row in connection.execute(probe)]


def _sequence_states(connection: Connection) -> dict[str, tuple[int, bool]]:
    names = [row[0] for row in connection.execute(
        "SELECT format('%I.%I', schemaname, sequencename) FROM pg_sequences"
        " WHERE schemaname = 'public' ORDER BY 1"
    )]  # fmt: skip
    if not names:
        return {}
    probe = " UNION ALL ".join(f"SELECT {index}, last_value, is_called FROM {name}"
                               for index, name in enumerate(names))
    return {names[row[0]]: (row[1], row[2]) for row in connection.execute(probe)}


def _alone_in(connection: Connection) -> bool:
    """Close every other connection to this database (a test's pool, a stopped server's);
    whether they are gone within a few seconds."""
    others = ("SELECT pid FROM pg_stat_activity"
              " WHERE datname = current_database() AND pid <> pg_backend_pid()")
    for _ in range(50):
        pids = [row[0] for row in connection.execute(others)]
        if not pids:
            return True
        for pid in pids:
            connection.execute("SELECT pg_terminate_backend(%s)", (pid,))
        time.sleep(0.1)
    return False
