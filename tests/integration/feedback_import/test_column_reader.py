"""The import's column-at-a-time reader (``columns.read_columns``) accepts the same rows,
with the same values and keys, and reports the same problems (row, column, words) as the
row-by-row reader it replaced (``rows.parse_rows``), on a file full of awkward cells."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kano.adapters.importers.feedback_file import load_mapping
from kano.adapters.importers.feedback_file.columns import ColumnReader, read_columns
from kano.adapters.importers.feedback_file.readers import Table
from kano.adapters.importers.feedback_file.rows import parse_rows, plan_for

MAPPING = """\
columns:
  response_id: Response
  customer_external_id: Customer
  customer_email: Email
  customer_name: Name
  submitted_at: Submitted
  language: Language
  touchpoint: Touchpoint
  survey: Survey
date_formats: ["%Y-%m-%d %H:%M:%S", "%d.%m.%Y"]
questions:
  nps: NPS
  csat: CSAT
  rating: Rating
  comment: Comment
values:
  csat: {Satisfied: 4, Very satisfied: 5}
"""
HEADER = ["Response", "Customer", "Email", "Name", "Submitted", "Language", "Touchpoint",
          "Survey", "NPS", "CSAT", "Rating", "Comment"]  # fmt: skip
GOOD = ["R1", "C1", "a@example.com", "Ann", "2026-01-02 03:04:05", "en", "call", "s", "9",
        "Satisfied", "4", "fine"]  # fmt: skip
# (column, awkward value): each replaces one cell of a good row
VARIANTS: list[tuple[int, Any]] = [
    (0, ""), (0, "R1"), (0, "  R2 "), (0, 7), (1, ""), (1, "X" * 65), (1, 12.0),
    (2, "not-an-email"), (2, ""), (2, "b@example.com"), (2, "x" * 320 + "@e.com"),
    (3, ""), (3, "N" * 300), (4, ""), (4, "31.02.2026"), (4, "02.03.2026"),
    (4, datetime(2026, 5, 6, 7, 8)), (4, "2026-13-01 00:00:00"), (5, "HU"), (5, "en-GB"),
    (5, "de"), (5, ""), (6, "nowhere"), (6, ""), (7, ""), (7, "other"), (7, "unknown"),
    (8, "11"), (8, "-1"), (8, "7.0"), (8, "7.5"), (8, ""), (8, "ten"), (8, 10), (8, True),
    (8, 3.0), (9, "very SATISFIED"), (9, "Meh"), (9, "6"), (9, ""), (10, "0"), (10, ""),
    (11, "  "), (11, "x" * 10_001), (11, "tab\there\nnew line \\ back"), (11, "nul\x00"),
]  # fmt: skip


def table_of(records: list[list[Any]]) -> Table:
    return Table.of([HEADER], records)


def both(tmp_path: Path, records: list[list[Any]]) -> tuple[Any, Any]:
    mapping = tmp_path / "map.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    loaded = load_mapping(mapping)
    table = table_of(records)
    plan = plan_for(table, loaded)
    touchpoints, surveys = {"call"}, {"s", "other"}
    parsed, errors, blank = parse_rows(table, plan, touchpoints, surveys)
    columns, column_errors, column_blank = read_columns(table, plan, touchpoints, surveys)
    rows = [
        (
            p.row, p.key, s.survey, s.channel, s.answers.nps, s.answers.csat, s.answers.ces,
            s.answers.rating, s.answers.comment, s.customer_email, s.customer_external_id,
            s.customer_name, s.submitted_at, s.language, s.touchpoint,
        )
        for p in parsed
        for s in [p.submission]
    ]  # fmt: skip
    b = columns.batch
    column_rows = list(
        zip(
            columns.rows, b.import_key or [], b.survey, b.channel, b.nps, b.csat, b.ces,
            b.rating, b.comment, b.customer_email, b.customer_external_id, b.customer_name,
            b.submitted_at, b.language, b.touchpoint, strict=True,
        )
    )  # fmt: skip
    return (rows, sorted(errors), blank), (column_rows, sorted(column_errors), column_blank)


def test_column_reader_reads_every_awkward_cell_as_the_row_reader_does(tmp_path: Path) -> None:
    records: list[list[Any]] = [list(GOOD), [], ["", None, ""], GOOD[:9], list(GOOD)]
    for number, (index, value) in enumerate(VARIANTS):
        record = [f"V{number}", *GOOD[1:]]  # a response id of its own
        record[index] = value
        records.append(record)
    records.append([None] * len(HEADER))
    records.append(["R9", "", "", "", "2026-01-02 03:04:05", "", "", "", "", "", "", ""])
    row_reader, column_reader = both(tmp_path, records)
    assert column_reader == row_reader
    rows, errors, blank = column_reader
    assert blank == 3 and len(rows) > 20 and len(errors) > 20


def test_without_response_ids_identical_rows_get_numbered_keys(tmp_path: Path) -> None:
    records = [["", *GOOD[1:]], ["", *GOOD[1:]], ["", *GOOD[1:8], "3", "", "", ""]]
    mapping = MAPPING.replace("  response_id: Response\n", "")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "map.yaml").write_text(mapping, encoding="utf-8")
    loaded = load_mapping(tmp_path / "sub" / "map.yaml")
    table = table_of(records)
    plan = plan_for(table, loaded)
    parsed, _, _ = parse_rows(table, plan)
    columns, errors, _ = read_columns(table, plan)
    assert errors == []
    assert columns.batch.import_key == [p.key for p in parsed]
    assert columns.batch.import_key[0].endswith(":0") and columns.batch.import_key[1].endswith(":1")


CELLS = st.sampled_from([value for _, value in VARIANTS] + GOOD + ["", None, "5", 5])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(CELLS, min_size=0, max_size=len(HEADER)), min_size=1, max_size=12))
def test_column_reader_agrees_with_the_row_reader_on_any_rows(
    tmp_path_factory: Any, records: list[list[Any]]
) -> None:
    row_reader, column_reader = both(tmp_path_factory.mktemp("rows"), records)
    assert column_reader == row_reader


def read_in_batches(table: Table, plan: Any, sizes: list[int]) -> tuple[Any, list[Any], int]:
    """``ColumnReader`` over the table's rows split into batches of ``sizes`` (cycled), its
    batches joined back together."""
    reader = ColumnReader(table, plan, {"call"}, {"s", "other"})
    rows, columns, errors, blank, start = [], {}, [], 0, 0
    all_rows = table.rows
    index = 0
    while start < len(all_rows):
        size = sizes[index % len(sizes)]
        parsed, batch_errors, batch_blank = reader.read(all_rows[start : start + size])
        rows += parsed.rows
        for name, values in vars(parsed.batch).items():
            columns.setdefault(name, []).extend(values or [])
        errors += batch_errors
        blank += batch_blank
        start, index = start + size, index + 1
    return (rows, columns), sorted(errors), blank


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(CELLS, min_size=0, max_size=len(HEADER)), min_size=1, max_size=14),
    st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=4),
    st.booleans(),
)
def test_any_split_into_batches_reads_as_one_batch(
    tmp_path_factory: Any, records: list[list[Any]], sizes: list[int], with_ids: bool
) -> None:
    """What the import does on PostgreSQL (a batch stored while the next is read): the
    duplicate response ids and the numbering of identical rows span batches."""
    # good rows repeated around the drawn ones: identical rows and ids in later batches
    records = [list(GOOD), *records, list(GOOD), ["R2", *GOOD[1:]], *records[:2], list(GOOD)]
    folder = tmp_path_factory.mktemp("batches")
    mapping = MAPPING if with_ids else MAPPING.replace("  response_id: Response\n", "")
    (folder / "map.yaml").write_text(mapping, encoding="utf-8")
    table = table_of(records)
    plan = plan_for(table, load_mapping(folder / "map.yaml"))
    whole, errors, blank = read_columns(table, plan, {"call"}, {"s", "other"})
    one_batch = (whole.rows, {n: v or [] for n, v in vars(whole.batch).items()})
    assert read_in_batches(table, plan, sizes) == (one_batch, sorted(errors), blank)
