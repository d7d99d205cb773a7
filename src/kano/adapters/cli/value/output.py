"""Printing ``kano value`` results: JSON, CSV, or a Rich table for people."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from kano.domain.shared.errors import InvalidInput


def day_option(text: str | None, option: str) -> date | None:
    """``text`` as a date, or an error naming ``option``."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise InvalidInput(option, f"{text!r} is not a date (YYYY-MM-DD)") from error


@contextmanager
def options_named(names: dict[str, str]) -> Iterator[None]:
    """Errors of the shared analyses name parameters (``as_of``); say the CLI option."""
    try:
        yield
    except InvalidInput as error:
        option = names.get(error.field)
        if option is None:
            raise
        raise InvalidInput(option, error.message) from error


def emit(
    records: list[dict[str, Any]], as_json: bool, as_csv: bool, extra: dict[str, Any] | None = None
) -> bool:
    """Print ``records`` as JSON or CSV; False when neither was asked for (show a table)."""
    if as_json and as_csv:
        raise InvalidInput("--json", "choose either --json or --csv")
    from kano.analytics.value.report import plain

    rows = [{key: plain(value) for key, value in record.items()} for record in records]
    if as_json:
        payload: Any = rows if extra is None else {**extra, "customers": rows}
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1, default=str) + "\n")
        return True
    if as_csv:
        buffer = io.StringIO()
        if rows:
            writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        sys.stdout.write(buffer.getvalue())
        return True
    return False
