"""The operational layer (OX): support tickets, onboarding, and the process events table.

Support e-mails get a first response whose mean falls linearly with last month's
engagement of the region's support hub; hotline calls have a wait that depends on hub
staffing (a decoy: nothing downstream listens to it). Process events are one row per
measurement, keyed by touchpoint, team, customer and order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kano.demo.arrays import BoolArray, FloatArray, IntArray
from kano.demo.chain import CHAIN, FIRST_RESPONSE_NOISE_BETA, FIRST_RESPONSE_NOISE_SCALE
from kano.demo.company import (
    ONBOARDING_TEAM_ID,
    SUPPORT_TEAM_ID_BY_REGION,
    TEAMS,
    touchpoint_id,
)
from kano.demo.customers import CustomerChunk
from kano.demo.fulfilment import Fulfilment
from kano.demo.randomness import BlockStreams, RowLayout, beta_quantile, strata
from kano.demo.schema import PROCESS_MEASURES, PROCESSES
from kano.demo.team_months import TeamMonths
from kano.demo.timeline import MONTHS, SPAN_DAYS, month_of

SUPPORT_PHONE = touchpoint_id("support-phone") - 1
SUPPORT_EMAIL = touchpoint_id("support-email") - 1
ONBOARDING_EMAIL = touchpoint_id("onboarding-email") - 1
_SUPPORT_TEAM_INDEX = np.asarray(SUPPORT_TEAM_ID_BY_REGION) - 1
_TICKET_BASE_RATE = 0.025
_TICKET_RATE_AFTER_DEFECT = 0.25
_PHONE_SHARE = 0.45
_FIRST_CONTACT_RESOLUTION = 0.72
_MEDIAN_CALL_WAIT_SECONDS = 70.0
_PHONE_SURVEY_RATE = 0.30
_MAIL_SURVEY_RATE = 0.35
(DELAY, FIRST_RESPONSE, FIRST_CONTACT, DEFECTS, ONBOARDING_DAYS, CALL_WAIT) = range(
    len(PROCESS_MEASURES)
)
DELIVERY_PROCESS, SUPPORT_PROCESS, ONBOARDING_PROCESS = range(len(PROCESSES))


@dataclass(frozen=True)
class Tickets:
    order_row: IntArray
    customer: IntArray
    day: FloatArray
    by_phone: BoolArray
    team: IntArray
    first_response_minutes: FloatArray
    call_wait_seconds: FloatArray
    resolved_first_contact: BoolArray
    surveyed: BoolArray
    """Invited to the support survey (CES by e-mail, CSAT after a call)."""


@dataclass(frozen=True)
class Onboarding:
    customer: IntArray
    finished_day: FloatArray
    days: FloatArray


@dataclass(frozen=True)
class ProcessEvents:
    """Unsorted process event rows of a chunk (``order_row`` -1 = no order)."""

    touchpoint: IntArray
    team: IntArray
    customer: IntArray
    order_row: IntArray
    process: IntArray
    measure: IntArray
    value: FloatArray
    day: FloatArray


def open_tickets(
    streams: BlockStreams,
    chunk: CustomerChunk,
    customer: IntArray,
    day: FloatArray,
    fulfilment: Fulfilment,
    months: TeamMonths,
) -> Tickets:
    """Support tickets raised about orders (more often after a defective delivery)."""
    layout = streams.layout(chunk.block[customer])
    rate = _TICKET_BASE_RATE + _TICKET_RATE_AFTER_DEFECT * (fulfilment.defects > 0)
    raised = streams.bernoulli(layout, rate)
    arrived = np.where(fulfilment.shipped, fulfilment.promised_day + fulfilment.delay_days, day)
    ticket_day = arrived + streams.gamma(layout, 1.5, 2.0)
    rows = np.flatnonzero(raised & (ticket_day < SPAN_DAYS))
    who = customer[rows]
    at = ticket_day[rows]
    layout = streams.layout(chunk.block[who])
    by_phone = streams.bernoulli(layout, _PHONE_SHARE)
    team = _SUPPORT_TEAM_INDEX[chunk.region[who]]
    month = month_of(at)
    mean_minutes = CHAIN.first_response_mean_minutes(months.engagement[team, month])
    mean_minutes = mean_minutes + months.first_response_shock[team, month]
    cause_level = strata((by_phone, 2), (team, len(TEAMS)), (month, MONTHS))
    noise = FIRST_RESPONSE_NOISE_SCALE * beta_quantile(
        streams.stratified_uniform(layout, cause_level), *FIRST_RESPONSE_NOISE_BETA
    )
    minutes = np.round(mean_minutes * noise, 1)
    wait = _MEDIAN_CALL_WAIT_SECONDS * np.exp(0.7 * streams.normal(layout))
    wait = np.round(wait * months.call_wait_factor[team, month])
    surveyed = streams.uniform(layout) < np.where(by_phone, _PHONE_SURVEY_RATE, _MAIL_SURVEY_RATE)
    # resolution is balanced along the call wait among the surveyed calls: the wait must not
    # predict it by chance either, or hotline CSAT (which depends on resolution) would seem
    # to follow the wait
    along_wait = streams.neighbourhoods(layout, strata((by_phone, 2), (surveyed, 2)), wait, 8)
    resolved = streams.stratified_uniform(layout, along_wait) < _FIRST_CONTACT_RESOLUTION
    return Tickets(rows, who, at, by_phone, team, minutes, wait, resolved, surveyed)


def _setup_days(streams: BlockStreams, layout: RowLayout) -> FloatArray:
    """Days from an account's creation to its first value (set-up finished)."""
    return np.round(1.0 + streams.gamma(layout, 2.0, 4.0), 1)


def onboard(streams: BlockStreams, chunk: CustomerChunk) -> Onboarding:
    """Account set-up of accounts acquired in the window (time to first value)."""
    days = _setup_days(streams, chunk.layout)
    finished = chunk.created_day + days
    who = np.flatnonzero(chunk.is_account & (chunk.created_day >= 0.0) & (finished < SPAN_DAYS))
    return Onboarding(who, finished[who], days[who])


def onboard_late(
    streams: BlockStreams, chunk: CustomerChunk, late: IntArray, created: FloatArray
) -> Onboarding:
    """Account set-up of the accounts won in the window's last days (``late``: customer
    rows in ascending order, ``created``: their creation day), measured like every other
    account's when it finishes inside the window. Drawn after the rest of the chunk (see
    :mod:`kano.demo.prior_orders`), so the window's own data keep their numbers."""
    days = _setup_days(streams, streams.layout(chunk.block[late]))
    finished = created + days
    rows = np.flatnonzero(chunk.is_account[late] & (finished < SPAN_DAYS))
    return Onboarding(late[rows], finished[rows], days[rows])


def onboarding_events(onboarding: Onboarding) -> ProcessEvents:
    """The onboarding process's events: one set-up time per onboarded account."""
    return _part(
        onboarding.customer.size,
        ONBOARDING_EMAIL,
        ONBOARDING_TEAM_ID - 1,
        onboarding.customer,
        -1,
        ONBOARDING_PROCESS,
        ONBOARDING_DAYS,
        onboarding.days,
        onboarding.finished_day,
    )


def _part(
    rows: int,
    touchpoint: IntArray | int,
    team: IntArray | int,
    customer: IntArray,
    order_row: IntArray | int,
    process: int,
    measure: int,
    value: FloatArray,
    day: FloatArray,
) -> ProcessEvents:
    def full(x: IntArray | int) -> IntArray:
        return np.broadcast_to(np.asarray(x, dtype=np.int64), (rows,))

    return ProcessEvents(
        full(touchpoint),
        full(team),
        customer,
        full(order_row),
        full(process),
        full(measure),
        value.astype(np.float64),
        day,
    )


def delivery_events(customer: IntArray, fulfilment: Fulfilment) -> ProcessEvents:
    """The delivery process's events of orders placed by ``customer`` (``order_row``: the
    row in these arrays): the delay on the promised day, and the defect check on arrival
    when that is inside the window too, for every shipped order promised inside the window
    -- the window's own orders and those at its edges alike (a late customer's first order,
    an order placed just before the window and promised in its first days)."""
    f = fulfilment
    arrived = f.promised_day + f.delay_days
    promised_inside = f.shipped & (f.promised_day >= 0.0) & (f.promised_day < SPAN_DAYS)
    delivered = np.flatnonzero(promised_inside)
    # Every delivered order is checked once (value = defect count, 0 when clean): the
    # defect rate is the share of checked orders, so clean orders must be events too.
    checked = np.flatnonzero(promised_inside & (arrived < SPAN_DAYS))
    return _concat(
        [
            _part(
                delivered.size,
                f.touchpoint[delivered],
                f.team[delivered],
                customer[delivered],
                delivered,
                DELIVERY_PROCESS,
                DELAY,
                f.delay_days[delivered],
                f.promised_day[delivered],
            ),
            _part(
                checked.size,
                f.touchpoint[checked],
                f.team[checked],
                customer[checked],
                checked,
                DELIVERY_PROCESS,
                DEFECTS,
                f.defects[checked].astype(np.float64),
                arrived[checked],
            ),
        ]
    )


def _concat(parts: list[ProcessEvents]) -> ProcessEvents:
    return ProcessEvents(
        *(
            np.concatenate([getattr(p, name) for p in parts])
            for name in ProcessEvents.__dataclass_fields__
        )
    )


def process_events(
    customer: IntArray, fulfilment: Fulfilment, tickets: Tickets, onboarding: Onboarding
) -> ProcessEvents:
    mail = np.flatnonzero(~tickets.by_phone)
    call = np.flatnonzero(tickets.by_phone)
    ticket_touchpoint = np.where(tickets.by_phone, SUPPORT_PHONE, SUPPORT_EMAIL)
    parts = [
        delivery_events(customer, fulfilment),
        _part(
            mail.size,
            SUPPORT_EMAIL,
            tickets.team[mail],
            tickets.customer[mail],
            tickets.order_row[mail],
            SUPPORT_PROCESS,
            FIRST_RESPONSE,
            tickets.first_response_minutes[mail],
            tickets.day[mail],
        ),
        _part(
            call.size,
            SUPPORT_PHONE,
            tickets.team[call],
            tickets.customer[call],
            tickets.order_row[call],
            SUPPORT_PROCESS,
            CALL_WAIT,
            tickets.call_wait_seconds[call],
            tickets.day[call],
        ),
        _part(
            tickets.day.size,
            ticket_touchpoint,
            tickets.team,
            tickets.customer,
            tickets.order_row,
            SUPPORT_PROCESS,
            FIRST_CONTACT,
            tickets.resolved_first_contact.astype(np.float64),
            tickets.day,
        ),
        onboarding_events(onboarding),
    ]
    return _concat(parts)
