"""Where a warehouse lives, parsed from its URL.

Accepted URLs:

- ``duckdb:///path/to/file.duckdb`` (``duckdb://`` alone: in memory) — the default;
- ``postgresql://user:pass@host:5432/db`` (or ``postgresql+psycopg://…``); tables go to
  the schema ``?schema=NAME`` (default ``kano_warehouse``), so the warehouse may share a
  database with the app without its tables colliding with the app's;
- ``sqlite:///path/to/file.sqlite``;
- ``spark://local`` (Spark local mode; ``?cores=N``) or ``spark://host:7077`` (a cluster),
  with the tables stored as Parquet under ``?path=DIR`` (default
  ``./kano-warehouse-spark``); ``?cache=true`` keeps them in Spark's memory once read
  (worth it for small warehouses queried often, such as tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from kano.domain.shared.errors import InvalidInput

DEFAULT_PG_SCHEMA = "kano_warehouse"
DEFAULT_SPARK_PATH = "./kano-warehouse-spark"


@dataclass(frozen=True)
class WarehouseLocation:
    engine: str  # duckdb | postgres | sqlite | spark
    path: str | None = None  # file (duckdb, sqlite) or Parquet root (spark); None: memory
    host: str | None = None
    port: int | None = None
    user: str | None = None
    password: str | None = None
    database: str | None = None
    schema: str = DEFAULT_PG_SCHEMA
    master: str = "local[2]"
    cache: bool = False  # Spark: keep the tables in memory (small warehouses, tests)

    def psycopg_conninfo(self) -> str:
        from psycopg.conninfo import make_conninfo

        parts = {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password,
            "dbname": self.database,
        }
        return make_conninfo("", **{k: v for k, v in parts.items() if v is not None})


def parse_warehouse_url(url: str) -> WarehouseLocation:
    """The location of ``url``, or :class:`InvalidInput` saying which forms are accepted."""
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0].lower()
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    if scheme == "duckdb":
        path = unquote(parts.path[1:]) if parts.path.startswith("/") else unquote(parts.path)
        return WarehouseLocation("duckdb", path=path if path and path != ":memory:" else None)
    if scheme == "sqlite":
        path = unquote(parts.path[1:])
        if not path:
            raise InvalidInput("warehouse_url", "sqlite:///PATH needs a file path")
        return WarehouseLocation("sqlite", path=path)
    if scheme in {"postgresql", "postgres"}:
        return WarehouseLocation(
            "postgres",
            host=parts.hostname or "localhost",
            port=parts.port or 5432,
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            database=unquote(parts.path.lstrip("/")) or None,
            schema=query.get("schema", DEFAULT_PG_SCHEMA),
        )
    if scheme == "spark":
        host = parts.netloc
        cores = query.get("cores", "2")
        if not cores.isdigit() and cores != "*":
            raise InvalidInput("warehouse_url", f"cores={cores!r} must be a number or *")
        master = f"local[{cores}]" if host in {"", "local"} else f"spark://{host}"
        path = query.get("path", DEFAULT_SPARK_PATH)
        cache = query.get("cache", "false").lower() in {"1", "true", "yes"}
        return WarehouseLocation("spark", path=str(Path(path)), master=master, cache=cache)
    raise InvalidInput(
        "warehouse_url",
        f"{url!r}: use duckdb:///FILE, postgresql://…/DB, sqlite:///FILE or spark://local",
    )
