"""``kano value``: customer value and portfolio — RFM, client matrix, profit, CLV, churn,
and the loyalty-programme import."""

from kano.adapters.cli.value import loyalty as _loyalty  # noqa: F401  (registers its command)
from kano.adapters.cli.value.commands import value_app

__all__ = ["value_app"]
