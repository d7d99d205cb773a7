"""CX — what customers say: scores from survey responses."""

from __future__ import annotations

from kano.metrics.aggregations.behaviour import AnsweredOrderShare
from kano.metrics.aggregations.simple import Count, Mean, NetScore, Share
from kano.metrics.catalogue.building import HIGHER, LOWER, metric
from kano.metrics.definitions import Layer

CX = Layer.CX

METRICS = (
    metric(
        "nps",
        ("Net Promoter Score", "Индекс потребительской лояльности (NPS)",
         "Nettó ajánlói pontszám (NPS)"),
        CX, unit="points", direction=HIGHER, format=".1f", source="responses",
        aggregation=NetScore("nps"),
        description="""% of promoters (9–10) minus % of detractors (0–6) among responses
        that answered the 0–10 question; 95 % interval: adjusted Wald (Rocks 2016), the
        multinomial variance 100²[p + d − (p − d)²]/n after ¾ promoter, ¾ detractor and
        1½ passives are added.""",
    ),
    metric(
        "csat",
        ("CSAT (top-2-box)", "Удовлетворённость (CSAT, доля 4–5)",
         "Elégedettség (CSAT, 4–5 aránya)"),
        CX, unit="%", direction=HIGHER, format=".1f", source="responses",
        aggregation=Share("csat >= 4"), filter="csat is not null",
        description="Share of 4 and 5 among answers on the 1–5 satisfaction scale (Wilson).",
    ),
    metric(
        "ces",
        ("Customer Effort Score (mean)", "Индекс усилий клиента (CES, среднее)",
         "Ügyfél-erőfeszítési mutató (CES, átlag)"),
        CX, unit="points", direction=HIGHER, format=".2f", source="responses",
        aggregation=Mean("ces"),
        description="""Mean agreement, 1–7, with "the company made it easy for me"
        (CES 2.0, so higher means less effort); t interval.""",
    ),
    metric(
        "ces_easy_share",
        ("CES: share finding it easy (5–7)", "CES: доля «легко» (5–7)",
         "CES: könnyűnek ítélők aránya (5–7)"),
        CX, unit="%", direction=HIGHER, format=".1f", source="responses",
        aggregation=Share("ces >= 5"), filter="ces is not null",
        description="Share of 5–7 among CES 2.0 answers (Wilson).",
    ),
    metric(
        "rating_mean",
        ("Mean rating", "Средняя оценка", "Átlagos értékelés"),
        CX, unit="points", direction=HIGHER, format=".2f", source="responses",
        aggregation=Mean("rating"),
        description="Mean of the 1–5 rating question where answered; t interval.",
    ),
    metric(
        "responses",
        ("Responses", "Ответы", "Válaszok"),
        CX, unit="", direction=HIGHER, format=",.0f", source="responses",
        aggregation=Count(),
        description="Number of survey responses received.",
    ),
    metric(
        "response_rate",
        ("Response rate (rated orders)", "Доля заказов с отзывом",
         "Válaszadási arány (értékelt rendelések)"),
        CX, unit="%", direction=HIGHER, format=".1f", source="transactions",
        aggregation=AnsweredOrderShare(),
        description="""Share of orders that at least one survey response rates
        (responses.transaction_id), by the order's date. Invitations are not in the
        warehouse, so orders stand in for them; Wilson interval.""",
    ),
    metric(
        "complaint_share",
        ("Complaint share", "Доля жалоб", "Panaszok aránya"),
        CX, unit="%", direction=LOWER, format=".1f", source="responses",
        aggregation=Share(
            "comment is not null and comment != '' and "
            "(nps <= 6 or csat <= 2 or rating <= 2 or ces <= 2)"
        ),
        description="""Share of responses that are complaints: the customer wrote a
        comment and gave a low score on some scale (NPS 0–6, CSAT 1–2, rating 1–2 or
        CES 1–2). The data carry no complaint flag; this is the usual proxy. Wilson.""",
    ),
)
