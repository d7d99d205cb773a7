"""Bad link specs are refused with an error that names the field and says what to write."""

from __future__ import annotations

import pytest

from kano.analytics.linkage import expected_sign, parse_link_specs, test_links
from kano.domain.shared.errors import InvalidInput
from tests.integration.linkage.conftest import WORKSPACE, Companies


@pytest.mark.parametrize(
    ("entry", "field", "message"),
    [
        ({"cause": "nps", "grain": "response"}, "links[0].effect", "required"),
        ({"cause": "mood", "effect": "nps", "grain": "response"}, "links[0].cause", "linkable"),
        ({"cause": "nps", "effect": "churn_rate", "grain": "week"}, "links[0].grain", "choose"),
        ({"cause": "nps", "effect": "churn_rate", "grain": "response", "lag": "3 months"},
         "links[0].lag", "90D"),
        ({"cause": "nps", "effect": "churn_rate", "grain": "response", "lag": "0"},
         "links[0].lag", "window"),
        ({"cause": "nps", "effect": "revenue", "grain": "team-month", "lag": "1M"},
         "links[0]", "cannot be observed"),
        ({"cause": "nps", "effect": "churn_rate", "grain": "response", "lag": "90D",
          "where": {"planet": "mars"}}, "links[0].where.planet", "choose"),
    ],
)  # fmt: skip
def test_a_bad_spec_names_its_field(entry: dict, field: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as error:
        parse_link_specs([entry])
    assert error.value.field == field


def test_an_unknown_slice_key_names_the_known_ones(companies: Companies) -> None:
    [spec] = parse_link_specs([{"cause": "delivery_delay_days", "effect": "csat",
                                "grain": "response", "where": {"touchpoint": "teleport"}}])
    with pytest.raises(InvalidInput, match=r"unknown touchpoint teleport; known: .*delivery-field"):
        test_links(companies.backend("S", 1), [spec], WORKSPACE)


def test_expected_sign_follows_which_way_is_better() -> None:
    assert expected_sign("engagement", "delivery_delay_days") == -1
    assert expected_sign("nps", "repurchase_rate") == 1
    assert expected_sign("nps", "churn_rate") == -1
    assert expected_sign("delivery_delay_days", "churn_rate") == 1
