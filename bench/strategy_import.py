"""Seconds to import a strategy file: the demo strategy and a generated file of a few
hundred objectives and measures, on SQLite and PostgreSQL, for two versions of Kano.

Run: `.venv/bin/python bench/strategy_import.py --before REV [--runs 3] [--objectives 300]`.
The `src/` of REV is extracted (`git archive`) next to the working tree's; each run starts
one worker process per version, alternating, so both see the same machine load. A worker
gets a fresh, migrated database, loads the demo company (size S, seed 1, generated once),
then times:

* demo: `import_demo_strategy` into the demo workspace (what `kano demo` does), then the
  same again (nothing changes);
* generated: a file of N objectives (2 measures with 3 values each, N/2 links) imported
  into an empty workspace, the same file again, then a changed version (every title
  changed, every tenth objective and every fifth link left out).

Printed: the median of each figure per version and the ratio after / before.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
from io import BytesIO
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
FIGURES = ("demo fresh", "demo again", "generated fresh", "generated again", "generated changed")


def generated_file(objectives: int, users: list[str], changed: bool = False) -> str:
    """A strategy file: a company and a department scorecard, four perspectives each."""
    lines = ["format: kano-strategy/1", "scorecards:"]
    keys: list[str] = []  # the objectives the file lists
    for card in ("company", "sales"):
        lines += [f"  - key: {card}", f"    name: {card.title()} scorecard"]
        if card == "sales":
            lines += ["    level: department", "    parent: company"]
        lines.append("    perspectives:")
        for p, perspective in enumerate(("financial", "customer", "process", "learning")):
            lines += [f"      - key: {perspective}", f"        name: {perspective.title()}",
                      "        objectives:"]
            for i in range(objectives // 8):
                key = f"{card}-{perspective}-{i}"
                if changed and i % 10 == 9:
                    continue
                keys.append(key)
                title = f"Objective {i} of {perspective}" + (" (revised)" if changed else "")
                lines += [f"          - key: {key}", f"            title: {title}",
                          f"            owner: {users[(p + i) % len(users)]}",
                          "            measures:"]
                for m in range(2):
                    lines += [f"              - key: {key}-m{m}",
                              f"                name: Measure {m} of {key}",
                              "                direction: higher",
                              "                amber_from: 40", "                green_from: 60",
                              "                target: 80", "                values:"]
                    for month in (1, 2, 3):
                        lines += [f"                  - period: 2026-0{month}-01",
                                  f"                    actual: {50 + month + m}"]
        if card == "company":
            continue
        lines.append("    links:")
        for n in range(objectives // 2):
            if changed and n % 5 == 4:
                continue
            cause, effect = keys[n % len(keys)], keys[(n * 7 + 3) % len(keys)]
            if cause != effect:
                lines += [f"      - cause: {cause}", f"        effect: {effect}"]
    return "\n".join(lines) + "\n"


def _fresh_database(engine: str, folder: Path) -> str:
    from kano.adapters.db.migrate import upgrade

    if engine == "sqlite":
        url = f"sqlite:///{folder / f'kano-{uuid.uuid4().hex[:8]}.db'}"
    else:
        import psycopg

        name = f"kano_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
        url = POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    return url


def _drop(url: str) -> None:
    if url.startswith("postgresql"):
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


def _members(sessions: Any, workspace: str, count: int) -> list[str]:
    from kano.adapters.db import accounts
    from kano.adapters.db.engine import transaction
    from kano.adapters.db.orm import User
    from kano.domain.workspaces import Role

    emails = [f"owner{n}@bench.example" for n in range(count)]
    with transaction(sessions) as session:
        ws = accounts.ensure_workspace(session, workspace)
        for email in emails:
            user = User(email=email, name=email, password_hash="-")
            session.add(user)
            session.flush()
            accounts.grant_role(session, ws, user, Role.MANAGER)
    return emails


def worker(engine: str, demo_data: Path, objectives: int) -> dict[str, float]:
    from kano.adapters.db.engine import make_engine, make_session_factory
    from kano.adapters.importers.company_parquet import load_company
    from kano.adapters.strategy_code import import_strategy
    from kano.demo.strategy import import_demo_strategy

    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        url = _fresh_database(engine, Path(folder))
        db = make_engine(url)
        try:
            sessions = make_session_factory(db)
            load_company(sessions, demo_data, "demo", "Northwind (bench)")
            for figure in ("demo fresh", "demo again"):
                started = time.perf_counter()
                import_demo_strategy(sessions, demo_data, "demo")
                figures[figure] = time.perf_counter() - started
            users = _members(sessions, "gen", 6)
            texts = {"generated fresh": generated_file(objectives, users),
                     "generated again": generated_file(objectives, users),
                     "generated changed": generated_file(objectives, users, changed=True)}
            for figure, text in texts.items():
                started = time.perf_counter()
                result = import_strategy(sessions, text, source="bench.yaml", workspace="gen")
                figures[figure] = time.perf_counter() - started
                assert result.changed == (figure != "generated again"), figure
        finally:
            db.dispose()
            _drop(url)
    return figures


def _extract(revision: str, into: Path) -> Path:
    archive = subprocess.run(["git", "archive", revision, "src"], cwd=ROOT, check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def _run(src: Path, engine: str, demo_data: Path, objectives: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run(
        [sys.executable, __file__, "--worker", "--engine", engine, "--demo-data", str(demo_data),
         "--objectives", str(objectives)],
        env=env, check=True, capture_output=True, text=True, cwd=ROOT,
    ).stdout
    figures: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", help="git revision to compare with the working tree")
    parser.add_argument("--after-src", type=Path, default=ROOT / "src",
                        help="the src/ folder of the version to compare (default: this tree's)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--objectives", type=int, default=304)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--demo-data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.engine, args.demo_data, args.objectives)))
        return
    with tempfile.TemporaryDirectory() as folder:
        demo_data = Path(folder) / "demo-data"
        from kano.demo import generate_company

        generate_company("S", 1, demo_data)
        versions = {"after": args.after_src.resolve()}
        if args.before:
            versions = {"before": _extract(args.before, Path(folder) / "before"), **versions}
        for engine in args.engines.split(","):
            runs: dict[str, list[dict[str, float]]] = {name: [] for name in versions}
            for _ in range(args.runs):
                for name, src in versions.items():
                    runs[name].append(_run(src, engine, demo_data, args.objectives))
            print(f"\n{engine}: {args.objectives} objectives, {2 * args.objectives} measures "
                  f"(median of {args.runs} runs, seconds)")
            print(f"{'figure':<20}" + "".join(f"{name:>10}" for name in versions)
                  + ("     ratio" if len(versions) == 2 else ""))
            for figure in FIGURES:
                medians = [statistics.median(r[figure] for r in runs[name]) for name in versions]
                ratio = f"{medians[-1] / medians[0]:>9.2f}x" if len(medians) == 2 else ""
                print(f"{figure:<20}" + "".join(f"{m:>10.3f}" for m in medians) + ratio)


if __name__ == "__main__":
    main()
