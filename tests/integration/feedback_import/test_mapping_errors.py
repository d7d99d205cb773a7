"""A wrong mapping is refused before any row is read, naming the YAML field and its line
(or the command-line option it came from)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kano.adapters.importers.feedback_file import MappingInvalid, load_mapping, prepare
from kano.adapters.importers.feedback_file.mapping import preset_names
from kano.domain.shared.errors import InvalidInput
from tests.integration.feedback_import.conftest import SAMPLES


def mapping_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "map.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_preset_is_shipped_and_valid() -> None:
    assert preset_names() == ["formbricks", "google_forms", "limesurvey", "qualtrics",
                              "surveymonkey"]  # fmt: skip
    for name in preset_names():
        assert load_mapping(preset=name, questions=["nps=Q1"]).mapping.preset == name


def test_schema_errors_name_the_field_and_line(tmp_path: Path) -> None:
    path = mapping_file(
        tmp_path,
        "survey: after-delivery\n"
        "header_rows: 2\n"
        "names_row: 1\n"
        "colums:\n"
        "  customer_email: Email\n"
        "questions:\n"
        "  nps: Q1\n"
        "  effort: Q2\n"
        "values:\n"
        "  nps: {Extremely likely: ten}\n"
        "timezone: Mars/Olympus\n",
    )
    with pytest.raises(MappingInvalid) as raised:
        load_mapping(path)
    text = str(raised.value)
    assert f"{path}:4: colums: Extra inputs are not permitted" in text
    assert f"{path}:8: questions.effort" in text
    assert f"{path}:10: values.nps.Extremely likely" in text
    assert f"{path}:11: timezone: unknown time zone 'Mars/Olympus'" in text


def test_a_column_missing_from_the_file_names_its_field_and_line(tmp_path: Path) -> None:
    path = mapping_file(
        tmp_path,
        "preset: limesurvey\nsurvey: after-delivery\nquestions:\n  nps: NPS\n  csat: Q9\n",
    )
    with pytest.raises(MappingInvalid) as raised:
        prepare(SAMPLES / "limesurvey.csv", load_mapping(path))
    assert f"{path}:5: questions.csat: no column 'Q9' in the file; it has 'id'" in str(
        raised.value
    )
    with pytest.raises(MappingInvalid) as raised:
        prepare(
            SAMPLES / "limesurvey.csv",
            load_mapping(preset="limesurvey", questions=["nps=Nope"], survey="x"),
        )
    assert "--question nps: no column 'Nope' in the file" in str(raised.value)
    named = mapping_file(
        tmp_path, "preset: limesurvey\nquestions: {nps: NPS}\ncolumns:\n  customer_email: Mail\n"
    )
    with pytest.raises(MappingInvalid, match=r"map\.yaml:4: columns\.customer_email: no column"):
        prepare(SAMPLES / "limesurvey.csv", load_mapping(named))


def test_command_line_mistakes_name_the_option(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="--question: 'nps': write QUESTION=COLUMN"):
        load_mapping(preset="qualtrics", questions=["nps"])
    with pytest.raises(InvalidInput, match="--question: 'loyalty' is not one of nps"):
        load_mapping(preset="qualtrics", questions=["loyalty=Q1"])
    with pytest.raises(InvalidInput, match="--preset: no preset 'typeform'"):
        load_mapping(preset="typeform", questions=["nps=Q1"])
    with pytest.raises(MappingInvalid, match=r"map\.yaml:1: preset: no preset 'typeform'"):
        load_mapping(mapping_file(tmp_path, "preset: typeform\nquestions: {nps: Q1}\n"))
    with pytest.raises(MappingInvalid, match="questions: map at least one question"):
        load_mapping(preset="qualtrics")
    with pytest.raises(MappingInvalid, match=r"map\.yaml:4: YAML: mapping values are not"):
        load_mapping(mapping_file(tmp_path, "survey: x\nquestions:\n  nps: Q1\n    csat: Q2\n"))


@pytest.mark.parametrize(
    "text",
    ["2026-03-02 09:05:44", "2026-3-2 9:05:44", "2026-02-30 10:00:00", "2026-03-02T09:05:44"],
)
def test_fast_date_path_reads_exactly_what_strptime_reads(text: str) -> None:
    from datetime import datetime

    from kano.adapters.importers.feedback_file.rows import time_parser

    parse = time_parser(["%Y-%m-%d %H:%M:%S"], "UTC")
    try:
        expected: object = datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        expected = ValueError
    try:
        got: object = parse(text)
    except ValueError:
        got = ValueError
    assert got == expected
    budapest = time_parser(["%Y-%m-%d %H:%M:%S"], "Europe/Budapest")
    assert budapest("2026-07-01 12:00:00") == datetime(2026, 7, 1, 10, 0)


def test_short_rows_read_their_missing_cells_as_blank(tmp_path: Path) -> None:
    from kano.adapters.importers.feedback_file.readers import read_table
    from kano.adapters.importers.feedback_file.rows import parse_rows, plan_for

    path = tmp_path / "export.csv"
    path.write_text("Timestamp,Score,Why\n3/2/2026 9:05:44,9\n3/2/2026 9:06:00,4,Slow\n")
    loaded = load_mapping(
        preset="google_forms", questions=["nps=Score", "comment=Why"], survey="s"
    )
    table = read_table(path, loaded.mapping)
    parsed, errors, blank = parse_rows(table, plan_for(table, loaded))
    assert (errors, blank) == ([], 0)
    assert [(p.row, p.submission.answers.nps, p.submission.answers.comment) for p in parsed] == [
        (2, 9, None),
        (3, 4, "Slow"),
    ]
