"""Composition root: builds the engine and session factory once, from the settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.engine import make_engine, make_session_factory
from kano.config import Settings, get_settings


@dataclass
class Container:
    """What every adapter needs, built in one place (no module-level globals)."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]

    def close(self) -> None:
        self.engine.dispose()


def build_container(settings: Settings | None = None) -> Container:
    settings = settings or get_settings()
    engine = make_engine(settings.database_url)
    return Container(settings=settings, engine=engine, sessions=make_session_factory(engine))
