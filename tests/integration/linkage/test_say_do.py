"""The say–do gap counts agree with pandas on the generated Parquet files (the generator
tests' own independent helpers), overall and per segment."""

from __future__ import annotations

import pandas as pd
import pytest

from kano.analytics.linkage.frames import WarehouseReader
from kano.analytics.linkage.say_do import say_do_gap
from tests.integration.linkage.conftest import WORKSPACE, Companies
from tests.unit.demo.planted_effects import (
    _bought_within,
    _ids,
    _relationship_responses,
    read_company,
)


def test_promoters_who_leave_and_detractors_who_stay_per_segment(companies: Companies) -> None:
    frames = read_company(companies.folder("S", 1))
    followed = _bought_within(frames, _relationship_responses(frames), 180)
    followed = followed.merge(frames["customers"][["customer_id", "segment_id"]],
                              on="customer_id")  # fmt: skip
    segment_of = {v: k for k, v in _ids(frames, "segments").items()}

    rows = {row.segment: row for row in say_do_gap(
        WarehouseReader(companies.backend("S", 1), WORKSPACE))}  # fmt: skip

    assert set(rows) == {"all", *segment_of.values()}
    for segment, part in [("all", followed), *(
            (key, followed[followed.segment_id == sid]) for sid, key in segment_of.items())]:
        row = rows[segment]
        assert row.responses == len(part)
        promoters, detractors = part[part.nps >= 9], part[part.nps <= 6]
        assert row.promoters == len(promoters)
        assert row.promoters_who_left == int((~promoters.bought).sum())
        assert row.detractors == len(detractors)
        assert row.detractors_who_stayed == int(detractors.bought.sum())
    assert rows["all"].praise_and_leave is not None and 0 < rows["all"].praise_and_leave < 1


def test_churn_and_revenue_outcomes_of_driver_analysis_match_pandas(companies: Companies) -> None:
    from kano.analytics.linkage.driver_inputs import _behaviour_after

    frames = read_company(companies.folder("S", 1))
    followed = _bought_within(frames, _relationship_responses(frames), 180)
    reader = WarehouseReader(companies.backend("S", 1), WORKSPACE)
    responses = reader.table("responses")
    survey = reader.survey_ids(["relationship-nps"])
    relationship = responses.filter(responses.survey_id.isin(survey))

    churn = _behaviour_after(reader, relationship, "churn", 180).to_pandas()
    revenue = _behaviour_after(reader, relationship, "revenue", 180).to_pandas()

    expected = dict(zip(followed.response_id, (~followed.bought).astype(float), strict=True))
    assert dict(zip(churn.response_id, churn.outcome, strict=True)) == expected
    orders = frames["transactions"]
    for row in followed.head(40).itertuples():
        window = orders[(orders.customer_id == row.customer_id)
                        & (orders.occurred_at > row.submitted_at)
                        & (orders.occurred_at <= row.submitted_at + pd.Timedelta(days=180))]
        got = revenue.loc[revenue.response_id == row.response_id, "outcome"].item()
        assert got == pytest.approx(window.amount.sum())
