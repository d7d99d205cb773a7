"""The shared counters of the public endpoints' rate limits (PostgreSQL: UNLOGGED).

One row per key (``ip:…``, ``token:…``) and fixed window (``window_start``: seconds since
the epoch); ``kano.adapters.web.rate_limit.SharedRateLimiter`` counts here so that every
server process behind one database shares one limit. Disposable: the table upkeep job
deletes past windows, and a crash that empties the (unlogged) table only resets them.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kano.adapters.db.orm.base import Base


class RateLimitHitRow(Base):
    __tablename__ = "rate_limit_hits"
    # UNLOGGED on PostgreSQL is the migration's (0015): a prefix here would break SQLite.

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    window_start: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)
