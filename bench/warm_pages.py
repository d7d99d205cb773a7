"""Warm requests of the analysis pages, figures kept vs computed.

Builds the demo (``kano demo --no-serve``, size S, SQLite + DuckDB) in a temporary folder
(or uses ``--folder`` holding one), builds the app in this process, logs in as the demo
user, visits every page below once (imports, the first computation), then times
``--requests`` requests of each page in each mode, alternating request by request so all
modes see the same machine load:

- ``kept``: the figures kept (``PAGE_FIGURES``), keyed on the DuckDB file's state: a warm
  visit does not open the warehouse;
- ``stamp``: kept, but keyed on the load stamp, which opens the warehouse on every visit
  (what the value pages, linkage, drivers and customer 360 did before they used the file
  state; what PostgreSQL, SQLite and Spark warehouses do);
- ``computed``: ``PAGE_FIGURES.enabled = False``, every figure computed (for a pilot's
  page, what every visit did before its plan was kept: the page is asserted the same in
  all three modes).

Times are in-process (the app's time plus the test client's few milliseconds; no
network). Prints each page's median and 90th percentile per mode and the ratios.

    .venv/bin/python bench/warm_pages.py [--requests 20] [--folder DIR]
        [--pages cx|analysis|pilots|all]
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

CX_PAGES = ("/cx", "/cx?segment=smb", "/cx?trend=csat", "/cx?from=2026-01-01&to=2026-03-31",
            "/cx?channel=web&stage=delivery", "/journeys", "/journeys?segment=*",
            "/journeys?journey=key-account&from=2026-01-01&to=2026-07-01")  # fmt: skip
# "{customer}": the first account the client-matrix page links to
ANALYSIS_PAGES = ("/value/rfm", "/value/matrix", "/value/profit", "/value/clv", "/value/churn",
                  "/value/rfm.csv", "/linkage", "/drivers", "/customers/{customer}")  # fmt: skip
# "{pilot}": the first pilot the pilot list links to (its plan: ~1 s computed, H3)
PILOT_PAGES = ("/pilots/{pilot}",)
MODES = ("kept", "stamp", "computed")
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


def run(folder: Path, requests: int, chosen: tuple[str, ...]) -> None:
    os.environ.update(demo_environment(folder))
    from starlette.testclient import TestClient

    import kano.adapters.web.page_figures as page_figures
    from kano.adapters.web.page_figures import PAGE_FIGURES
    from kano.app import create_app

    client = TestClient(create_app(), base_url="http://127.0.0.1")
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token, "no CSRF token on /login"
    answer = client.post("/login", data={"email": "demo@kano.local", "password": "demo",
                                         "csrf_token": token.group(1), "next": "/"})  # fmt: skip
    assert answer.status_code == 200 and "/login" not in str(answer.url), answer.status_code
    account = re.search(r'href="/customers/(\d+)"', client.get("/value/matrix").text)
    assert account, "no customer linked from /value/matrix"
    pilot = re.search(r'href="/pilots/(\d+)"', client.get("/pilots").text)
    assert pilot, "no pilot linked from /pilots"
    pages = [page.format(customer=account.group(1), pilot=pilot.group(1)) for page in chosen]
    file_state = page_figures.file_state

    def mode(name: str) -> None:
        PAGE_FIGURES.enabled = name != "computed"
        page_figures.file_state = file_state if name == "kept" else lambda url: None  # type: ignore[assignment]

    for name in ("kept", "stamp"):  # first visits: imports, the first computation of each
        mode(name)
        for page in pages:
            assert client.get(page).status_code == 200, page
    for page in pages:
        if page.startswith("/pilots/"):  # the kept plan is the computed one, figure for figure
            shown = {}
            for name in MODES:
                mode(name)
                shown[name] = client.get(page).text
            assert shown["kept"] == shown["stamp"] == shown["computed"], page
            print(f"{page}: the same page kept, stamped and computed")
    times: dict[tuple[str, str], list[float]] = {}
    for _ in range(requests):
        for page in pages:
            for name in MODES:
                mode(name)
                started = time.perf_counter()
                answer = client.get(page)
                times.setdefault((page, name), []).append(time.perf_counter() - started)
                assert answer.status_code == 200, (page, answer.status_code)
    mode("kept")
    print(f"{requests} warm requests of each page per mode (seconds, median and p90)")
    print(f"{'page':44} {'kept':>14} {'stamp':>14} {'computed':>14} {'stamp/kept':>10} "
          f"{'computed/kept':>13}")  # fmt: skip

    def median(page: str, name: str) -> float:
        return statistics.median(times[(page, name)])

    for page in pages:
        cells = " ".join(f"{median(page, name):7.3f} {percentile(times[(page, name)], 0.9):6.3f}"
                         for name in MODES)  # fmt: skip
        print(f"{page[:44]:44} {cells} {median(page, 'stamp') / median(page, 'kept'):10.1f} "
              f"{median(page, 'computed') / median(page, 'kept'):13.1f}")  # fmt: skip
    totals = {name: sum(median(page, name) for page in pages) for name in MODES}
    print(f"sum of medians: kept {totals['kept']:.3f} s, stamp {totals['stamp']:.3f} s, "
          f"computed {totals['computed']:.3f} s → stamp/kept "
          f"{totals['stamp'] / totals['kept']:.1f}×, computed/kept "
          f"{totals['computed'] / totals['kept']:.1f}×; slowest kept median "
          f"{max(median(page, 'kept') for page in pages):.3f} s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument("--folder", type=Path, help="a folder holding a built demo "
                        "(kano.db, kano.duckdb, demo-data) to reuse")  # fmt: skip
    parser.add_argument("--pages", choices=("cx", "analysis", "pilots", "all"), default="all",
                        help="the CX overview and journey map, the value pages, linkage, "
                        "drivers and customer 360, a pilot's page, or all")  # fmt: skip
    args = parser.parse_args()
    chosen = {"cx": CX_PAGES, "analysis": ANALYSIS_PAGES, "pilots": PILOT_PAGES,
              "all": CX_PAGES + ANALYSIS_PAGES + PILOT_PAGES}  # fmt: skip
    if args.folder:
        run(args.folder.resolve(), args.requests, chosen[args.pages])
        return
    with tempfile.TemporaryDirectory(prefix="kano-warm-pages-") as tmp:
        build_demo(Path(tmp))
        run(Path(tmp), args.requests, chosen[args.pages])


if __name__ == "__main__":
    main()
