"""Cold and warm visits of /value/clv, /linkage and /journeys on a fresh ``kano serve``,
against the raw analytics of each page run in this script.

Builds the demo (``kano demo --no-serve``, size S, SQLite + DuckDB) in a temporary folder
(or reuses ``--folder``). Per round it:

1. **baseline**: in a fresh Python process, imports the analysis modules and then times
   each page's raw analytics on the warehouse (``clv_view`` twice — the answer and its
   26-week holdout check —, ``test_links`` + ``say_do_gap``, ``journey_map``): what a
   first visit cost when the page computed on the visit, without the web layer;
2. **served**: starts ``kano serve`` (warm-up on, the default), waits until ``/healthz``
   says the warm-up is done (as a user logging in would), logs in, and times the first
   visit of each page (cold: a fresh process) and a second one (warm);
3. **no warm-up**: the same with ``KANO_WARM_UP=false``, waiting as long before the first
   visit, so the first visit computes (and imports) as before the warm-up computed figures.

Prints seconds and the ratios baseline / served-cold. ``uptime``'s load is printed with
each round: on a shared two-core machine it moves every figure.

    .venv/bin/python bench/pages_cold.py [--rounds 1] [--folder DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from first_visits import KANO, visit_all

PAGES = ("/value/clv", "/linkage", "/journeys")

BASELINE = r"""
import json, sys, time
from kano.adapters.web.warm_up import import_page_modules
url, workspace = sys.argv[1], int(sys.argv[2])
import_page_modules(url)
from kano.adapters.db import journey_store
from kano.adapters.warehouse.reading import read_only_warehouse
from kano.analytics.journeys.report import journey_map
from kano.analytics.linkage import SERVICE_PROFIT_CHAIN, test_links
from kano.analytics.linkage.frames import WarehouseReader
from kano.analytics.linkage.say_do import say_do_gap
from kano.analytics.value import views
from kano.bootstrap import build_container
with build_container().sessions() as db:
    journey = journey_store.list_journeys(db, workspace)[0]
    db.rollback()
times = {}
with read_only_warehouse(url) as backend:
    started = time.perf_counter()
    views.clv_view(backend, workspace)
    views.clv_view(backend, workspace, holdout=26.0)
    times["/value/clv"] = time.perf_counter() - started
    started = time.perf_counter()
    test_links(backend, SERVICE_PROFIT_CHAIN, workspace)
    say_do_gap(WarehouseReader(backend, workspace))
    times["/linkage"] = time.perf_counter() - started
    started = time.perf_counter()
    journey_map(backend, workspace, journey)
    times["/journeys"] = time.perf_counter() - started
print(json.dumps(times))
"""


def demo_environment(folder: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("KANO_")}
    env.update({"KANO_DATABASE_URL": f"sqlite:///{folder / 'kano.db'}",
                "KANO_DEMO_DATA_DIR": str(folder / "demo-data"),
                "KANO_SECRET_KEY": "pages-cold-bench-0123456789abcdef"})  # fmt: skip
    return env


def baseline(env: dict[str, str], folder: Path) -> dict[str, float]:
    """Each page's raw analytics in a fresh process (imports done first, not timed)."""
    answer = subprocess.run(
        [sys.executable, "-c", BASELINE, f"duckdb:///{folder / 'kano.duckdb'}", "1"],
        cwd=folder, env=env, check=True, capture_output=True, text=True)  # fmt: skip
    return {page: float(seconds) for page, seconds in json.loads(answer.stdout).items()}


def run(folder: Path, rounds: int) -> None:
    env = demo_environment(folder)
    for round_ in range(1, rounds + 1):
        load = os.getloadavg()
        raw = baseline(env, folder)
        on, waited = visit_all(env, folder, True, None, PAGES)
        off, _ = visit_all(env, folder, False, waited, PAGES)
        print(f"round {round_}: load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}; "
              f"warm-up done {waited:.1f} s after the server listened (both servers waited "
              "that long before the log-in)")  # fmt: skip
        print(f"{'page':12} {'raw':>7} {'cold':>7} {'warm':>7} {'cold, no warm-up':>17} "
              f"{'raw/cold':>9} {'no-warm-up/cold':>16}")  # fmt: skip
        for page in PAGES:
            cold, warm = on[page]
            print(f"{page:12} {raw[page]:7.2f} {cold:7.2f} {warm:7.2f} {off[page][0]:17.2f} "
                  f"{raw[page] / cold:9.1f} {off[page][0] / cold:16.1f}")  # fmt: skip
        print(f"slowest cold visit {max(t[0] for t in on.values()):.2f} s (without the "
              f"warm-up: {max(t[0] for t in off.values()):.2f} s)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1, help="rounds to run")
    parser.add_argument("--folder", type=Path, help="a folder holding a built demo "
                        "(kano.db, kano.duckdb, demo-data) to reuse")  # fmt: skip
    args = parser.parse_args()
    if args.folder:
        run(args.folder.resolve(), args.rounds)
        return
    with tempfile.TemporaryDirectory(prefix="kano-pages-cold-") as tmp:
        folder = Path(tmp)
        subprocess.run([KANO, "demo", "--no-serve"], cwd=folder, env=demo_environment(folder),
                       check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        run(folder, args.rounds)


if __name__ == "__main__":
    main()
