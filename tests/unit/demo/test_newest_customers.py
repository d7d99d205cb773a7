"""The customers won in the demo's last month have what a real company would hold on them
by its end: the set-up of their account (an onboarding event when it finished inside the
window, and the set-up rating where its e-mail's two days allow) and the delivery rating of
their first order, drawn like everyone else's. Before, their journey stopped at the order:
a profile opened on one of them was bare. Read from the files, as an analyst would."""

from __future__ import annotations

import pandas as pd
import pytest

from kano.demo import SizePreset, generate_with_preset

WINDOW_END = pd.Timestamp("2026-11-01")
LAST_MONTH = pd.Timestamp("2026-10-01")
# enough customers for a few dozen accounts won in the last month (in about 5 s)
PRESET = SizePreset("newest", customers=40_000, headcount_scale=1.0)
TABLES = ("customers", "transactions", "process_events", "responses", "surveys")


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    out = tmp_path_factory.mktemp("newest-customers")
    generate_with_preset(PRESET, 1, out)
    tables = {name: pd.read_parquet(out / f"{name}.parquet") for name in TABLES}
    customers = tables["customers"]
    customers["created"] = pd.to_datetime(customers.created_on)
    return tables


def _won(customers: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    return customers[(customers.created >= start) & (customers.created < end)]


def test_accounts_won_in_the_last_month_are_onboarded_like_the_others(
    company: dict[str, pd.DataFrame],
) -> None:
    customers, events = company["customers"], company["process_events"]
    onboarding = events[events.process == "onboarding"].set_index("customer_id")
    late = _won(customers, LAST_MONTH, WINDOW_END)
    accounts = late[late.kind == "account"].set_index("customer_id")
    onboarded = accounts.index.intersection(onboarding.index)
    assert len(accounts) >= 20 and len(onboarded) >= len(accounts) // 2, len(onboarded)
    # one set-up each, measured in days from the account's creation, ending in the window
    assert onboarding.index.is_unique
    finished = onboarding.loc[onboarded]
    took = (finished.occurred_at - accounts.created[onboarded]).dt.total_seconds() / 86_400
    assert (took >= finished.value - 1e-6).all() and (took < finished.value + 1.0).all()
    assert (finished.occurred_at < WINDOW_END).all()
    # those not onboarded were won too late for the usual set-up time to have passed
    waiting = accounts.drop(onboarded)
    assert (waiting.created > LAST_MONTH + pd.Timedelta(days=10)).all(), waiting.created
    # persons have no account to set up, in the last month as before
    persons = late[late.kind == "person"].customer_id
    assert not onboarding.index.isin(persons).any()


def test_onboarded_newcomers_rate_their_set_up_within_two_days(
    company: dict[str, pd.DataFrame],
) -> None:
    customers, events, responses = (company[n] for n in ("customers", "process_events",
                                                         "responses"))  # fmt: skip
    survey = company["surveys"].set_index("key").survey_id["onboarding-rating"]
    late = _won(customers, LAST_MONTH, WINDOW_END).customer_id
    ratings = responses[(responses.survey_id == survey) & responses.customer_id.isin(late)]
    assert len(ratings) >= 4
    finished = events[events.process == "onboarding"].set_index("customer_id").occurred_at
    after = ratings.submitted_at.to_numpy() - finished[ratings.customer_id].to_numpy()
    assert ((after >= pd.Timedelta(0)) & (after <= pd.Timedelta(days=2))).all()
    assert ratings.rating.between(1, 5).all() and (ratings.submitted_at < WINDOW_END).all()


def test_newcomers_rate_their_first_delivery_like_everyone_else(
    company: dict[str, pd.DataFrame],
) -> None:
    customers, orders, responses = (company[n] for n in ("customers", "transactions",
                                                         "responses"))  # fmt: skip
    keys = company["surveys"].set_index("key").survey_id
    delivery = responses[responses.survey_id.isin([keys["delivery-csat"], keys["courier-csat"]])]
    late = _won(customers, LAST_MONTH, WINDOW_END).customer_id
    rated = delivery[delivery.customer_id.isin(late)]
    assert len(rated) >= 10
    ordered = orders.set_index("transaction_id").loc[rated.transaction_id.astype(int)]
    assert (ordered.customer_id.to_numpy() == rated.customer_id.to_numpy()).all()
    assert (ordered.occurred_at.to_numpy() < rated.submitted_at.to_numpy()).all()
    assert rated.csat.between(1, 5).all() and (rated.submitted_at < WINDOW_END).all()
    # every response row still has its own id, in customer and time order
    assert responses.response_id.is_unique and responses.response_id.is_monotonic_increasing
