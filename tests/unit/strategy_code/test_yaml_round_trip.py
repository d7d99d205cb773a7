"""The YAML writer and reader agree on every document, without a database."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kano.adapters.strategy_code.importer import read_document
from kano.adapters.strategy_code.schema import document_dump
from kano.adapters.strategy_code.yaml_style import dump_yaml
from tests.unit.strategy_code.documents import ANY_FLOAT, TEXT, documents

PEOPLE = {
    "users": ("ceo@acme.example", "ana@acme.example"),
    "teams": ("sales",),
    "employees": ("E-1",),
}


@settings(max_examples=60, deadline=None)
@given(documents(**PEOPLE))
def test_written_document_reads_back_equal_and_rewrites_to_the_same_bytes(document) -> None:
    text = dump_yaml(document_dump(document))
    again, _lines = read_document(text, "generated.yaml")
    assert document_dump(again) == document_dump(document)
    assert dump_yaml(document_dump(again)) == text


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["a", "b"]), TEXT | ANY_FLOAT, min_size=1))
def test_texts_and_floats_survive_the_writer_exactly(data) -> None:
    import yaml

    assert yaml.safe_load(dump_yaml(data)) == data


def test_multi_line_text_is_written_as_a_block() -> None:
    text = dump_yaml({"description": "first line\nsecond line\n"})
    assert text == "description: |\n  first line\n  second line\n"


def test_floats_use_the_shortest_repr_and_keep_integral_floats_as_floats() -> None:
    assert dump_yaml({"a": 0.1, "b": 40.0, "c": 1e-05, "d": 1.5e300}) == (
        "a: 0.1\nb: 40.0\nc: 1.0e-05\nd: 1.5e+300\n"
    )
