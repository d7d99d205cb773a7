"""The expression language: grammar, precedence, errors with positions, no eval."""

from __future__ import annotations

import ibis
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kano.metrics.expression_ibis import compile_text
from kano.metrics.expressions import (
    Between,
    Binary,
    Call,
    Column,
    ExpressionError,
    InList,
    IsNull,
    Literal,
    Node,
    Unary,
    column_names,
    parse_expression,
)

TABLE = ibis.table({"amount": "float64", "nps": "int16", "channel": "string",
                    "paid": "boolean"}, name="t")  # fmt: skip


def test_precedence_and_associativity() -> None:
    tree = strip_positions(parse_expression("a + b * c - d / 2 > 3 and not x = 'y' or z is null"))
    assert tree == Binary(
        "or",
        Binary(
            "and",
            Binary(">", Binary("-", Binary("+", Column("a", 0), Binary("*", Column("b", 0),
                   Column("c", 0))), Binary("/", Column("d", 0), Literal(2))), Literal(3)),
            Unary("not", Binary("==", Column("x", 0), Literal("y"))),
        ),
        IsNull(Column("z", 0), negated=False),
    )  # fmt: skip


def test_lists_between_functions_and_literals() -> None:
    assert strip_positions(parse_expression("channel not in ('web', \"it''s\", -2)")) == InList(
        Column("channel", 0), (Literal("web"), Literal("it''s"), Literal(-2)), negated=True
    )
    assert strip_positions(parse_expression("x between 1 and 2.5e1")) == Between(
        Column("x", 0), Literal(1), Literal(25.0)
    )
    assert strip_positions(parse_expression("COALESCE(a, 0) <> abs(-b)")) == Binary(
        "!=", Call("coalesce", (Column("a", 0), Literal(0))),
        Call("abs", (Unary("-", Column("b", 0)),)),
    )  # fmt: skip
    assert parse_expression("'it''s'") == Literal("it's")
    assert column_names(parse_expression("a > b and c in (1) or d is not null")) == {
        "a", "b", "c", "d",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ("", "empty expression", 1),
        ("amount >", "expected a value before the end", 9),
        ("amount = null", "using 'is null'", 10),
        ("amount ; 1", "unexpected character ';'", 8),
        ("__import__('os')", "unknown function '__import__'", 1),
        ("abs(1, 2)", "abs() takes 1 arguments", 1),
        ("(a > 1", "expected ')'", 7),
        ("a not b", "expected 'in' after 'not'", 3),
        ("a in (b)", "only literal", 7),  # at the item, not past it
        ("a b", "unexpected 'b' after a complete condition", 3),
        # what people type from other languages, with what to write instead
        ("channel = 'web", "the quote opened here is not closed", 11),
        ("amount => 3", "'=>' is not an operator here; write >=", 8),
        ("amount === 3", "'===' is not an operator here; write =", 8),
        ("a = 1 && b = 2", "'&&' is not an operator here; write 'and'", 7),
        ("a = 1 | b = 2", "'|' is not an operator here; write 'or'", 7),
        ("! paid", "'!' is not an operator here; write 'not'", 1),
        ("amount >= > 3", "expected a value (a name, a number or 'text'), found '>'", 11),
        ("a = 1)", "this ')' closes no '('", 6),
    ],
)
def test_errors_say_what_and_where(text: str, message: str, column: int) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse_expression(text)
    assert message in str(caught.value)
    assert f"at column {column} " in str(caught.value)


def test_compiling_checks_names_and_types() -> None:
    assert compile_text("amount / 2 > 10 and channel in ('web')", TABLE).type().is_boolean()
    with pytest.raises(ExpressionError, match="unknown name 'amout'"):
        compile_text("amout > 1", TABLE)
    with pytest.raises(ExpressionError, match="types do not fit"):
        compile_text("channel > 3", TABLE)
    with pytest.raises(ExpressionError, match="need conditions"):
        compile_text("amount and paid", TABLE)


NAMES = st.sampled_from(["a", "b", "value", "x1"])
LEAVES = st.one_of(
    NAMES.map(lambda name: Column(name, 0)),
    st.integers(0, 10**6).map(Literal),
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=8).map(Literal),
)


def _trees(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    return st.one_of(
        st.tuples(
            st.sampled_from(["+", "-", "*", "/", "==", "<", ">=", "and", "or"]), children, children
        ).map(lambda t: Binary(*t)),
        children.map(lambda c: Unary("not", c)),
        st.tuples(children, st.booleans()).map(lambda t: IsNull(*t)),
    )


def render(node: Node) -> str:
    """Fully parenthesised text of a tree."""
    match node:
        case Column(name=name):
            return name
        case Literal(value=str() as text):
            return "'" + text.replace("'", "''") + "'"
        case Literal(value=value):
            return str(value)
        case Binary(op=op, left=left, right=right):
            return f"({render(left)} {op} {render(right)})"
        case Unary(op=op, operand=operand):
            return f"({op} {render(operand)})"
        case IsNull(operand=operand, negated=negated):
            return f"({render(operand)} is {'not ' if negated else ''}null)"
    raise AssertionError(node)


def strip_positions(node: Node) -> Node:
    match node:
        case Column(name=name):
            return Column(name, 0)
        case Binary(op=op, left=left, right=right):
            return Binary(op, strip_positions(left), strip_positions(right))
        case Unary(op=op, operand=operand):
            return Unary(op, strip_positions(operand))
        case IsNull(operand=operand, negated=negated):
            return IsNull(strip_positions(operand), negated)
        case InList(operand=operand, items=items, negated=negated):
            return InList(strip_positions(operand), items, negated)
        case Between(operand=operand, low=low, high=high):
            return Between(strip_positions(operand), strip_positions(low), strip_positions(high))
        case Call(function=function, args=args):
            return Call(function, tuple(strip_positions(arg) for arg in args))
    return node


@given(st.recursive(LEAVES, _trees, max_leaves=12))
def test_any_rendered_tree_parses_back_to_itself(tree: Node) -> None:
    assert strip_positions(parse_expression(render(tree))) == tree
