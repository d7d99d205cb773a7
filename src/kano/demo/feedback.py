"""The CX layer: survey responses at every surveyed touchpoint, with comments.

* relationship NPS at each check-in the customer answered;
* delivery CSAT after a delivery: 1 + Binomial(4, p), p linear in delay days and defects;
* support e-mail CES: 1 + Binomial(6, p), p linear in first-response minutes;
* hotline CSAT: depends on first-contact resolution only, not on the call wait (decoy);
* web shop CES: independent of everything (decoy for repurchase);
* branch and onboarding ratings.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from scipy import special

from kano.demo import comments as text
from kano.demo.arrays import FloatArray, IntArray
from kano.demo.chain import CHAIN, PHONE_CSAT_PROBABILITY, WEB_CES_BETA
from kano.demo.company import EMAIL, FIELD, KEY_ACCOUNT, PHONE, STORE, WEB, survey_id, touchpoint_id
from kano.demo.customers import CustomerChunk
from kano.demo.fulfilment import SITE_DELIVERY, Fulfilment
from kano.demo.operations import SUPPORT_EMAIL, SUPPORT_PHONE, Onboarding, Tickets
from kano.demo.orders import Checkins
from kano.demo.randomness import BlockStreams, binomial_quantile, strata
from kano.demo.timeline import SPAN_DAYS

_DELIVERY_SURVEY_RATE = np.array([0.30, 0.20, 0.12])
_WEB_CES_RATE = 0.10
_STORE_RATING_RATE = 0.06
_ONBOARDING_RATING_RATE = 0.40
_SLOW_FIRST_RESPONSE_MINUTES = 150.0
_DELAY_LEVELS = CHAIN.max_delay_days + 1
_NEIGHBOURHOOD = 8
_COMMENT_RATE = np.array([0.5, 0.15, 0.25])  # by sentiment: negative, neutral, positive
_RENEWAL_FIELD = touchpoint_id("renewal-field") - 1
_RENEWAL_EMAIL = touchpoint_id("renewal-email") - 1
_PURCHASE_WEB = touchpoint_id("purchase-web") - 1
_PURCHASE_STORE = touchpoint_id("purchase-store") - 1
_ONBOARDING_EMAIL = touchpoint_id("onboarding-email") - 1
NO_SCORE = -1


@dataclass(frozen=True)
class Responses:
    """Response rows (``NO_SCORE`` / -1 for null scores and orders)."""

    survey: IntArray
    customer: IntArray
    touchpoint: IntArray
    channel: IntArray
    day: FloatArray
    nps: IntArray
    csat: IntArray
    ces: IntArray
    rating: IntArray
    order_row: IntArray
    topic: IntArray

    def take(self, rows: IntArray) -> Responses:
        return Responses(*(getattr(self, f.name)[rows] for f in fields(Responses)))

    @staticmethod
    def concat(parts: list[Responses]) -> Responses:
        return Responses(
            *(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(Responses))
        )


def _rows(
    *,
    survey: IntArray | int,
    customer: IntArray,
    touchpoint: IntArray | int,
    channel: IntArray | int,
    day: FloatArray,
    order_row: IntArray | int,
    topic: IntArray | int,
    nps: IntArray | None = None,
    csat: IntArray | None = None,
    ces: IntArray | None = None,
    rating: IntArray | None = None,
) -> Responses:
    n = customer.size

    def full(x: IntArray | int | None) -> IntArray:
        value = NO_SCORE if x is None else x
        return np.broadcast_to(np.asarray(value, dtype=np.int64), (n,))

    return Responses(
        full(survey),
        customer,
        full(touchpoint),
        full(channel),
        day,
        full(nps),
        full(csat),
        full(ces),
        full(rating),
        full(order_row),
        full(topic),
    )


def _web_ces_cdf() -> FloatArray:
    """CDF of the web CES - 1: Binomial(6, p) with p ~ Beta(6, 2) (beta-binomial)."""
    a, b = WEB_CES_BETA
    k = np.arange(7)
    log_pmf = np.log(special.comb(6, k)) + special.betaln(k + a, 6 - k + b) - special.betaln(a, b)
    return np.asarray(np.cumsum(np.exp(log_pmf)), dtype=np.float64)


_WEB_CES_CDF = _web_ces_cdf()


def _next_order_day(customer: IntArray, day: FloatArray) -> FloatArray:
    """For orders sorted by customer and time: the day of the same customer's next order."""
    same = np.r_[customer[1:] == customer[:-1], False]
    return np.where(same, np.r_[day[1:], np.inf], np.inf)


def collect_responses(
    streams: BlockStreams,
    chunk: CustomerChunk,
    customer: IntArray,
    day: FloatArray,
    fulfilment: Fulfilment,
    checkins: Checkins,
    tickets: Tickets,
    onboarding: Onboarding,
) -> Responses:
    """All responses of a chunk, unsorted; orders are rows of the chunk's sorted orders."""
    block = chunk.block
    f = fulfilment
    answered = np.flatnonzero(checkins.responded)
    who = checkins.customer[answered]
    key_account = chunk.segment[who] == KEY_ACCOUNT
    relationship = _rows(
        survey=survey_id("relationship-nps") - 1,
        customer=who,
        touchpoint=np.where(key_account, _RENEWAL_FIELD, _RENEWAL_EMAIL),
        channel=np.where(key_account, FIELD, EMAIL),
        day=checkins.day[answered],
        order_row=-1,
        topic=text.RELATIONSHIP,
        nps=checkins.nps[answered],
    )

    delivery = delivery_ratings(streams, chunk, customer, fulfilment)
    layout = streams.layout(block[customer])

    moment = day + 0.001 + 0.02 * streams.uniform(layout)
    web = streams.bernoulli(layout, _WEB_CES_RATE) & (f.channel == WEB) & (moment < SPAN_DAYS)
    bought_soon = _next_order_day(customer, day) <= moment + CHAIN.repurchase_window_days
    # the decoy: CES is balanced between customers who buy again soon and who do not
    ces_u = streams.stratified_uniform(layout, strata((web, 2), (bought_soon, 2)))
    web_ces = 1 + np.searchsorted(_WEB_CES_CDF[:-1], ces_u, side="right")
    store = streams.bernoulli(layout, _STORE_RATING_RATE) & (f.channel == STORE)
    store = store & (moment < SPAN_DAYS)
    store_rating = 1 + streams.binomial(layout, 4, 0.82)
    rows = np.flatnonzero(web)
    web_ces_rows = _rows(
        survey=survey_id("web-ces") - 1,
        customer=customer[rows],
        touchpoint=_PURCHASE_WEB,
        channel=WEB,
        day=moment[rows],
        order_row=rows,
        topic=text.WEB,
        ces=web_ces[rows],
    )
    rows = np.flatnonzero(store)
    store_rows = _rows(
        survey=survey_id("store-rating") - 1,
        customer=customer[rows],
        touchpoint=_PURCHASE_STORE,
        channel=STORE,
        day=moment[rows],
        order_row=rows,
        topic=text.STORE,
        rating=store_rating[rows],
    )

    t = tickets
    layout = streams.layout(block[t.customer])
    mail_answer = t.day + 0.5 + 1.5 * streams.uniform(layout) + t.first_response_minutes / 1440
    after = np.where(t.by_phone, t.day + (t.call_wait_seconds + 300.0) / 86_400.0, mail_answer)
    ces_asked = t.surveyed & ~t.by_phone & (after < SPAN_DAYS)
    csat_asked = t.surveyed & t.by_phone & (after < SPAN_DAYS)
    ces_u = streams.stratified_uniform(
        layout,
        streams.neighbourhoods(
            layout, ces_asked.astype(np.int64), t.first_response_minutes, _NEIGHBOURHOOD
        ),
    )
    ces = 1 + binomial_quantile(ces_u, 6, CHAIN.ces_probability(t.first_response_minutes))
    base, resolved_bonus = PHONE_CSAT_PROBABILITY
    # the decoy: hotline CSAT noise is balanced along the call wait
    csat_u = streams.stratified_uniform(
        layout,
        streams.neighbourhoods(
            layout,
            strata((csat_asked, 2), (t.resolved_first_contact, 2)),
            t.call_wait_seconds,
            _NEIGHBOURHOOD,
        ),
    )
    phone_csat = 1 + binomial_quantile(csat_u, 4, base + resolved_bonus * t.resolved_first_contact)
    rows = np.flatnonzero(ces_asked)
    support_ces = _rows(
        survey=survey_id("support-ces") - 1,
        customer=t.customer[rows],
        touchpoint=SUPPORT_EMAIL,
        channel=EMAIL,
        day=after[rows],
        order_row=t.order_row[rows],
        topic=np.where(
            t.first_response_minutes[rows] > _SLOW_FIRST_RESPONSE_MINUTES,
            text.SUPPORT_SLOW,
            text.SUPPORT,
        ),
        ces=ces[rows],
    )
    rows = np.flatnonzero(csat_asked)
    support_csat = _rows(
        survey=survey_id("support-csat") - 1,
        customer=t.customer[rows],
        touchpoint=SUPPORT_PHONE,
        channel=PHONE,
        day=after[rows],
        order_row=t.order_row[rows],
        topic=np.where(t.resolved_first_contact[rows], text.SUPPORT, text.SUPPORT_UNRESOLVED),
        csat=phone_csat[rows],
    )

    onboarding_rows = onboarding_ratings(streams, chunk, onboarding)
    return Responses.concat(
        [
            relationship,
            delivery,
            web_ces_rows,
            store_rows,
            support_ces,
            support_csat,
            onboarding_rows,
        ]
    )


def delivery_ratings(
    streams: BlockStreams, chunk: CustomerChunk, customer: IntArray, fulfilment: Fulfilment
) -> Responses:
    """Delivery CSAT of the orders placed by ``customer`` (``order_row``: the row in these
    arrays): a share of the shipped orders promised inside the window is rated a few days
    after arrival, when that is inside the window too."""
    f = fulfilment
    layout = streams.layout(chunk.block[customer])
    asked = streams.bernoulli(layout, _DELIVERY_SURVEY_RATE[chunk.segment[customer]])
    answer_day = f.promised_day + f.delay_days + 0.2 + 2.8 * streams.uniform(layout)
    selected = asked & f.shipped & (f.promised_day < SPAN_DAYS) & (answer_day < SPAN_DAYS)
    cause_level = strata((selected, 2), (f.delay_days, _DELAY_LEVELS), (f.defects, 4))
    csat = 1 + binomial_quantile(
        streams.stratified_uniform(layout, cause_level),
        4,
        CHAIN.csat_probability(f.delay_days, f.defects),
    )
    rows = np.flatnonzero(selected)
    topic = np.where(
        f.delay_days[rows] > 0,
        text.DELIVERY_LATE,
        np.where(f.defects[rows] > 0, text.DELIVERY_HANDLING, text.DELIVERY),
    )
    return _rows(
        survey=np.where(
            f.touchpoint[rows] == SITE_DELIVERY,
            survey_id("delivery-csat"),
            survey_id("courier-csat"),
        )
        - 1,
        customer=customer[rows],
        touchpoint=f.touchpoint[rows],
        channel=EMAIL,
        day=answer_day[rows],
        order_row=rows,
        topic=topic,
        csat=csat[rows],
    )


def onboarding_ratings(
    streams: BlockStreams, chunk: CustomerChunk, onboarding: Onboarding
) -> Responses:
    """The onboarding rating (1-5) a share of the onboarded accounts give within two days
    of their set-up's end, when that is inside the window."""
    o = onboarding
    layout = streams.layout(chunk.block[o.customer])
    rated = streams.bernoulli(layout, _ONBOARDING_RATING_RATE)
    rating = 1 + streams.binomial(layout, 4, 0.8)
    when = o.finished_day + 2.0 * streams.uniform(layout)
    rows = np.flatnonzero(rated & (when < SPAN_DAYS))
    return _rows(
        survey=survey_id("onboarding-rating") - 1,
        customer=o.customer[rows],
        touchpoint=_ONBOARDING_EMAIL,
        channel=EMAIL,
        day=when[rows],
        order_row=-1,
        topic=text.ONBOARDING,
        rating=rating[rows],
    )


def comment_positions(
    streams: BlockStreams, chunk: CustomerChunk, responses: Responses
) -> tuple[IntArray, IntArray]:
    """Comment (index into ``COMMENT_TEXTS``, -1 = none) and language of sorted responses."""
    layout = streams.layout(chunk.block[responses.customer])
    sentiment = text.sentiment_of(responses.nps, responses.csat, responses.ces, responses.rating)
    writes = streams.bernoulli(layout, _COMMENT_RATE[sentiment])
    pick: FloatArray = streams.uniform(layout)
    language = chunk.language[responses.customer]
    position = text.comment_positions(pick, language, responses.topic, sentiment)
    return np.where(writes, position, -1), language
