"""Words of the customer-value pages that come from the analyses or the routes, marked for
the catalogues: the analyses return them in English (segment, lever and feature names,
levels, strategies) and the templates translate them where they are shown."""

from __future__ import annotations

from kano.adapters.web.routes.navigation import N_
from kano.analytics.value.profit import INDUSTRY_LABELS

#: Words the analyses return in English, translated where they are shown.
WORDS = (
    N_("Champions"),
    N_("Loyal"),
    N_("Potential loyalists"),
    N_("New"),
    N_("Promising"),
    N_("At risk"),
    N_("Can't lose them"),
    N_("Hibernating"),
    N_("Lost"),
    N_("Other"),
    N_("(none)"),
    N_("low"),
    N_("medium"),
    N_("high"),
    N_("Protect income: low priority, no upsell investment"),
    N_("Invest selectively"),
    N_("Invest: raise loyalty"),
    N_("Invest: raise loyalty and deepen service"),
    N_("Invest: deepen service, collect feedback, cross-sell"),
    N_("Leads"),
    N_("Conversion"),
    N_("ARPU"),
    N_("Lifetime (paying periods)"),
    N_("Margin"),
    N_("Costs"),
    N_("ARPU per month"),
    N_("Paying months"),
    N_("Visitors"),
    N_("Average check"),
    N_("Purchases per customer"),
    N_("Enquiries"),
    N_("Booking rate"),
    N_("Average price per night"),
    N_("Nights per guest"),
    N_("Qualified leads"),
    N_("Win rate"),
    N_("Average contract value per year"),
    N_("Contract years"),
    N_("recency_days"),
    N_("orders_recent"),
    N_("order_trend"),
    N_("spend_recent"),
    N_("tenure_days"),
    N_("late_payment_share"),
    N_("last_nps"),
    N_("csat_recent"),
    N_("ces_recent"),
    N_("delivery_delay_days"),
    N_("call_wait_seconds"),
    N_("support_contacts"),
    N_("segment_churn_rate"),
    N_("loyalty_activity_recent"),
)
INDUSTRIES = {
    "generic": N_("Any business"),
    "saas": N_("Subscription software"),
    "retail": N_("Retail"),
    "hospitality": N_("Hospitality"),
    "b2b": N_("B2B sales"),
}
assert set(INDUSTRIES) == set(INDUSTRY_LABELS)
