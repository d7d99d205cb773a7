"""Seconds to import a strategy file: the demo strategy and a generated file of a few
hundred objectives and measures, on SQLite and PostgreSQL, for two versions of Kano.

Run: `.venv/bin/python bench/strategy_import.py --before REV [--before REV2 …] [--runs 3]
[--objectives 304]`. The `src/` of each REV is extracted (`git archive`) next to the working
tree's; each run starts one worker process per version, alternating, so all see the same
machine load (on a shared, loaded machine compare the ratios, not the seconds). A worker
gets a fresh, migrated database, loads the demo company (size S, seed 1, generated once),
then times:

* demo: `import_demo_strategy` into the demo workspace (what `kano demo` does), then the
  same again (nothing changes);
* generated: a file of N objectives (2 measures with 3 values each, N/2 links) imported
  into an empty workspace, the same file again, then a changed version (every title
  changed, every tenth objective and every fifth link left out), then that version with
  many changes (every measure's target and every value changed, every link given a
  hypothesis and a lag, every third link rewired: deleted and created).

Printed: the median of each figure per version and the ratio after / each REV, in
wall-clock seconds, (lines "… cpu") the worker's CPU seconds, and (lines "… statements",
"… rows sent") the SQL statements sent through SQLAlchemy (an executemany is one) and
their parameter sets: the machine-independent figures. `--no-demo` times only
the generated file. `--bound`: the generated file also declares four custom metrics and
binds every measure to a metric, the first of each objective to a built-in one (NPS of a
segment), the second to a custom one, so each changed measure's binding is checked.
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
FIGURES = ("demo fresh", "demo again", "generated fresh", "generated again", "generated changed",
           "generated many changes")


CUSTOM_METRICS = 4


def _custom_metrics() -> list[str]:
    lines = ["metrics:"]
    for n in range(CUSTOM_METRICS):
        lines += [f"  - id: web_share_{n}", f"    name: Web share of revenue {n}",
                  "    layer: financial", '    unit: "%"', "    direction: higher",
                  "    source: transactions", "    aggregate: ratio",
                  f"    numerator: {{aggregate: sum, value: amount, where: \"amount > {n}\"}}",
                  "    denominator: {aggregate: sum, value: amount}", "    scale: 100"]
    return lines


def generated_file(objectives: int, users: list[str], changed: bool = False,
                   many: bool = False, bound: bool = False) -> str:
    """A strategy file: a company and a department scorecard, four perspectives each.
    ``changed``: every title changed, every tenth objective and fifth link left out;
    ``many`` (with ``changed``): the same objectives, but every measure's target and every
    value changed, every link given a hypothesis and a lag, every third one rewired.
    ``bound``: custom metrics declared, every measure bound to a built-in or custom one."""
    lines = ["format: kano-strategy/1", *(_custom_metrics() if bound else []), "scorecards:"]
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
                              f"                target: {85 if many else 80}",
                              *(["                metric: {id: nps, slice: {segment: smb}}"
                                 if m == 0 else f"                metric: {{id: web_share_"
                                 f"{i % CUSTOM_METRICS}}}"] if bound else []),
                              "                values:"]
                    for month in (1, 2, 3):
                        lines += [f"                  - period: 2026-0{month}-01",
                                  f"                    actual: {50 + month + m + 10 * many}"]
        if card == "company":
            continue
        lines.append("    links:")
        for n in range(objectives // 2):
            if changed and n % 5 == 4:
                continue
            rewired = many and n % 3 == 2
            cause, effect = keys[n % len(keys)], keys[(n * 7 + 3 + rewired) % len(keys)]
            if cause != effect:
                lines += [f"      - cause: {cause}", f"        effect: {effect}"]
                if many:
                    lines += [f"        hypothesis: Link {n} holds", "        lag_months: 2"]
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


def _members(sessions: Any, workspaces: list[str], count: int) -> list[str]:
    """``count`` users, managers of each of ``workspaces``."""
    from kano.adapters.db import accounts
    from kano.adapters.db.engine import transaction
    from kano.adapters.db.orm import User
    from kano.domain.workspaces import Role

    emails = [f"owner{n}@bench.example" for n in range(count)]
    with transaction(sessions) as session:
        places = [accounts.ensure_workspace(session, slug) for slug in workspaces]
        for email in emails:
            user = User(email=email, name=email, password_hash="-")
            session.add(user)
            session.flush()
            for ws in places:
                accounts.grant_role(session, ws, user, Role.MANAGER)
    return emails


def worker(engine: str, demo_data: Path, objectives: int, demo: bool = True,
           bound: bool = False) -> dict[str, float]:
    """Each figure's wall-clock seconds, and as "FIGURE cpu" this process's CPU seconds (on
    a loaded machine the steadier of the two: SQLite runs in this process, PostgreSQL's
    own work is not in it)."""
    from sqlalchemy import event

    from kano.adapters.db.engine import make_engine, make_session_factory
    from kano.adapters.importers.company_parquet import load_company
    from kano.adapters.strategy_code import import_strategy
    from kano.demo.strategy import import_demo_strategy

    figures: dict[str, float] = {}
    calls = [0, 0]  # statements sent (an executemany is one), parameter sets

    def counted(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
                executemany: bool) -> None:
        calls[0] += 1
        calls[1] += len(parameters) if executemany else 1

    def timed(figure: str, work: Any) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        before = list(calls)
        result = work()
        figures[figure] = time.perf_counter() - wall
        figures[f"{figure} cpu"] = time.process_time() - cpu
        figures[f"{figure} statements"] = calls[0] - before[0]
        figures[f"{figure} rows sent"] = calls[1] - before[1]
        return result

    with tempfile.TemporaryDirectory() as folder:
        url = _fresh_database(engine, Path(folder))
        db = make_engine(url)
        event.listen(db, "before_cursor_execute", counted)
        try:
            sessions = make_session_factory(db)
            if demo:
                load_company(sessions, demo_data, "demo", "Northwind (bench)")
                for figure in ("demo fresh", "demo again"):
                    timed(figure, lambda: import_demo_strategy(sessions, demo_data, "demo"))
            users = _members(sessions, ["gen", "warm"], 6)
            # Every module the import uses loaded first (the metric catalogue's take a
            # second), as the demo's import does when it runs.
            import_strategy(sessions, generated_file(8, users, bound=bound), source="warm.yaml",
                            workspace="warm")
            texts = {"generated fresh": generated_file(objectives, users, bound=bound),
                     "generated again": generated_file(objectives, users, bound=bound),
                     "generated changed": generated_file(objectives, users, changed=True,
                                                         bound=bound),
                     "generated many changes": generated_file(objectives, users, changed=True,
                                                              many=True, bound=bound)}
            for figure, text in texts.items():
                result = timed(figure, lambda t=text: import_strategy(
                    sessions, t, source="bench.yaml", workspace="gen"))
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


def _run(src: Path, engine: str, demo_data: Path, objectives: int,
         demo: bool = True, bound: bool = False) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run(
        [sys.executable, __file__, "--worker", "--engine", engine, "--demo-data", str(demo_data),
         "--objectives", str(objectives), *([] if demo else ["--no-demo"]),
         *(["--bound"] if bound else [])],
        env=env, check=True, capture_output=True, text=True, cwd=ROOT,
    ).stdout
    figures: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", action="append", default=[],
                        help="git revision to compare with the working tree (repeatable)")
    parser.add_argument("--after-src", type=Path, default=ROOT / "src",
                        help="the src/ folder of the version to compare (default: this tree's)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--objectives", type=int, default=304)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--no-demo", action="store_true",
                        help="time only the generated file (each run takes a third as long)")
    parser.add_argument("--bound", action="store_true",
                        help="bind every generated measure to a built-in or custom metric")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--demo-data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.engine, args.demo_data, args.objectives,
                                demo=not args.no_demo, bound=args.bound)))
        return
    with tempfile.TemporaryDirectory() as folder:
        demo_data = Path(folder) / "demo-data"
        if not args.no_demo:
            from kano.demo import generate_company

            generate_company("S", 1, demo_data)
        versions: dict[str, Path] = {}
        for n, revision in enumerate(args.before):
            versions[revision[:10]] = _extract(revision, Path(folder) / f"before-{n}")
        versions["after"] = args.after_src.resolve()
        for engine in args.engines.split(","):
            runs: dict[str, list[dict[str, float]]] = {name: [] for name in versions}
            for _ in range(args.runs):
                for name, src in versions.items():
                    runs[name].append(_run(src, engine, demo_data, args.objectives,
                                           demo=not args.no_demo, bound=args.bound))
            bindings = ", every one bound to a metric" if args.bound else ""
            print(f"\n{engine}: {args.objectives} objectives, {2 * args.objectives} measures"
                  f"{bindings} "
                  f"(median of {args.runs} runs, seconds)")
            befores = list(versions)[:-1]
            print(f"{'figure':<36}" + "".join(f"{name:>12}" for name in versions)
                  + "".join(f"{'/' + name:>12}" for name in befores))
            figures = FIGURES[2:] if args.no_demo else FIGURES
            for figure in [*figures, *(f"{figure} {what}" for what in
                                       ("cpu", "statements", "rows sent") for figure in figures)]:
                medians = [statistics.median(r[figure] for r in runs[name]) for name in versions]
                ratios = "".join(f"{medians[-1] / m:>11.2f}x" for m in medians[:-1])
                print(f"{figure:<36}" + "".join(f"{m:>12.3f}" for m in medians) + ratios)
            sys.stdout.flush()


if __name__ == "__main__":
    main()
