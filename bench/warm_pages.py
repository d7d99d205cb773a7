"""Warm requests of the CX overview and the journey map, figures kept vs computed.

Builds the demo (``kano demo --no-serve``, size S, SQLite + DuckDB) in a temporary folder
(or uses ``--folder`` holding one), builds the app in this process, logs in as the demo
user, visits every page below once (imports, the first computation), then times
``--requests`` requests of each page with the kept figures (``PAGE_FIGURES``) on and the
same number with them off, alternating request by request so both see the same machine
load. Times are in-process (the app's time plus the test client's few milliseconds; no
network). Prints each page's median and 90th percentile per mode and the ratio.

    .venv/bin/python bench/warm_pages.py [--requests 20] [--folder DIR]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PAGES = ("/cx", "/cx?segment=smb", "/cx?trend=csat", "/cx?from=2026-01-01&to=2026-03-31",
         "/cx?channel=web&stage=delivery", "/journeys", "/journeys?segment=*",
         "/journeys?journey=key-account&from=2026-01-01&to=2026-07-01")  # fmt: skip
KANO = str(Path(sys.executable).parent / "kano")


def demo_environment(folder: Path) -> dict[str, str]:
    return {"KANO_DATABASE_URL": f"sqlite:///{folder / 'kano.db'}",
            "KANO_DEMO_DATA_DIR": str(folder / "demo-data"),
            "KANO_SECRET_KEY": "warm-pages-bench-0123456789abcdef",
            "KANO_WARM_UP": "false"}  # fmt: skip


def build_demo(folder: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("KANO_")}
    subprocess.run([KANO, "demo", "--no-serve"], cwd=folder, env={**env, **demo_environment(
        folder)}, check=True, stdout=subprocess.DEVNULL)  # fmt: skip


def percentile(times: list[float], share: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(folder: Path, requests: int) -> None:
    os.environ.update(demo_environment(folder))
    from starlette.testclient import TestClient

    from kano.adapters.web.page_figures import PAGE_FIGURES
    from kano.app import create_app

    client = TestClient(create_app(), base_url="http://127.0.0.1")
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token, "no CSRF token on /login"
    answer = client.post("/login", data={"email": "demo@kano.local", "password": "demo",
                                         "csrf_token": token.group(1), "next": "/"})  # fmt: skip
    assert answer.status_code == 200 and "/login" not in str(answer.url), answer.status_code
    for page in PAGES:  # first visits: imports, the first computation of each question
        assert client.get(page).status_code == 200, page
    times: dict[tuple[str, bool], list[float]] = {}
    for _ in range(requests):
        for page in PAGES:
            for kept in (True, False):
                PAGE_FIGURES.enabled = kept
                started = time.perf_counter()
                answer = client.get(page)
                times.setdefault((page, kept), []).append(time.perf_counter() - started)
                assert answer.status_code == 200, (page, answer.status_code)
    PAGE_FIGURES.enabled = True
    print(f"{requests} warm requests of each page per mode (seconds)")
    print(f"{'page':60} {'kept: median':>12} {'p90':>6} {'computed: median':>16} {'p90':>6} "
          f"{'ratio':>6}")  # fmt: skip
    for page in PAGES:
        kept, computed = times[(page, True)], times[(page, False)]
        print(f"{page:60} {statistics.median(kept):12.3f} {percentile(kept, 0.9):6.3f} "
              f"{statistics.median(computed):16.3f} {percentile(computed, 0.9):6.3f} "
              f"{statistics.median(computed) / statistics.median(kept):6.1f}")  # fmt: skip
    total_kept = sum(statistics.median(times[(page, True)]) for page in PAGES)
    total_computed = sum(statistics.median(times[(page, False)]) for page in PAGES)
    print(f"sum of medians: kept {total_kept:.3f} s, computed {total_computed:.3f} s → "
          f"{total_computed / total_kept:.1f}× faster; slowest kept median "
          f"{max(statistics.median(times[(page, True)]) for page in PAGES):.3f} s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument("--folder", type=Path, help="a folder holding a built demo "
                        "(kano.db, kano.duckdb, demo-data) to reuse")  # fmt: skip
    args = parser.parse_args()
    if args.folder:
        run(args.folder.resolve(), args.requests)
        return
    with tempfile.TemporaryDirectory(prefix="kano-warm-pages-") as tmp:
        build_demo(Path(tmp))
        run(Path(tmp), args.requests)


if __name__ == "__main__":
    main()
