"""Compile a parsed metric expression (:mod:`kano.metrics.expressions`) to Ibis.

Names resolve against one table: the fact table of the metric joined with the
dimensions the expression mentions, so ``segment = 'smb'`` works on any fact that has a
customer. Type mistakes (``region > 3``) surface here as :class:`ExpressionError`.
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
