"""``kano generate`` and ``kano demo``: the demo company, on disk and in a workspace."""

from __future__ import annotations

import time
from pathlib import Path

import typer
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.cli.console import console, friendly_errors, row_progress
from kano.adapters.cli.warehouse import load_into_warehouse
from kano.adapters.db import accounts, migrate
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import User
from kano.bootstrap import build_container
from kano.config import get_settings
from kano.domain.workspaces import Role

DEMO_WORKSPACE = "demo"
DEMO_NAME = "Northwind Industrial Supply (demo)"
# What the header of every page shows in a demo written in that language: the workspace
# (the company keeps its name, "demo" is translated) and the demo login's display name.
# The ru/hu QA pass read "Demo Owner" and "(demo)" on every Russian and Hungarian page.
DEMO_NAMES = {
    "en": (DEMO_NAME, "Demo Owner"),
    "ru": ("Northwind Industrial Supply (демо)", "Владелец демо"),
    "hu": ("Northwind Industrial Supply (demó)", "Demó tulajdonos"),
}
DEMO_EMAIL = "demo@kano.local"
DEMO_PASSWORD = "demo"
DEMO_SEED = 1


def generate_files(size: str, seed: int, out: Path) -> None:
    from kano.demo import generate_company

    with row_progress(f"Generating size {size}", None) as advance:
        report = generate_company(size, seed, out, on_progress=advance)
    console.print(
        f"Wrote {sum(report.rows.values()):,} rows to [bold]{out}[/] "
        f"in {report.seconds:.1f} s (ground truth: {out / 'ground_truth.yaml'})."
    )


def load_files(out: Path, workspace: str, name: str | None = None) -> None:
    # Imported here: pyarrow and numpy cost ~0.4 s that no other command should pay.
    from kano.adapters.importers.company_parquet import count_company_rows, load_company

    container = build_container()
    migrate.upgrade(container.settings.database_url)
    with row_progress(f"Loading into workspace {workspace}", count_company_rows(out)) as advance:
        report = load_company(container.sessions, out, workspace, name, on_progress=advance)
    console.print(f"Loaded {report.total_rows:,} rows into workspace [bold]{workspace}[/].")
    container.close()


def ensure_demo_owner(sessions: sessionmaker[Session], workspace: str) -> None:
    """Make the demo login an owner of ``workspace`` before the demo strategy is imported:
    the import is then theirs (it acts as the workspace's owner, as ``kano strategy
    import`` does), and the audit log names them on every row it writes."""
    with transaction(sessions) as session:
        user = session.scalar(select(User).where(User.email == DEMO_EMAIL))
        if user is None:  # hashing a password takes a tenth of a second: only once
            user = accounts.ensure_user(session, DEMO_EMAIL, DEMO_PASSWORD, name="Demo Owner")
        accounts.grant_role(session, accounts.get_workspace(session, workspace), user,
                            Role.OWNER)


def open_demo_cases(workspace: str, language: str = "en") -> None:
    """Seed the workspace's case inbox from its latest responses (``kano.demo.case_inbox``):
    a file load opens no cases, and an empty inbox would hide the closed loop. The owners'
    notes are in ``language``."""
    from kano.demo.case_inbox import describe, load_demo_case_inbox

    console.print(describe(load_demo_case_inbox(workspace, language)))


def name_demo_structure(workspace: str, language: str) -> None:
    """Name the loaded company's structure and products in ``language`` (the files hold
    English names of the structure and only the products' codes)."""
    from kano.demo.product_names import seed_product_names
    from kano.demo.structure_names import rename_structure

    container = build_container()
    try:
        with transaction(container.sessions) as session:
            workspace_id = accounts.get_workspace(session, workspace).id
            rename_structure(session, workspace_id, language)
            seed_product_names(session, workspace_id, language)
    finally:
        container.close()


def demo_language(language: str | None) -> str:
    """The language the demo is written in: ``--language``, else KANO_DEMO_LANGUAGE."""
    from kano.demo.strategy.overlay import DEMO_LANGUAGES

    chosen = (language or get_settings().demo_language).strip().lower()
    if chosen not in DEMO_LANGUAGES:
        raise typer.BadParameter(f"choose {', '.join(DEMO_LANGUAGES)}", param_hint="--language")
    return chosen


def load_demo_workspace(
    out: Path,
    workspace: str,
    name: str | None = None,
    with_strategy: bool = False,
    language: str = "en",
) -> None:
    """Fill ``workspace`` from the generated files at ``out``: app database, warehouse,
    (the demo strategy), case inbox, and the planted pilot evaluated on the warehouse;
    the company's stages, touchpoints, teams, segments, surveys and strategy written in
    ``language`` (en, ru, hu).

    ``kano demo`` and ``kano generate --into-db`` both call this, so a company generated
    into the database gets the same inbox and pilot as the demo. The warehouse load comes
    first because the pilot is evaluated there; the strategy before the pilot because it
    makes the pilot's owner (the delivery manager) a member.
    """
    load_files(out, workspace, name)
    name_demo_structure(workspace, language)  # before the warehouse copies the names
    load_into_warehouse(workspace)
    if with_strategy:
        from kano.demo.strategy import load_demo_strategy  # imported late, as in load_files

        container = build_container()
        try:
            ensure_demo_owner(container.sessions, workspace)
        finally:
            container.close()
        load_demo_strategy(out, workspace, language)
    open_demo_cases(workspace, language)
    from kano.demo.segment_examples import load_demo_segments

    console.print(load_demo_segments(workspace, language))
    from kano.demo import pilot_workspace

    console.print(pilot_workspace.describe(pilot_workspace.load_demo_pilot(workspace, language)))


@friendly_errors
def generate(
    size: str = typer.Option(
        "S", "--size", help="S (≈50 k rows, the demo), M (≈1 M), L (≈17 M), XL (≥100 M)."
    ),
    seed: int = typer.Option(1, "--seed", help="Random seed: the same seed gives identical files."),
    out: Path = typer.Option(Path("demo-data"), "--out", help="Folder for the Parquet files."),
    into_db: bool = typer.Option(
        False,
        "--into-db",
        help="Also load the data into the app database and the warehouse, with the demo's "
        "case inbox and pilot.",
    ),
    workspace: str = typer.Option(
        DEMO_WORKSPACE, "--workspace", help="Workspace to load into (replaced)."
    ),
) -> None:
    """Generate a realistic company with a planted EX → OX → CX → TX → revenue chain.

    Writes one Parquet file per table and ground_truth.yaml with the planted effects.
    """
    size = size.upper()
    if size not in {"S", "M", "L", "XL"}:
        raise typer.BadParameter("choose S, M, L or XL", param_hint="--size")
    generate_files(size, seed, out)
    if into_db:
        load_demo_workspace(out, workspace)


def _demo_files_current(out: Path) -> bool:
    truth = out / "ground_truth.yaml"
    if not truth.exists():
        return False
    meta = yaml.safe_load(truth.read_text(encoding="utf-8")) or {}
    # files from before the demo had its planted pilot are generated again
    return meta.get("seed") == DEMO_SEED and str(meta.get("size")) == "S" and "pilot" in meta


@friendly_errors
def demo(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Start the web server afterwards."),
    language: str | None = typer.Option(
        None,
        "--language",
        help="Write the demo company (strategy, journey, teams, surveys, case notes, pilot) in "
        "en, ru or hu, and show the demo login's pages in it (default: KANO_DEMO_LANGUAGE, "
        "else en). A re-run in another language switches the texts.",
    ),
) -> None:
    """Create or refresh the demo workspace on the configured database, then serve it."""
    started = time.perf_counter()
    settings = get_settings()
    chosen = demo_language(language)
    out = Path(settings.demo_data_dir)
    if not _demo_files_current(out):
        generate_files("S", DEMO_SEED, out)
    workspace_name, owner_name = DEMO_NAMES[chosen]
    load_demo_workspace(out, DEMO_WORKSPACE, workspace_name, with_strategy=True,
                        language=chosen)
    from kano.adapters.cli.jobs import refresh_bindings

    refresh_bindings(DEMO_WORKSPACE, trigger="demo", show_progress=False)
    container = build_container()
    with transaction(container.sessions) as session:
        workspace = accounts.get_workspace(session, DEMO_WORKSPACE)
        workspace.name = workspace_name  # a re-run in another language renames it
        user = accounts.ensure_user(session, DEMO_EMAIL, DEMO_PASSWORD, name=owner_name)
        user.language = chosen  # the pages speak the language the content is written in
        accounts.grant_role(session, workspace, user, Role.OWNER)
        workspace_id = workspace.id
    # What the worker does after a load: the Themes page then reads stored results at
    # once instead of computing them on its first view.
    from kano.adapters.jobs.text_insights import analyse_and_store

    text = analyse_and_store(container.settings.resolved_warehouse_url(), workspace_id)
    if text.status == "stored":
        console.print(f"Analysed {text.comments:,} comments in {text.seconds:.1f} s.")
    container.close()
    url = f"http://{'127.0.0.1' if host in {'0.0.0.0', '::'} else host}:{port}/"
    console.print(
        f"\n[bold green]Kano demo ready[/] in {time.perf_counter() - started:.1f} s\n"
        f"  Open   [bold]{url}[/]\n"
        f"  Log in [bold]{DEMO_EMAIL}[/] / password [bold]{DEMO_PASSWORD}[/]\n"
    )
    if serve:
        from kano.adapters.cli.main import run_server

        run_server(host, port, workers=1)
