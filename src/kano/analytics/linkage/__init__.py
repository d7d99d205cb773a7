"""Linkage of the layers (EX → OX → CX → TX → money) and key-driver analysis.

``specs`` says what a link is, ``frames`` reads the warehouse, ``assemble`` builds the
modelling frame of a link, ``estimate`` fits it and gives the verdict, ``drivers`` ranks
drivers by Johnson's relative weights.
"""

from kano.analytics.linkage.drivers import DriverWeights, relative_weights
from kano.analytics.linkage.estimate import LinkResult, test_link, test_links
from kano.analytics.linkage.specs import (
    SERVICE_PROFIT_CHAIN,
    LinkSpec,
    expected_sign,
    parse_link_specs,
)

__all__ = [
    "SERVICE_PROFIT_CHAIN",
    "DriverWeights",
    "LinkResult",
    "LinkSpec",
    "expected_sign",
    "parse_link_specs",
    "relative_weights",
    "test_link",
    "test_links",
]
