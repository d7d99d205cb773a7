"""CLV per segment reads every segment's customer summary in one warehouse query and
splits it (``segment_summaries``): each segment's summary is bit for bit the one a query
for that segment alone gives, with and without a holdout, and the CLV view built on them
is the one built per segment."""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from kano.analytics.value.inputs import ValueReader, clv_summary
from kano.analytics.value.views.lifetime_value import segment_summaries

from .conftest import WORKSPACE, Company


def test_every_segments_summary_from_one_query_is_that_segments_own(
    value_company: Company,
) -> None:
    reader = ValueReader(value_company.backend, WORKSPACE)
    end = reader.data_end().date()
    keys = sorted(reader.table("segments").select("key").to_pandas()["key"].astype(str))
    assert len(keys) > 1
    for calibration_end, observed in ((end, None), (end - timedelta(weeks=26), end)):
        together = segment_summaries(reader, calibration_end, observed, "week")
        assert sorted(together) == keys
        for key in keys:
            part = ValueReader(value_company.backend, WORKSPACE, key)
            alone = clv_summary(part, calibration_end=calibration_end, observation_end=observed)
            got = together[key]
            assert list(got.customer) == list(alone.customer), key
            for name in ("frequency", "recency", "T", "monetary"):
                np.testing.assert_array_equal(getattr(got, name), getattr(alone, name), name)
            if observed is None:
                assert got.holdout_frequency is None and got.holdout_length is None
            else:
                assert got.holdout_frequency is not None and alone.holdout_frequency is not None
                np.testing.assert_array_equal(got.holdout_frequency, alone.holdout_frequency)
                assert got.holdout_length == alone.holdout_length == 26.0
