"""The home page's figures at 10⁶ rows: today's queries against the read of a monthly
roll-up kept up to an id mark (a design probe, H3; nothing of it is in the app yet).

Run (read-only on the data; the roll-up is built in this session's TEMP tables):
`.venv/bin/python bench/home_rollup_probe.py --database NAME [--new 1000] [--times 3]`
against a database ``bench/pages_at_scale.py --keep`` left (or any migrated one).

The design: a table of per-workspace monthly tallies (responses, promoters, detractors,
answered, revenue) and one of each customer's latest activity, both folded from the
responses and orders **by id** up to a mark, not by date. A visit reads the tallies plus
the rows above the mark (the index on the primary key: the few rows since the last fold),
so a response or order imported with an old date is counted in its own month whatever its
date, and the intake path is not touched (no trigger, no write per response). This probe
builds the roll-up as it would stand with ``--new`` rows of each table above the mark,
then times, alternately, ``home_figures`` as it is (JIT on and off) and the roll-up's read,
asserting the same figures.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from kano.adapters.db.views import home
from kano.adapters.db.views.home import HomeFigures, MonthFigures, NpsTally, home_figures

FOLD = """
CREATE TEMP TABLE rollup_months AS
SELECT month, sum(responses) AS responses, sum(promoters) AS promoters,
       sum(detractors) AS detractors, sum(answered) AS answered, sum(revenue) AS revenue
FROM (
  SELECT date_trunc('month', submitted_at)::date AS month, count(*) AS responses,
         count(*) FILTER (WHERE nps >= 9) AS promoters, count(*) FILTER (WHERE nps <= 6)
         AS detractors, count(nps) AS answered, 0::float AS revenue
  FROM feedback_responses WHERE workspace_id = :ws AND id <= :responses_mark GROUP BY 1
  UNION ALL
  SELECT date_trunc('month', occurred_at)::date, 0, 0, 0, 0, sum(amount)
  FROM transactions WHERE workspace_id = :ws AND id <= :orders_mark GROUP BY 1
) t GROUP BY month;
CREATE TEMP TABLE rollup_last AS
SELECT customer_id, max(at) AS last_at FROM (
  SELECT customer_id, submitted_at AS at FROM feedback_responses
  WHERE workspace_id = :ws AND id <= :responses_mark AND customer_id IS NOT NULL
  UNION ALL
  SELECT customer_id, occurred_at FROM transactions
  WHERE workspace_id = :ws AND id <= :orders_mark
) t GROUP BY customer_id;
CREATE INDEX ON rollup_last (last_at);
ANALYZE rollup_months; ANALYZE rollup_last;
"""

MONTHS = """
SELECT month, sum(responses), sum(promoters), sum(detractors), sum(answered), sum(revenue)
FROM (
  SELECT month, responses, promoters, detractors, answered, revenue FROM rollup_months
  UNION ALL
  SELECT date_trunc('month', submitted_at)::date, count(*), count(*) FILTER (WHERE nps >= 9),
         count(*) FILTER (WHERE nps <= 6), count(nps), 0::float
  FROM feedback_responses WHERE id > :responses_mark AND workspace_id = :ws GROUP BY 1
  UNION ALL
  SELECT date_trunc('month', occurred_at)::date, 0, 0, 0, 0, sum(amount)
  FROM transactions WHERE id > :orders_mark AND workspace_id = :ws GROUP BY 1
) t GROUP BY month
"""

ACTIVE = """
SELECT (SELECT count(*) FROM rollup_last WHERE last_at >= :start AND last_at < :end)
     + (SELECT count(DISTINCT d.customer_id) FROM (
          SELECT customer_id FROM feedback_responses WHERE id > :responses_mark
            AND workspace_id = :ws AND customer_id IS NOT NULL
            AND submitted_at >= :start AND submitted_at < :end
          UNION ALL
          SELECT customer_id FROM transactions WHERE id > :orders_mark AND workspace_id = :ws
            AND occurred_at >= :start AND occurred_at < :end
        ) d LEFT JOIN rollup_last r ON r.customer_id = d.customer_id
        WHERE r.customer_id IS NULL OR r.last_at < :start OR r.last_at >= :end)
"""


def rollup_figures(db: Session, ws: int, marks: dict[str, int]) -> HomeFigures:
    """The home figures from the roll-up plus the rows above its marks."""
    latest = home.latest_activity(db, ws)
    months = home._window(latest) if latest else ()
    tallies = {row[0]: row[1:] for row in db.execute(text(MONTHS), {"ws": ws, **marks})}
    start, end = home._bounds(months)
    earlier = home._year_before(months).date()
    active = db.execute(text(ACTIVE), {"ws": ws, "start": start, "end": end, **marks}).scalar()
    customers = db.execute(text("SELECT count(*) FROM customers WHERE workspace_id = :ws"),
                           {"ws": ws}).scalar()  # fmt: skip
    shown = []
    for month in months:
        _, p, d, a, revenue = tallies.get(month, (0, 0, 0, 0, 0.0))
        shown.append(MonthFigures(month, float(revenue), NpsTally(int(p), int(d), int(a))))
    return HomeFigures(
        customers=int(customers or 0),
        responses=sum(int(t[0]) for t in tallies.values()),
        months=tuple(shown),
        active_customers=int(active or 0),
        responses_in_window=sum(int(tallies[m][0]) for m in months if m in tallies),
        responses_before=sum(int(t[0]) for m, t in tallies.items()
                             if earlier <= m < months[0]),
    )


def comparable(f: HomeFigures) -> Any:
    return (f.customers, f.responses, f.responses_in_window, f.responses_before,
            f.active_customers, [(m.month, m.nps, round(m.revenue, 4)) for m in f.months])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--database", help="the database (default: the URL's)")
    parser.add_argument("--new", type=int, default=1000, help="rows of each table above the mark")
    parser.add_argument("--times", type=int, default=3)
    args = parser.parse_args()
    url = make_url(args.url)
    if args.database:
        url = url.set(database=args.database)
    engines = {"now, JIT on": create_engine(url),
               "now, JIT off": create_engine(url, connect_args={"options": "-c jit=off"})}
    with Session(engines["now, JIT off"]) as db:
        ws = db.execute(text("SELECT workspace_id FROM feedback_responses GROUP BY 1 "
                             "ORDER BY count(*) DESC LIMIT 1")).scalar_one()  # fmt: skip
        marks = {"responses_mark": db.execute(text("SELECT max(id) FROM feedback_responses"))
                 .scalar_one() - args.new,
                 "orders_mark": db.execute(text("SELECT max(id) FROM transactions"))
                 .scalar_one() - args.new}  # fmt: skip
        started = time.perf_counter()
        for statement in FOLD.split(";"):
            if statement.strip():
                db.execute(text(statement), {"ws": ws, **marks})
        print(f"workspace {ws}; the first fold (all rows up to the marks, once): "
              f"{time.perf_counter() - started:.1f} s")
        spent: dict[str, list[float]] = {name: [] for name in (*engines, "roll-up read")}
        answers: dict[str, Any] = {}
        for _ in range(args.times):
            for name, engine in engines.items():
                with Session(engine) as other:
                    started = time.perf_counter()
                    answers[name] = comparable(home_figures(other, ws))
                    spent[name].append(time.perf_counter() - started)
            started = time.perf_counter()
            answers["roll-up read"] = comparable(rollup_figures(db, ws, marks))
            spent["roll-up read"].append(time.perf_counter() - started)
        assert answers["now, JIT on"] == answers["now, JIT off"] == answers["roll-up read"], (
            answers["now, JIT on"][:5], answers["roll-up read"][:5])
        base = statistics.median(spent["now, JIT on"])
        for name, values in spent.items():
            print(f"{name:14} best {min(values) * 1000:7.0f} ms  median "
                  f"{statistics.median(values) * 1000:7.0f} ms  "
                  f"{statistics.median(values) / base:5.3f} × now")  # fmt: skip
        print(f"same figures: {answers['roll-up read'][:5]}, {args.new} new rows of each table "
              f"above the marks; first month {date.isoformat(answers['now, JIT on'][5][0][0])}")


if __name__ == "__main__":
    main()
