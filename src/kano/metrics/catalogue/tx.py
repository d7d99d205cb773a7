"""TX — what customers do: orders, money, loyalty behaviour and payments."""

from __future__ import annotations

from kano.metrics.aggregations.behaviour import RepeatCustomerShare
from kano.metrics.aggregations.lifetime import (
    CohortRetention,
    LifetimeValue,
    PayingLifetime,
    ShareOfWallet,
)
from kano.metrics.aggregations.simple import (
    Count,
    CountDistinct,
    DueShare,
    Mean,
    Part,
    PerCustomerMean,
    Ratio,
)
from kano.metrics.catalogue.building import HIGHER, LOWER, metric
from kano.metrics.definitions import Layer, Metric

TX = Layer.TX
COHORT_MONTHS = (1, 3, 12)


def _cohort_metrics(months: int) -> tuple[Metric, Metric]:
    plural = "month" if months == 1 else "months"
    cohort = """Cohort = customers whose first purchase fell in the period (month,
    quarter or year of the first purchase); a cohort is counted once its month +{k} has
    been observed. Wilson interval."""
    return (
        metric(
            f"retention_m{months}",
            (f"Retention after {months} {plural}", f"Удержание через {months} мес.",
             f"Megtartás {months} hónap után"),
            TX, unit="%", direction=HIGHER, format=".1f", source="transactions",
            aggregation=CohortRetention(months),
            description=f"""Share of a first-purchase cohort that buys again in the
            calendar month {months} {plural} after the first-purchase month. """
            + cohort.format(k=months),
        ),
        metric(
            f"churn_m{months}",
            (f"Churn after {months} {plural}", f"Отток через {months} мес.",
             f"Lemorzsolódás {months} hónap után"),
            TX, unit="%", direction=LOWER, format=".1f", source="transactions",
            aggregation=CohortRetention(months, churn=True),
            description=f"""100 % − retention_m{months}: share of a first-purchase cohort
            that does not buy in the calendar month {months} {plural} after the
            first-purchase month. """ + cohort.format(k=months),
        ),
    )


METRICS = (
    metric(
        "orders",
        ("Orders", "Заказы", "Rendelések"),
        TX, unit="", direction=HIGHER, format=",.0f", source="transactions",
        aggregation=Count(), description="Number of orders (transactions).",
    ),
    metric(
        "order_frequency",
        ("Orders per customer", "Заказов на клиента", "Rendelések ügyfelenként"),
        TX, unit="orders", direction=HIGHER, format=".2f", source="transactions",
        aggregation=PerCustomerMean(Part("count")),
        description="""Mean number of orders per customer who ordered in the slice
        (purchase frequency); n = customers; t interval.""",
    ),
    metric(
        "aov",
        ("Average order value", "Средний чек", "Átlagos rendelési érték"),
        TX, unit="money", direction=HIGHER, format=",.2f", source="transactions",
        aggregation=Mean("amount"),
        description="Mean amount of the orders in the slice (revenue per order); t interval.",
    ),
    metric(
        "margin_pct",
        ("Gross margin %", "Валовая маржа, %", "Bruttó árrés %"),
        TX, unit="%", direction=HIGHER, format=".1f", source="transactions",
        aggregation=Ratio(Part("sum", "margin"), Part("sum", "amount"), scale=100.0),
        description="""Margin mix: 100 · Σ gross margin / Σ amount over the orders. A
        ratio of sums (orders weigh by their amount); no interval.""",
    ),
    metric(
        "arpu",
        ("ARPU (revenue per active customer)", "Выручка на активного клиента (ARPU)",
         "Árbevétel aktív ügyfelenként (ARPU)"),
        TX, unit="money", direction=HIGHER, format=",.2f", source="transactions",
        aggregation=PerCustomerMean(Part("sum", "amount")),
        description="""Revenue in the slice divided by the customers who bought in it,
        i.e. the mean revenue per active customer (per period of the slice); t
        interval over customers.""",
    ),
    metric(
        "active_customers",
        ("Active customers", "Активные клиенты", "Aktív ügyfelek"),
        TX, unit="", direction=HIGHER, format=",.0f", source="transactions",
        aggregation=CountDistinct("customer_id"),
        description="Distinct customers with at least one order in the slice.",
    ),
    metric(
        "repurchase_rate",
        ("Repurchase rate", "Доля повторных покупателей", "Újravásárlási arány"),
        TX, unit="%", direction=HIGHER, format=".1f", source="transactions",
        aggregation=RepeatCustomerShare(),
        description="""Share of the customers who bought in the slice for whom it was not
        their first purchase ever (their first order is looked up over the whole
        history, not only the slice); Wilson interval.""",
    ),
    *_cohort_metrics(1),
    *_cohort_metrics(3),
    *_cohort_metrics(12),
    metric(
        "lifetime_months",
        ("Customer lifetime (paying months)", "Срок жизни клиента (оплаченные месяцы)",
         "Ügyfél-élettartam (fizetős hónapok)"),
        TX, unit="months", direction=HIGHER, format=".2f", source="transactions",
        aggregation=PayingLifetime(),
        description="""LT: for the customers who paid in the period, the mean number of
        calendar months with a purchase (paying periods) from their first purchase up to
        that period. Observed so far, so young customers pull it down; t interval.""",
    ),
    metric(
        "ltv",
        ("Customer lifetime value (LTV)", "Пожизненная ценность клиента (LTV)",
         "Ügyfélélettartam-érték (LTV)"),
        TX, unit="money", direction=HIGHER, format=",.0f", source="transactions",
        aggregation=LifetimeValue(),
        description="""Profit formula per customer: ARPU per paying month × margin % ×
        LT (lifetime_months), for the customers who paid in the period; components
        give the three factors. No interval.""",
    ),
    metric(
        "share_of_wallet",
        ("Share of wallet", "Доля кошелька", "Pénztárcarészesedés"),
        TX, unit="%", direction=HIGHER, format=".1f", source="transactions",
        aggregation=ShareOfWallet(),
        description="""100 · Σ spend / Σ wallet over customer months with purchases, for
        customers with a wallet estimate (customers.wallet_estimate: estimated monthly
        category spend across all suppliers; from the customer attribute
        wallet_estimate). Empty where no customer has an estimate; no interval.""",
    ),
    metric(
        "on_time_payment",
        ("On-time payment share", "Доля своевременных оплат",
         "Határidőre fizetések aránya"),
        TX, unit="%", direction=HIGHER, format=".1f", source="payments",
        aggregation=DueShare("paid_on is not null and paid_on <= due_on"),
        description="""Share of payments due in the period (by due date) that were paid
        on or before the due date; unpaid ones count as late. Payments due after the
        last recorded payment are left out until their due date passes (their outcome
        is not known yet). Wilson interval.""",
    ),
)
