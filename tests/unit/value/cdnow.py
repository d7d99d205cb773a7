"""The CDNOW sample of Fader, Hardie & Lee (2005), read from the files in the lifetimes wheel.

Only the data files are used; none of lifetimes' code runs. ``importlib.resources.files``
would import the package (and lifetimes' ``__init__`` pulls its fitters and a pandas
option that pandas 3 deprecates), so the package folder is located with ``find_spec``, which
does not execute it.
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

import pandas as pd


def dataset(name: str) -> Path:
    spec = find_spec("lifetimes")
    assert spec is not None and spec.submodule_search_locations, "pip install lifetimes==0.11.3"
    return Path(next(iter(spec.submodule_search_locations))) / "datasets" / name


def summary() -> pd.DataFrame:
    """2,357 customers: x, t_x, T (weeks) and zbar, the mean repeat-purchase value."""
    return pd.read_csv(dataset("cdnow_customers_summary_with_transactions.csv"))


def sample_transactions() -> pd.DataFrame:
    """The transaction log behind the summary: customer, date, amount."""
    frame = pd.read_csv(
        dataset("CDNOW_sample.txt"),
        sep=r"\s+",
        header=None,
        names=["customer", "id", "date", "quantity", "amount"],
        dtype={"date": str},
    )
    frame["date"] = pd.to_datetime(frame["date"], format="%Y%m%d")
    return frame
