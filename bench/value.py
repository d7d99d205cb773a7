"""Speed of customer-value analytics at a million customers, and the ratio to lifetimes.

    python bench/value.py [--customers 1000000] [--repeat 3] [--no-lifetimes]
    python bench/value.py --page [--repeat 5]

``--page`` times what the first /value/clv request of a server computes on the demo
company (size S, seed 1, loaded into a DuckDB warehouse): imports, the per-segment CLV fit
and the 26-week holdout check, each run in a fresh process as a new server pays it. The
baseline in the same run is the code before session 15 (BLAS threads left to OpenBLAS in
the fits, scikit-learn imported with the CLV module), alternated with the current code.

Customers are drawn from the BG/NBD and Gamma-Gamma processes themselves
(``kano.analytics.value.simulate``: r 0.25, alpha 4.4, a 0.8, b 2.4; p 6, q 4, gamma 15;
ages up to 52 weeks). Timed, each as the median of ``--repeat`` runs:

- CLV: BG/NBD fit + Gamma-Gamma fit + scoring (P(alive), expected purchases in 52 weeks,
  expected spend, discounted CLV over 12 monthly steps of 4.345 weeks) — goal < 30 s;
- RFM scores and segments + the 3×3 client matrix on eight criteria — goal < 10 s;
- the ``lifetimes`` library (0.11.3) doing the same CLV work on the same arrays (fit with
  its BetaGeoFitter / GammaGammaFitter, then ``customer_lifetime_value`` with 12 weekly
  steps), where it runs; its fitted parameters are compared with ours.

Load average (``os.getloadavg``) is printed with the figures: the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from kano.analytics.value import clv
from kano.analytics.value.client_matrix import client_matrix
from kano.analytics.value.rfm import rfm_scores
from kano.analytics.value.simulate import SimulatedCustomers, simulate_customers

WEEKS_PER_MONTH = 4.345  # lifetimes' month in weeks, so both compute the same CLV


def timed(work: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def kano_clv(c: SimulatedCustomers) -> tuple[clv.BgNbdParams, clv.GammaGammaParams, Any]:
    bg = clv.fit_bg_nbd(c.frequency, c.recency, c.T)
    gg = clv.fit_gamma_gamma(c.frequency, c.monetary)
    clv.probability_alive(bg, c.frequency, c.recency, c.T)
    clv.expected_purchases(bg, c.frequency, c.recency, c.T, 52.0)
    clv.expected_spend(gg, c.frequency, c.monetary)
    value = clv.discounted_clv(bg, gg, c.frequency, c.recency, c.T, c.monetary,
                               horizon=12 * WEEKS_PER_MONTH, steps=12,
                               discount_rate=0.01)  # fmt: skip
    return bg, gg, value


def lifetimes_clv(c: SimulatedCustomers) -> tuple[dict[str, float], dict[str, float], Any]:
    import pandas as pd
    from lifetimes import BetaGeoFitter, GammaGammaFitter

    f, r, t = pd.Series(c.frequency), pd.Series(c.recency), pd.Series(c.T)
    m = pd.Series(c.monetary)
    bg = BetaGeoFitter().fit(f, r, t)
    repeat = f > 0
    gg = GammaGammaFitter().fit(f[repeat], m[repeat])
    bg.conditional_probability_alive(f, r, t)
    bg.conditional_expected_number_of_purchases_up_to_time(52.0, f, r, t)
    gg.conditional_expected_average_profit(f, m)
    # lifetimes steps by months (4.345 weeks when freq="W"): 12 of them, as kano_clv does.
    value = gg.customer_lifetime_value(bg, f, r, t, m, time=12, freq="W", discount_rate=0.01)
    return dict(bg.params_), dict(gg.params_), value


def portfolio(n: int, rng: np.random.Generator) -> dict[str, Any]:
    return {
        "recency_days": rng.exponential(90, n).round(),
        "frequency": rng.poisson(3, n).astype(float),
        "monetary": rng.lognormal(5, 1.2, n),
        "revenue": rng.lognormal(8, 1.5, n),
        "margin": rng.normal(0.25, 0.08, n),
        "growth": rng.normal(0.05, 0.3, n),
        "ltv": rng.lognormal(9, 1.2, n),
        "tenure": rng.uniform(0, 3650, n),
        "share_of_wallet": np.where(rng.random(n) < 0.3, np.nan, rng.uniform(0, 1, n)),
        "nps": np.where(rng.random(n) < 0.5, np.nan, rng.integers(0, 11, n).astype(float)),
        "contact_breadth": rng.integers(1, 8, n).astype(float),
        "cases": rng.poisson(0.5, n).astype(float),
    }


PAGE_WORK = """
import sys, time
started = time.perf_counter()
from kano.analytics.value import clv
if sys.argv[2] == "baseline":
    import kano.analytics.value.churn  # what report.py imported before session 15
    clv.FIT_BLAS_THREADS = None
from kano.adapters.warehouse import connect
from kano.analytics.value import views
imported = time.perf_counter()
backend = connect(sys.argv[1], read_only=True)
view = views.clv_view(backend, 1)
fitted = time.perf_counter()
check = views.clv_view(backend, 1, holdout=26.0)
done = time.perf_counter()
print(imported - started, fitted - imported, done - fitted,
      *[repr(v) for f in view.fits for v in (f.bg.r, f.bg.alpha, f.bg.a, f.bg.b, f.gg.p)])
"""


def first_clv_page(repeat: int) -> None:
    """The first /value/clv request's work, baseline and current, in fresh processes."""
    import subprocess
    import tempfile
    from pathlib import Path

    from kano.adapters.warehouse import ParquetSource, load_warehouse, open_store
    from kano.demo import generate_company

    folder = Path(tempfile.mkdtemp(prefix="kano-bench-value-"))
    generate_company("S", 1, folder / "demo")
    url = f"duckdb:///{folder / 'warehouse.duckdb'}"
    store = open_store(url)
    try:
        load_warehouse(store, ParquetSource(folder / "demo"), 1)
    finally:
        store.close()
    runs: dict[str, list[list[float]]] = {"baseline": [], "current": []}
    parameters: dict[str, set[tuple[str, ...]]] = {"baseline": set(), "current": set()}
    for _ in range(repeat):
        for variant in ("baseline", "current"):
            out = subprocess.run([sys.executable, "-c", PAGE_WORK, url, variant], check=True,
                                 capture_output=True, text=True).stdout.split()  # fmt: skip
            runs[variant].append([float(v) for v in out[:3]])
            parameters[variant].add(tuple(out[3:]))
    print(f"demo S on DuckDB, {repeat} fresh processes each, medians (s):")
    print("variant   imports  fit+score  holdout  total")
    totals = {}
    for variant, times in runs.items():
        parts = [statistics.median(t[i] for t in times) for i in range(3)]
        totals[variant] = statistics.median(sum(t) for t in times)
        print(f"{variant:9} {parts[0]:7.2f} {parts[1]:10.2f} {parts[2]:8.2f} "
              f"{totals[variant]:6.2f}")  # fmt: skip
    print(f"ratio baseline/current (total): {totals['baseline'] / totals['current']:.2f}")
    # The warehouse sums amounts in parallel, so a run's float sums (and with them the last
    # digits of a flat Gamma-Gamma fit) may differ from another's whatever the variant.
    for variant, found in parameters.items():
        print(f"{variant}: {len(found)} distinct parameter set(s) (r, alpha, a, b, p per segment)")
    print(f"a parameter set found by both: {bool(parameters['baseline'] & parameters['current'])}")
    distinct = parameters["baseline"] | parameters["current"]
    if len(distinct) > 1:
        columns = list(zip(*(tuple(map(float, found)) for found in distinct), strict=True))
        gap = max((max(c) - min(c)) / abs(max(c)) for c in columns)
        print(f"largest relative spread of a parameter across all runs: {gap:.1e}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-lifetimes", action="store_true")
    parser.add_argument("--page", action="store_true", help="the first /value/clv request")
    args = parser.parse_args()
    if args.page:
        print(f"load average before: {os.getloadavg()}")
        first_clv_page(args.repeat)
        print(f"load average after: {os.getloadavg()}")
        return 0
    n = args.customers
    print(f"load average before: {os.getloadavg()}")
    start = time.perf_counter()
    customers = simulate_customers(n, r=0.25, alpha=4.4, a=0.8, b=2.4, p=6.0, q=4.0,
                                   gamma=15.0, seed=1)  # fmt: skip
    print(f"simulated {n:,} customers in {time.perf_counter() - start:.1f} s "
          f"({int((customers.frequency > 0).sum()):,} repeat buyers)")  # fmt: skip

    clv_time, (bg, gg, ours) = timed(lambda: kano_clv(customers), args.repeat)
    print(f"kano CLV fit + scoring: {clv_time:.2f} s (goal < 30 s)")
    print(f"  BG/NBD r {bg.r:.5g} alpha {bg.alpha:.5g} a {bg.a:.5g} b {bg.b:.5g}; "
          f"Gamma-Gamma p {gg.p:.5g} q {gg.q:.5g} gamma {gg.gamma:.5g}")  # fmt: skip

    data = portfolio(n, np.random.default_rng(2))

    def rfm_and_matrix() -> None:
        rfm_scores(data["recency_days"], data["frequency"], data["monetary"])
        client_matrix(data)

    portfolio_time, _ = timed(rfm_and_matrix, args.repeat)
    print(f"kano RFM + client matrix: {portfolio_time:.2f} s (goal < 10 s)")

    if not args.no_lifetimes:
        warnings.simplefilter("ignore")
        try:
            lt_time, (lt_bg, lt_gg, theirs) = timed(lambda: lifetimes_clv(customers), 1)
        except Exception as error:
            print(f"lifetimes failed: {type(error).__name__}: {error}")
        else:
            print(f"lifetimes CLV fit + scoring: {lt_time:.2f} s (one run)")
            print(f"  lifetimes BG/NBD {({k: round(float(v), 5) for k, v in lt_bg.items()})}; "
                  f"Gamma-Gamma {({k: round(float(v), 5) for k, v in lt_gg.items()})}")  # fmt: skip
            gap = np.max(np.abs(np.asarray(theirs) - ours) / np.maximum(np.abs(ours), 1.0))
            print(f"  largest relative CLV difference per customer: {gap:.2e}")
            print(f"ratio lifetimes/kano: {lt_time / clv_time:.2f}")
    print(f"load average after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
