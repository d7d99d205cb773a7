"""Errors found in single entries come back all at once, each with its line and path."""

from __future__ import annotations

import pytest

from kano.adapters.strategy_code.importer import read_document
from kano.adapters.strategy_code.source import DocumentError, StrategyFileInvalid, load_yaml

BROKEN = """\
format: kano-strategy/1
scorecards:
  - key: company
    name: Company
    perspectives:
      - key: financial
        name: Financial
        objectives:
          - key: grow
            title: Grow
            owner: not-an-email
            measures:
              - key: revenue
                name: Revenue
                direction: higher
                amber_from: 10
                green_from: 5
                target: 20
              - key: margin
                name: Margin
                direction: band
                band_low: 30
                band_high: 40
                tolerance: -1
              - key: bad key
                name: Cost
                direction: sideways
                wieght: 2
okr_cycles:
  - key: q1
    name: Q1
    starts_on: 2026-03-31
    ends_on: 2026-01-01
    objectives:
      - key: o
        title: O
        key_results:
          - key: kr
            title: No target
            kind: metric
            start: 1
            check_ins:
              - at: 2026-01-02 10:00:00
                confidence: 11
mbo_sheets:
  - key: ana
    employee: E-1
    period: 2026
    objectives:
      - {key: a, title: A, weight: 60}
      - {key: b, title: B, weight: 30}
"""


def _errors(text: str) -> list[DocumentError]:
    with pytest.raises(StrategyFileInvalid) as raised:
        read_document(text, "broken.yaml")
    return raised.value.errors


def test_every_entry_error_is_reported_with_its_line_and_path() -> None:
    """Including the rules of entries whose children are broken too (the cycle's dates,
    the key result's target), which pydantic alone would skip."""
    measures = "scorecards[0].perspectives[0].objectives[0].measures"
    found = {(error.line, error.path): error.message for error in _errors(BROKEN)}
    assert found == {
        (11, "scorecards[0].perspectives[0].objectives[0].owner"): "is not an e-mail address",
        (13, f"{measures}[0]"): (
            "thresholds: for 'higher' is better, need amber_from < green_from <= target "
            "(got 10.0, 5.0, 20.0)"
        ),
        (24, f"{measures}[1].tolerance"): "must be positive",
        (25, f"{measures}[2].key"): (
            "a key has 1–64 letters, digits, '-', '_' or '.', and starts with a letter or digit"
        ),
        (27, f"{measures}[2].direction"): "Input should be 'higher', 'lower' or 'band'",
        (28, f"{measures}[2].wieght"): "unknown field",
        (33, "okr_cycles[0].ends_on"): "is before starts_on",
        (38, "okr_cycles[0].objectives[0].key_results[0].target"): (
            "a metric key result needs a start and a target"
        ),
        (44, "okr_cycles[0].objectives[0].key_results[0].check_ins[0].confidence"): (
            "Input should be less than or equal to 10"
        ),
        (46, "mbo_sheets[0]"): "weights: add up to 90 %, they must add up to 100 % (add 10 points)",
    }


def test_errors_render_as_file_line_path_message_sorted_by_line() -> None:
    with pytest.raises(StrategyFileInvalid) as raised:
        read_document(BROKEN, "broken.yaml")
    lines = str(raised.value).splitlines()
    assert lines[0] == "10 errors in broken.yaml:"
    assert lines[1] == (
        "broken.yaml:11: scorecards[0].perspectives[0].objectives[0].owner: "
        "is not an e-mail address"
    )
    numbers = [int(line.split(":")[1]) for line in lines[1:]]
    assert numbers == sorted(numbers)


def test_yaml_syntax_error_names_its_line() -> None:
    errors = _errors("format: kano-strategy/1\nscorecards:\n  - key: [unclosed\n")
    assert len(errors) == 1 and errors[0].line == 4 and errors[0].message.startswith("YAML:")


def test_a_field_given_twice_is_an_error_not_a_silent_overwrite() -> None:
    errors = _errors("format: kano-strategy/1\nscorecards: []\nscorecards: []\n")
    assert errors == [
        DocumentError(
            3, "scorecards", "'scorecards' appears twice in this mapping (first at line 2)"
        )
    ]


def test_empty_file_and_missing_format_are_explained() -> None:
    assert _errors("") == [DocumentError(1, "", "the file is empty")]
    (missing,) = _errors("scorecards: []\n")
    assert missing.path == "format" and "format: kano-strategy/1" in missing.message


def test_line_of_a_missing_field_is_the_line_of_its_mapping() -> None:
    loaded = load_yaml("a:\n  - x: 1\n    y: 2\n", "f.yaml")
    assert loaded.line_of(("a", 0, "y")) == 3
    assert loaded.line_of(("a", 0, "z")) == 2
    assert loaded.line_of(("b",)) == 1


def test_offsets_in_check_in_times_are_converted_to_utc() -> None:
    text = """\
format: kano-strategy/1
okr_cycles:
  - key: q1
    name: Q1
    starts_on: 2026-01-01
    ends_on: 2026-03-31
    objectives:
      - key: o
        title: O
        key_results:
          - key: kr
            title: Done
            kind: yes_no
            check_ins:
              - {at: "2026-01-02T10:00:00+02:00", confidence: 5}
"""
    document, _ = read_document(text, "tz.yaml")
    check_in = document.okr_cycles[0].objectives[0].key_results[0].check_ins[0]
    assert check_in.at.isoformat() == "2026-01-02T08:00:00"


def test_an_empty_list_may_be_written_as_nothing() -> None:
    document, _ = read_document(
        "format: kano-strategy/1\nscorecards:\n  - key: a\n    name: A\n    links:\n", "f.yaml"
    )
    assert document.scorecards[0].links == []


def test_wrong_shapes_are_named_plainly() -> None:
    assert _errors("format: kano-strategy/1\nscorecards: 5\n") == [
        DocumentError(2, "scorecards", "should be a list")
    ]
    assert _errors("format: kano-strategy/1\nscorecards:\n  - just a string\n") == [
        DocumentError(3, "scorecards[0]", "should be a mapping of fields (name: value)")
    ]
    assert _errors("- 1\n") == [DocumentError(1, "", "should be a mapping of fields (name: value)")]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        # libyaml, which reads the files, says "found character that cannot start any
        # token", "did not find expected key" and "found undefined alias" here; the user
        # sees which character, token or alias.
        ("format: kano-strategy/1\nscorecards:\n  - key: @company\n", 3,
         "YAML: found character '@' that cannot start any token"),
        ("format: kano-strategy/1\nscorecards:\n  - key: a\n - key: b\n", 4,
         "YAML: expected <block end>, but found '<block sequence start>'"),
        ("format: kano-strategy/1\nscorecards: *cards\n", 2,
         "YAML: found undefined alias 'cards'"),
    ],
)
def test_yaml_syntax_errors_name_the_character_or_token_expected(
    text: str, line: int, message: str
) -> None:
    assert _errors(text) == [DocumentError(line, "", message)]


def test_the_fast_parser_reads_the_same_values_and_lines_as_the_pure_python_one() -> None:
    import yaml

    from kano.adapters.strategy_code import source

    text = BROKEN + "metrics: []\nnotes: |\n  two\n  lines\nwhen: 2026-01-31 10:00:00\n"
    fast = source._load(source._FAST_LOADER, text, "x.yaml")
    slow = source._load(yaml.SafeLoader, text, "x.yaml")
    assert source._FAST_LOADER is not yaml.SafeLoader  # the wheels ship libyaml
    assert (fast.data, fast.lines) == (slow.data, slow.lines)
    assert fast.line_of(("okr_cycles", 0, "key")) == 30


def test_a_date_that_does_not_exist_is_an_error_of_its_field_not_of_the_parser() -> None:
    """PyYAML reads 2026-02-30 as a date and fails without a line; the file's reader keeps
    it as text so that the model names the field (the fast and the pure-Python parser)."""
    from kano.adapters.strategy_code import source

    text = (
        "format: kano-strategy/1\nokr_cycles:\n  - key: q1\n    name: Q1\n"
        "    starts_on: 2026-02-30\n    ends_on: 2026-03-31\n"
    )
    assert _errors(text) == [
        DocumentError(5, "okr_cycles[0].starts_on",
                      "Input should be a valid date or datetime, day value is outside "
                      "expected range")
    ]
    for loader in (source._FAST_LOADER, source._PURE_LOADER):
        assert source._load(loader, text, "x.yaml").data["okr_cycles"][0]["starts_on"] == (
            "2026-02-30"
        )
