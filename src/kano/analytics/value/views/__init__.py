"""Customer-value analyses as whole answers, read from a warehouse backend.

The CLI (``kano value …``), the API (``/api/v1/value/…``), the pages (``/value/…``) and the
customer 360 page all call these functions, so a number is computed one way whichever door
a user comes through. Each takes an Ibis backend holding the warehouse schema and the
workspace id; errors are :class:`InvalidInput` naming the parameter.

One module per analysis (``rfm_segments``, ``client_matrix_cells``, ``profit_formula``,
``lifetime_value``, ``churn_risk``), ``one_customer`` for the customer 360 page and
``running`` for what they share; their public names are re-exported here, so callers write
``views.clv_view``.
"""

from kano.analytics.value.views.churn_risk import ChurnNotFitted, ChurnView, churn_view
from kano.analytics.value.views.client_matrix_cells import MatrixView, matrix_view
from kano.analytics.value.views.lifetime_value import (
    ClvFit,
    ClvNotFitted,
    ClvProblem,
    ClvView,
    clv_records,
    clv_view,
    fit_segments,
    fit_summaries,
)
from kano.analytics.value.views.one_customer import CustomerValue, customer_value
from kano.analytics.value.views.profit_formula import profit_view
from kano.analytics.value.views.rfm_segments import RfmView, rfm_view
from kano.analytics.value.views.running import Memo, Record, checked, remembered, scoring_day

__all__ = [
    "ChurnNotFitted",
    "ChurnView",
    "ClvFit",
    "ClvNotFitted",
    "ClvProblem",
    "ClvView",
    "CustomerValue",
    "MatrixView",
    "Memo",
    "Record",
    "RfmView",
    "checked",
    "churn_view",
    "clv_records",
    "clv_view",
    "customer_value",
    "fit_segments",
    "fit_summaries",
    "matrix_view",
    "profit_view",
    "remembered",
    "rfm_view",
    "scoring_day",
]  # fmt: skip
