"""The customer-value pages at production scale with the client matrix's scatter drawing
every account (as before) and a sample past ``value_charts.MATRIX_POINTS`` (now), in one
process, alternately.

Run: `.venv/bin/python bench/value_chart_sample.py --database kano_bench_… [--repeat 5]
[--url postgresql+psycopg://postgres@127.0.0.1:5432/test]` on a database a
`bench/pages_at_scale.py --keep` run left (10⁵ customers, 10⁶ orders, 10⁶ responses); the
workspace is loaded into a DuckDB warehouse in a temporary folder first (timed).

"before" sets the cap above the accounts, which is what the page did before the cap (every
account a point, every account's name asked for the tooltips); "now" is the cap as shipped.
Each page is visited once (the analyses are computed and kept), then timed ``--repeat``
times per variant, the variants alternating. The table prints the page's size, the best and
median time, the median's ratio to before, the points of the largest embedded chart and the
accounts the page counts. The other value pages (RFM, CLV, churn) draw aggregates: their
largest chart's points are printed to show that none draws one point per customer.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pages_at_scale import EMAIL, PASSWORD

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction

PAGES = ("/value/matrix", "/value/matrix?cell=high-high", "/value/rfm", "/value/clv",
         "/value/churn")  # fmt: skip
SPECS = re.compile(r'<script type="application/json" id="([\w-]+-spec)">(.*?)</script>', re.S)
EVERY_ACCOUNT = 10**9


def _largest_chart(page: str) -> str:
    """The embedded chart with the most data points: "id: points"."""
    sizes = []
    for name, text in SPECS.findall(page):
        spec = json.loads(text)
        layers = [spec, *spec.get("layer", [])]
        sizes.append((sum(len(part.get("data", {}).get("values", [])) for part in layers), name))
    points, name = max(sizes, default=(0, "-"))
    return f"{name.removesuffix('-spec')}: {points:,}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True, help="a database pages_at_scale kept")
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    url = make_url(args.url).set(database=args.database).render_as_string(hide_password=False)
    folder = Path(tempfile.mkdtemp(prefix="H1-value-"))
    try:
        run(url, folder, args.repeat)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(url: str, folder: Path, repeat: int) -> None:
    from starlette.testclient import TestClient

    from kano.adapters.warehouse import AppDatabaseSource, load_warehouse, open_store
    from kano.adapters.web import value_charts
    from kano.app import create_app
    from kano.bootstrap import build_container
    from kano.config import Settings

    settings = Settings(database_url=url, warehouse_url=f"duckdb:///{folder / 'kano.duckdb'}",
                        secret_key="bench-secret-0123456789abcdef", warm_up=False)
    container = build_container(settings)
    with transaction(container.sessions) as session:
        workspace_id = accounts.get_workspace(session, "bench").id
    started = time.perf_counter()
    store = open_store(settings.resolved_warehouse_url())
    try:
        load_warehouse(store, AppDatabaseSource(container.engine), workspace_id)
    finally:
        store.close()
    print(f"warehouse loaded in {time.perf_counter() - started:.0f} s", flush=True)
    client = TestClient(create_app(container=container), base_url="http://127.0.0.1")
    form = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert csrf, "no CSRF token on /login"
    client.post("/login", data={"email": EMAIL, "password": PASSWORD, "next": "/",
                                "csrf_token": csrf.group(1)})
    shipped = value_charts.MATRIX_POINTS
    variants = {"before": EVERY_ACCOUNT, "now": shipped}
    print(f"cap now: {shipped:,} points; {repeat} timed visits per variant", flush=True)
    print(f"{'page':<30} {'variant':<7} {'KB':>8} {'best ms':>8} {'median ms':>9} "
          f"{'× before':>8}  largest chart (points)", flush=True)
    for path in PAGES:
        client.get(path)  # the analyses computed and kept: not timed
        spent: dict[str, list[float]] = {name: [] for name in variants}
        pages: dict[str, str] = {}
        for _ in range(repeat):
            for name, cap in variants.items():
                value_charts.MATRIX_POINTS = cap
                begun = time.perf_counter()
                answer = client.get(path)
                spent[name].append(time.perf_counter() - begun)
                assert answer.status_code == 200, (path, answer.status_code)
                pages[name] = answer.text
        base = statistics.median(spent["before"])
        for name, times in spent.items():
            print(f"{path:<30} {name:<7} {len(pages[name].encode()) / 1024:8.0f} "
                  f"{min(times) * 1000:8.0f} {statistics.median(times) * 1000:9.0f} "
                  f"{statistics.median(times) / base:8.2f}  {_largest_chart(pages[name])}",
                  flush=True)
        counted = re.findall(r'<strong class="matrix-count">([\d,]+)</strong>', pages["now"])
        if counted:
            print(f"{'':<30} the cells count "
                  f"{sum(int(c.replace(',', '')) for c in counted):,} accounts in both", flush=True)
    value_charts.MATRIX_POINTS = shipped
    container.close()


if __name__ == "__main__":
    main()
