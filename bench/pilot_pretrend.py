"""The pilots' pre-trend check with few customers: size under parallel trends, and time.

Run: ``PYTHONPATH=.:src .venv/bin/python bench/pilot_pretrend.py [pilots per design]``.

* **Size.** Null pilots (parallel trends hold) of a few pilot vs control customers, six
  baseline months (five leads), the panels of ``tests/unit/pilots/test_joint_bootstrap.py``
  (unit effects, a common trend, AR(1) errors whose scale differs by customer): how often
  does the joint test flag the trends at 5 %, by the wild cluster bootstrap (999 draws
  here; Kano draws 9,999) and by the CR1 F test with F(leads, G − 1) (statsmodels'
  ``f_test``: with one pilot customer the CR1 variance has rank 4 and F has 4 df)?
* **Power.** The same with the pilot customers drifting away by 1 (and 3) a month.
* **Time** of one check with Kano's 9,999 draws: 8 customers; 1,000 customers × 12
  baseline months with 5 in the pilot; 10,000 customers × 6 months with 5 in the pilot.
"""

from __future__ import annotations

import sys
import time
import warnings

from tests.unit.pilots.test_joint_bootstrap import baseline_panel

from kano.analytics.pilots.did import pre_trend_test

DESIGNS = [(1, 7), (2, 6), (2, 18), (3, 3), (4, 4), (5, 5), (3, 30)]


def rates(pilot: int, control: int, pilots: int, drift: float) -> tuple[float, float]:
    units, boot, cr1 = pilot + control, 0, 0
    for seed in range(pilots):
        frame = baseline_panel(units, pilot, 6, seed=10_000 + seed, drift=drift)
        boot += bool(pre_trend_test(frame, draws=999).rejected)
        cr1 += bool(pre_trend_test(frame, inference="cr1").rejected)
    return boot / pilots, cr1 / pilots


def main() -> None:
    pilots = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000
    warnings.simplefilter("ignore")
    print(f"| pilot vs control | bootstrap | CR1 F | power at drift 1 (3) |  [{pilots} pilots]")
    for pilot, control in DESIGNS:
        size = rates(pilot, control, pilots, 0.0)
        power = rates(pilot, control, pilots // 4, 1.0)[0]
        strong = rates(pilot, control, pilots // 4, 3.0)[0]
        print(f"| {pilot} vs {control} | {size[0]:.1%} | {size[1]:.1%} | "
              f"{power:.0%} ({strong:.0%}) |")  # fmt: skip
    for units, pilot, months in ((8, 2, 6), (1_000, 5, 12), (10_000, 5, 6)):
        frame = baseline_panel(units, pilot, months, seed=1, keep=0.8 if units > 100 else 1.0)
        started = time.perf_counter()
        verdict = pre_trend_test(frame)
        print(f"{units:,} customers, {pilot} in the pilot, {months} baseline months "
              f"({verdict.bootstrap_weights}, {verdict.bootstrap_draws:,} draws): "
              f"{time.perf_counter() - started:.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
