"""A bad entry stops the whole import, whether the checks find it before writing or a
store refuses it half-way: nothing is written, and the error names the entry's path."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.strategy_code import StrategyFileInvalid, read_document
from kano.adapters.strategy_code.importer import import_document
from tests.integration.strategy.seed import seed_people
from tests.integration.strategy.support import export_text, import_text, row_counts

FIVE = "format: kano-strategy/1\nscorecards:\n  - key: main\n    name: Main\n" \
    "    perspectives:\n      - key: customer\n        name: Customer\n        objectives:\n" + \
    "".join(f"          - key: o{n}\n            title: Objective {n}\n"
            f"            owner: ceo@acme.example\n" for n in range(1, 6))


@pytest.fixture
def before(sessions: sessionmaker[Session]) -> tuple[dict[str, int], str]:
    """A workspace with one objective already, and what it holds."""
    seed_people(sessions)
    import_text(sessions, FIVE.split("          - key: o2")[0])
    return row_counts(sessions), export_text(sessions)


def test_a_fifth_objective_owned_by_a_stranger_stops_the_import(
    sessions: sessionmaker[Session], before: tuple[dict[str, int], str],
) -> None:
    head, tail = FIVE.rsplit("ceo@", 1)  # the fifth objective's owner
    bad = f"{head}stranger@{tail}"
    with pytest.raises(StrategyFileInvalid) as raised:
        import_text(sessions, bad)
    assert [(e.line, e.path, e.message) for e in raised.value.errors] == [
        (23, "scorecards[0].perspectives[0].objectives[4].owner",
         "no member with e-mail 'stranger@acme.example' in this workspace"),
    ]
    assert (row_counts(sessions), export_text(sessions)) == before


def test_a_fifth_objective_the_store_refuses_undoes_the_four_before_it(
    sessions: sessionmaker[Session], before: tuple[dict[str, int], str],
) -> None:
    """Objectives 2–4 are written through the store before it refuses the fifth's blank
    title (set after the checks, which would have refused it too)."""
    document, loaded = read_document(FIVE, "five.yaml")
    document.scorecards[0].perspectives[0].objectives[4].title = "   "
    with pytest.raises(StrategyFileInvalid) as raised:
        import_document(sessions, document, loaded, source="five.yaml", workspace="acme")
    assert str(raised.value) == (
        "1 error in five.yaml:\n"
        "five.yaml:22: scorecards[0].perspectives[0].objectives[4].title: must not be blank"
    )
    assert (row_counts(sessions), export_text(sessions)) == before


MEASURED = """\
format: kano-strategy/1
scorecards:
  - key: main
    name: Main
    perspectives:
      - key: customer
        name: Customer
        objectives:
          - key: o1
            title: Objective 1
            measures:
""" + "".join(f"""\
              - key: m{n}
                name: Measure {n}
                direction: higher
                amber_from: 1
                green_from: 2
                target: 3
                values:
                  - {{period: 2026-01-01, actual: 1}}
                  - {{period: 2026-02-01, actual: 2, ci_low: 1, ci_high: 3}}
""" for n in (1, 2))


@pytest.mark.parametrize(("refuse", "expected"), [
    (lambda measure: setattr(measure, "weight", 2e9),
     "five.yaml:21: scorecards[0].perspectives[0].objectives[0].measures[1].weight: "
     "must be from 0 to 1e+09"),
    (lambda measure: setattr(measure.values[1], "ci_low", 5.0),
     "five.yaml:29: scorecards[0].perspectives[0].objectives[0].measures[1].values[1].ci_low: "
     "must not exceed ci_high"),
])
def test_measures_and_values_written_together_are_refused_by_their_own_path(
    sessions: sessionmaker[Session], before: tuple[dict[str, int], str], refuse: Any,
    expected: str,
) -> None:
    """The store writes a file's new measures (and values) in one call; the one it refuses
    is still named by its own path."""
    document, loaded = read_document(MEASURED, "five.yaml")
    refuse(document.scorecards[0].perspectives[0].objectives[0].measures[1])
    with pytest.raises(StrategyFileInvalid) as raised:
        import_document(sessions, document, loaded, source="five.yaml", workspace="acme")
    assert str(raised.value) == f"1 error in five.yaml:\n{expected}"
    assert (row_counts(sessions), export_text(sessions)) == before


LINKED = FIVE + """\
    links:
      - {cause: o1, effect: o2}
      - {cause: o2, effect: o3, hypothesis: Faster answers keep customers.}
      - cause: o3
        effect: o4
        lag_months: 3
"""


@pytest.mark.parametrize(("refuse", "expected"), [
    (lambda links: setattr(links[2], "lag_months", 500),
     "five.yaml:29: scorecards[0].links[2].lag_months: "
     "must be a whole number of months from 0 to 120"),
    (lambda links: setattr(links[1], "hypothesis", "Faster\x07 answers"),
     "five.yaml:26: scorecards[0].links[1].hypothesis: contains control characters"),
])
def test_links_written_together_are_refused_by_their_own_path(
    sessions: sessionmaker[Session], before: tuple[dict[str, int], str], refuse: Any,
    expected: str,
) -> None:
    """The store writes a file's new links (and a scorecard's new objectives) in one call;
    the link it refuses is still named by its own path, and nothing stays written."""
    document, loaded = read_document(LINKED, "five.yaml")
    refuse(document.scorecards[0].links)
    with pytest.raises(StrategyFileInvalid) as raised:
        import_document(sessions, document, loaded, source="five.yaml", workspace="acme")
    assert str(raised.value) == f"1 error in five.yaml:\n{expected}"
    assert (row_counts(sessions), export_text(sessions)) == before
