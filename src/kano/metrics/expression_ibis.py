"""Compile a parsed metric expression (:mod:`kano.metrics.expressions`) to Ibis.

Names resolve against one table: the fact table of the metric joined with the
dimensions the expression mentions, so ``segment = 'smb'`` works on any fact that has a
customer. Type mistakes (``region > 3``) surface here as :class:`ExpressionError`.

A customer can be in several segments at once, so where a question is not sliced by
segment, ``segment`` is a *set* per fact: :class:`kano.metrics.star.Star` gives the table
one membership count per segment key the conditions name (:func:`segment_member_column`,
plus :data:`ANY_SEGMENT` for ``is null``) instead of a row per membership, and
``segment = 'x'`` / ``!= 'x'`` / ``in (…)`` / ``not in (…)`` / ``is [not] null`` test
membership. Each fact is then counted once: ``segment != 'x'`` keeps the facts of every
customer who is not in ``x`` now (an anti-join; a fact without a customer is in no
segment), however many other segments the customer is in.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import ibis
import ibis.expr.types as ir

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
    parse_expression,
)

_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "and": operator.and_,
    "or": operator.or_,
}


SEGMENT = "segment"
ANY_SEGMENT = "_in_any_segment"
"""The column counting the fact's customer's current memberships (null: none)."""


def segment_member_column(key: str) -> str:
    """The column counting the fact's customer's current memberships of segment ``key``
    (null or 0: not a member; hex-encoded, so that any key makes a plain column name on
    every engine)."""
    return "_in_segment_" + key.encode().hex()


def segment_tests(node: Node) -> set[str | None]:
    """The segment keys ``node`` tests membership of (None: any segment, ``is null``)."""
    match node:
        case Binary() if (comparison := _segment_comparison(node)):
            return {comparison[1]}
        case InList(operand=Column(name=name), items=items) if name == SEGMENT:
            return {item.value for item in items if isinstance(item.value, str)}
        case IsNull(operand=Column(name=name)) if name == SEGMENT:
            return {None}
        case Unary(operand=operand):
            return segment_tests(operand)
        case Binary(left=left, right=right):
            return segment_tests(left) | segment_tests(right)
        case InList(operand=operand) | IsNull(operand=operand):
            return segment_tests(operand)
        case Between(operand=operand, low=low, high=high):
            return segment_tests(operand) | segment_tests(low) | segment_tests(high)
        case Call(args=args):
            return set().union(*(segment_tests(arg) for arg in args))
    return set()


def _segment_comparison(node: Binary) -> tuple[str, str] | None:
    """``(op, key)`` of ``segment = 'key'``, ``'key' != segment`` …; None for other nodes."""
    if node.op not in {"==", "!="}:
        return None
    for one, other in ((node.left, node.right), (node.right, node.left)):
        if isinstance(one, Column) and one.name == SEGMENT and isinstance(other, Literal) \
                and isinstance(other.value, str):  # fmt: skip
            return node.op, other.value
    return None


def _member(table: ir.Table, column: str) -> ir.BooleanValue:
    """A membership column (a count, null for a customer in no segment) as true/false."""
    return table[column].fill_null(0) > 0


def _segment_is_a_set(table: ir.Table) -> bool:
    return SEGMENT not in table.columns and ANY_SEGMENT in table.columns


def _membership(node: Node, table: ir.Table, text: str) -> Any:
    """``node`` as a membership test when ``segment`` is a set (see the module text);
    None when ``node`` is no comparison of ``segment``."""
    match node:
        case Binary() if (comparison := _segment_comparison(node)):
            op, key = comparison
            member = _member(table, segment_member_column(key))
            return member if op == "==" else ~member
        case InList(operand=Column(name=name), items=items, negated=negated) if name == SEGMENT:
            if not all(isinstance(item.value, str) for item in items):
                raise ExpressionError(text, 0, "segments are named by their keys (text)")
            member = _member(table, segment_member_column(str(items[0].value)))
            for item in items[1:]:
                member = member | _member(table, segment_member_column(str(item.value)))
            return ~member if negated else member
        case IsNull(operand=Column(name=name), negated=negated) if name == SEGMENT:
            member = _member(table, ANY_SEGMENT)
            return member if negated else ~member
        case Column(name=name, position=position) if name == SEGMENT:
            raise ExpressionError(
                text, position,
                "a customer can be in several segments: compare segment only with "
                "= 'key', != 'key', in ('key', …), not in (…) or is [not] null",
            )  # fmt: skip
    return None


def to_ibis(node: Node, table: ir.Table, text: str = "") -> ir.Value:
    """The Ibis value of ``node`` over ``table``'s columns."""
    try:
        return _compile(node, table, text)
    except ExpressionError:
        raise
    except (TypeError, ValueError, AttributeError, ibis.common.exceptions.IbisError) as error:
        raise ExpressionError(text, 0, f"types do not fit together ({error})") from error


def compile_text(text: str, table: ir.Table) -> ir.Value:
    return to_ibis(parse_expression(text), table, text)


def compile_condition(text: str, table: ir.Table) -> ir.BooleanValue:
    """``text`` as a condition; anything else (``where=0``) is an error naming it, not
    an engine failure."""
    value = compile_text(text, table)
    if not isinstance(value, ir.BooleanValue):
        raise ExpressionError(text, 0, "this is not a condition (true or false)")
    return value


def _compile(node: Node, table: ir.Table, text: str) -> Any:
    if _segment_is_a_set(table):
        membership = _membership(node, table, text)
        if membership is not None:
            return membership
    match node:
        case Literal(value=value):
            return ibis.literal(value)
        case Column(name=name, position=position):
            if name not in table.columns:
                known = ", ".join(sorted(c for c in table.columns if not c.startswith("_")))
                raise ExpressionError(text, position, f"unknown name {name!r} (known: {known})")
            return table[name]
        case Unary(op="-", operand=operand):
            return -_compile(operand, table, text)
        case Unary(op="not", operand=operand):
            return ~_boolean(_compile(operand, table, text), text)
        case Binary(op=op, left=left, right=right):
            lhs, rhs = _compile(left, table, text), _compile(right, table, text)
            if op in {"and", "or"}:
                lhs, rhs = _boolean(lhs, text), _boolean(rhs, text)
            elif op == "/":
                # True division on every engine (SQLite and PostgreSQL divide ints as ints).
                lhs = lhs.cast("float64")
            return _BINARY[op](lhs, rhs)
        case InList(operand=operand, items=items, negated=negated):
            value = _compile(operand, table, text)
            members = [item.value for item in items]
            return value.notin(members) if negated else value.isin(members)
        case IsNull(operand=operand, negated=negated):
            value = _compile(operand, table, text)
            return value.notnull() if negated else value.isnull()
        case Between(operand=operand, low=low, high=high):
            value = _compile(operand, table, text)
            return value.between(_compile(low, table, text), _compile(high, table, text))
        case Call(function="abs", args=(argument,)):
            return _compile(argument, table, text).abs()
        case Call(function="coalesce", args=args):
            return ibis.coalesce(*(_compile(arg, table, text) for arg in args))
    raise ExpressionError(text, 0, f"cannot compile {node!r}")  # pragma: no cover


def _boolean(value: Any, text: str) -> Any:
    if not isinstance(value, ir.BooleanValue):
        raise ExpressionError(text, 0, "'and', 'or' and 'not' need conditions on both sides")
    return value
