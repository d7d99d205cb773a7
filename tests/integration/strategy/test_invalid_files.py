"""A file with errors is refused as a whole, with every error on its line, and a failure
while writing leaves no trace."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.strategy_code import StrategyFileInvalid, read_document
from kano.adapters.strategy_code.importer import import_document
from tests.integration.strategy.seed import seed_people
from tests.integration.strategy.support import (
    example_text,
    export_text,
    import_text,
    row_counts,
)

# Each entry is valid on its own; the references between them are not.
BAD_REFERENCES = """\
format: kano-strategy/1
scorecards:
  - key: company
    name: Company
    parent: team-card
    perspectives:
      - key: customer
        name: Customer
        objectives:
          - key: happy
            title: Happy customers
            owner: nobody@acme.example
          - key: happy
            title: Happy customers, again
      - key: customer
        name: Customer twice
    links:
      - {cause: happy, effect: unknown-objective}
    initiatives:
      - key: crm
        name: CRM
        owner_team: no-such-team
        objectives: [happy, ghost]
  - key: team-card
    name: Team
    level: team
    parent: company
    perspectives:
      - key: process
        name: Process
        objectives:
          - key: quick
            title: Quick
            aligned_to: stranger
okr_cycles:
  - key: q3
    name: Q3
    starts_on: 2026-07-01
    ends_on: 2026-09-30
    objectives:
      - key: okr-a
        title: A
        parent: okr-missing
        key_results:
          - key: kr-a
            title: Done
            kind: yes_no
            carried_over_from: kr-a
            check_ins:
              - {at: 2026-07-02 10:00:00, confidence: 5, author: ghost@acme.example}
mbo_sheets:
  - key: sheet
    employee: E-404
    period: "2026"
    objectives:
      - {key: one, title: One, weight: 100, okr_objective: okr-ghost}
"""


def test_reference_errors_are_listed_with_lines_and_nothing_changes(
    sessions: sessionmaker[Session],
) -> None:
    seed_people(sessions)
    import_text(sessions, example_text())
    counts, exported = row_counts(sessions), export_text(sessions)

    with pytest.raises(StrategyFileInvalid) as raised:
        import_text(sessions, BAD_REFERENCES)

    found = [(error.line, error.path, error.message) for error in raised.value.errors]
    assert found == [
        (5, "scorecards[0].parent", "following 'parent' from 'company' comes back to it"),
        (12, "scorecards[0].perspectives[0].objectives[0].owner",
         "no member with e-mail 'nobody@acme.example' in this workspace"),
        (13, "scorecards[0].perspectives[0].objectives[1].key",
         "objective 'happy' appears twice (first at line 10)"),
        (15, "scorecards[0].perspectives[1].key",
         "perspective 'customer' appears twice (first at line 7)"),
        (18, "scorecards[0].links[0].effect", "unknown objective 'unknown-objective'"),
        (22, "scorecards[0].initiatives[0].owner_team",
         "no team with key 'no-such-team' in this workspace"),
        (23, "scorecards[0].initiatives[0].objectives[1]", "unknown objective 'ghost'"),
        (27, "scorecards[1].parent", "following 'parent' from 'team-card' comes back to it"),
        (34, "scorecards[1].perspectives[0].objectives[0].aligned_to",
         "unknown objective 'stranger'"),
        (43, "okr_cycles[0].objectives[0].parent", "unknown OKR objective 'okr-missing'"),
        (48, "okr_cycles[0].objectives[0].key_results[0].carried_over_from",
         "following 'carried_over_from' from 'kr-a' comes back to it"),
        (50, "okr_cycles[0].objectives[0].key_results[0].check_ins[0].author",
         "no member with e-mail 'ghost@acme.example' in this workspace"),
        (53, "mbo_sheets[0].employee", "no employee with id 'E-404' in this workspace"),
        (56, "mbo_sheets[0].objectives[0].okr_objective", "unknown OKR objective 'okr-ghost'"),
    ]  # fmt: skip
    assert row_counts(sessions) == counts
    assert export_text(sessions) == exported


def test_alignment_must_point_into_a_parent_scorecard(sessions: sessionmaker[Session]) -> None:
    seed_people(sessions)
    import_text(sessions, example_text())
    original = "            aligned_to: easy-to-work-with"
    line = example_text().splitlines().index(original) + 1
    text = example_text().replace(original, "            aligned_to: answer-fast")
    with pytest.raises(StrategyFileInvalid) as raised:
        import_text(sessions, text)
    (error,) = raised.value.errors
    assert (error.line, error.path) == (
        line,
        "scorecards[1].perspectives[0].objectives[0].aligned_to",
    )
    assert error.message == (
        "objective 'answer-fast' is in scorecard 'service', which is not a parent of "
        "scorecard 'service'"
    )


def test_reference_to_a_row_the_import_would_delete_is_refused(
    sessions: sessionmaker[Session],
) -> None:
    """The OKR cycle (not in this file) stays, but the objective it links to would go."""
    seed_people(sessions)
    import_text(sessions, example_text())
    text = """\
format: kano-strategy/1
scorecards:
  - key: company
    name: Acme company scorecard
mbo_sheets:
  - key: ana-2026
    employee: E-1001
    period: "2026"
    objectives:
      - {key: fcr, title: FCR, weight: 100, scorecard_objective: first-contact-resolution}
"""
    with pytest.raises(StrategyFileInvalid) as raised:
        import_text(sessions, text)
    assert [(e.line, e.message) for e in raised.value.errors] == [
        (10, "unknown objective 'first-contact-resolution'")
    ]


def test_a_refused_file_does_not_create_the_workspace(sessions: sessionmaker[Session]) -> None:
    before = row_counts(sessions)
    text = (
        "format: kano-strategy/1\nmbo_sheets:\n"
        "  - {key: s, employee: E-1, period: '26', objectives: [{key: a, title: A, weight: 100}]}\n"
    )
    with pytest.raises(StrategyFileInvalid):
        import_text(sessions, text, workspace="never-created")
    assert row_counts(sessions) == before


def test_database_failure_half_way_through_leaves_no_trace(
    sessions: sessionmaker[Session],
) -> None:
    """Passes every check, then breaks a database constraint on the very last row written
    (MBO objectives come after all scorecard and OKR writes)."""
    seed_people(sessions)
    import_text(sessions, example_text())
    counts, exported = row_counts(sessions), export_text(sessions)

    changed = (
        example_text()
        .replace("Grow profitable revenue", "Grow revenue")
        .replace("service-skills", "people-skills")
    )
    document, loaded = read_document(changed, "changed.yaml")
    document.okr_cycles[0].objectives[0].key_results[0].check_ins.pop()  # a deletion too
    document.mbo_sheets[0].objectives[-1].weight = -5.0  # no validation on assignment
    with pytest.raises(IntegrityError, match="ck_mbo_objectives_weight_positive"):
        import_document(sessions, document, loaded, source="changed.yaml", workspace="acme")

    assert row_counts(sessions) == counts
    assert export_text(sessions) == exported
