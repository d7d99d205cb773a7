"""``kano value``: customer value and portfolio — RFM, client matrix, profit, CLV, churn,
and the loyalty-programme import."""

from kano.adapters.cli.value.commands import value_app

__all__ = ["value_app"]
