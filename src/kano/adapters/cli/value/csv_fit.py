"""``kano value clv --from-csv``: summarise any transaction file for the CLV models."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from kano.domain.shared.errors import InvalidInput


def csv_summary(
    path: Path,
    customer: str,
    day: str,
    amount: str,
    cal_end: date | None,
    time_unit: str,
    holdout: float | None = None,
) -> Any:
    # Imported here, as pandas is: the value models load sklearn/scipy (CLI start-up cost).
    import pandas as pd

    from kano.analytics.value.transactions import TIME_UNITS, summarise_transactions
    from kano.analytics.value.views import checked

    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            head = handle.read(4096)
        try:
            separator = csv.Sniffer().sniff(head, delimiters=",;\t|").delimiter
        except csv.Error:  # whitespace-separated, as CDNOW_master.txt is
            separator = r"\s+"
        frame = pd.read_csv(path, sep=separator)
    except (OSError, ValueError) as error:
        raise InvalidInput("--from-csv", f"cannot read {path}: {error}") from error
    for option, column in (
        ("--customer-col", customer),
        ("--date-col", day),
        ("--amount-col", amount),
    ):
        if column not in frame.columns:
            raise InvalidInput(
                option,
                f"no column {column!r} in {path.name} (columns: "
                f"{', '.join(map(str, frame.columns))})",
            )
    dates = frame[day]
    if pd.api.types.is_integer_dtype(dates) and dates.between(10_000_101, 99_991_231).all():
        dates = pd.to_datetime(dates.astype(str), format="%Y%m%d")  # CDNOW-style 19970101
    if cal_end is None:
        raise InvalidInput("--calibration-end", "is needed with --from-csv")
    observation_end = None
    if holdout:
        observation_end = str(cal_end + timedelta(days=holdout * TIME_UNITS[time_unit]))
    return checked("--from-csv", lambda: summarise_transactions(
        frame[customer], dates, frame[amount], calibration_end=str(cal_end),
        observation_end=observation_end, time_unit=time_unit))  # fmt: skip
