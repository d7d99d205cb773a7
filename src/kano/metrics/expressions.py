"""A small, safe expression language for metric conditions, values and filters.

Custom metrics (and the built-in ones) say things like ``csat >= 4``,
``measure = 'delivery_delay_days' and value <= 0`` or ``amount - margin``. Such text comes
from users' YAML files, so it is never given to ``eval``: a hand-written tokenizer and
recursive-descent parser turn it into a tiny syntax tree, which
:mod:`kano.metrics.expression_ibis` then compiles to an Ibis expression. The tree can only
name columns, literals, arithmetic, comparisons, boolean logic, ``in (…)``, ``between``,
``is [not] null`` and two functions (``abs``, ``coalesce``) — nothing that can reach
Python objects or run SQL of the user's choosing.

Grammar (lowest precedence first)::

    expr       := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | comparison
    comparison := sum [ op sum | ["not"] "in" "(" literal ("," literal)* ")"
                      | "is" ["not"] "null" | "between" sum "and" sum ]
    sum        := product (("+" | "-") product)*
    product    := unary (("*" | "/") unary)*
    unary      := "-" unary | primary
    primary    := NUMBER | STRING | "true" | "false" | NAME | NAME "(" args ")" | "(" expr ")"
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kano.domain.shared.errors import KanoError

COMPARISONS = {
    "=": "==",
    "==": "==",
    "!=": "!=",
    "<>": "!=",
    "<": "<",
    "<=": "<=",
    ">": ">",
    ">=": ">=",
}
FUNCTIONS = {"abs": 1, "coalesce": None}  # name → number of arguments (None: two or more)
OPERATORS = "=, !=, <, <=, >, >="
# Operators of other languages that people type, with what this one writes instead.
# The hints are the language's own words only: pages translate the sentence around them.
_OTHER_OPERATORS = {"!": "'not'", "&": "'and'", "|": "'or'", "=>": ">=", "=<": "<=",
                    "!!": "'not'", "&&": "'and'", "||": "'or'", "===": "="}  # fmt: skip
KEYWORDS = {"and", "or", "not", "in", "is", "null", "true", "false", "between"}

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
  | (?P<string>'(?:[^']|'')*'|"(?:[^"]|"")*")
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op><=|>=|<>|!=|==|[=<>+\-*/(),])
    """,
    re.VERBOSE,
)


class ExpressionError(KanoError):
    """A syntax or name error at ``position`` (0-based character offset) of the text."""

    def __init__(self, text: str, position: int, message: str) -> None:
        super().__init__(f"{message} at column {position + 1} of {text!r}")
        self.text = text
        self.position = position
        self.message = message


@dataclass(frozen=True)
class Token:
    kind: str  # number | string | name | keyword | op | end
    text: str
    position: int


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match:
            raise ExpressionError(text, position, _bad_character(text, position))
        kind = match.lastgroup or ""
        word = match.group()
        if kind == "name" and word.lower() in KEYWORDS:
            kind, word = "keyword", word.lower()
        if kind != "space":
            tokens.append(Token(kind, word, position))
        position = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


def _bad_character(text: str, position: int) -> str:
    """Why the character at ``position`` starts no token, saying what to write instead."""
    character = text[position]
    if character in "'\"":
        return "the quote opened here is not closed"
    typed = text[position:position + 2] if text[position:position + 2] in _OTHER_OPERATORS \
        else character
    if typed in _OTHER_OPERATORS:
        return f"{typed!r} is not an operator here; write {_OTHER_OPERATORS[typed]}"
    return f"unexpected character {character!r}"


# --- syntax tree -------------------------------------------------------------------------


@dataclass(frozen=True)
class Literal:
    value: int | float | str | bool


@dataclass(frozen=True)
class Column:
    name: str
    position: int


@dataclass(frozen=True)
class Unary:
    op: str  # "-" | "not"
    operand: Node


@dataclass(frozen=True)
class Binary:
    op: str  # + - * / == != < <= > >= and or
    left: Node
    right: Node


@dataclass(frozen=True)
class InList:
    operand: Node
    items: tuple[Literal, ...]
    negated: bool


@dataclass(frozen=True)
class IsNull:
    operand: Node
    negated: bool


@dataclass(frozen=True)
class Between:
    operand: Node
    low: Node
    high: Node


@dataclass(frozen=True)
class Call:
    function: str
    args: tuple[Node, ...]


Node = Literal | Column | Unary | Binary | InList | IsNull | Between | Call


def column_names(node: Node) -> set[str]:
    """Every column an expression reads (to know which dimensions to join)."""
    match node:
        case Column(name=name):
            return {name}
        case Literal():
            return set()
        case Unary(operand=operand) | IsNull(operand=operand) | InList(operand=operand):
            return column_names(operand)
        case Binary(left=left, right=right):
            return column_names(left) | column_names(right)
        case Between(operand=operand, low=low, high=high):
            return column_names(operand) | column_names(low) | column_names(high)
        case Call(args=args):
            return set().union(*(column_names(arg) for arg in args))
    raise TypeError(node)  # pragma: no cover - the match is exhaustive


# --- parser ------------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def _fail(self, message: str, token: Token | None = None) -> ExpressionError:
        token = token or self.current
        return ExpressionError(self.text, token.position, message)

    def _accept(self, kind: str, text: str | None = None) -> Token | None:
        token = self.current
        if token.kind == kind and (text is None or token.text == text):
            self.index += 1
            return token
        return None

    def _expect(self, kind: str, text: str) -> Token:
        token = self._accept(kind, text)
        if token is None:
            if self.current.kind == "end":
                raise self._fail(f"expected {text!r} before the end")
            raise self._fail(f"expected {text!r}, found {self.current.text!r}")
        return token

    def parse(self) -> Node:
        if self.current.kind == "end":
            raise self._fail("empty expression")
        node = self._or()
        if self.current.text == ")":
            raise self._fail("this ')' closes no '('")
        if self.current.kind != "end":
            raise self._fail(f"unexpected {self.current.text!r} after a complete condition")
        return node

    def _or(self) -> Node:
        node = self._and()
        while self._accept("keyword", "or"):
            node = Binary("or", node, self._and())
        return node

    def _and(self) -> Node:
        node = self._not()
        while self._accept("keyword", "and"):
            node = Binary("and", node, self._not())
        return node

    def _not(self) -> Node:
        if self._accept("keyword", "not"):
            return Unary("not", self._not())
        return self._comparison()

    def _comparison(self) -> Node:
        left = self._sum()
        token = self.current
        if token.kind == "op" and token.text in COMPARISONS:
            self.index += 1
            return Binary(COMPARISONS[token.text], left, self._sum())
        if self._accept("keyword", "is"):
            negated = self._accept("keyword", "not") is not None
            self._expect("keyword", "null")
            return IsNull(left, negated)
        if self._accept("keyword", "between"):
            low = self._sum()
            self._expect("keyword", "and")
            return Between(left, low, self._sum())
        negated = False
        if token.kind == "keyword" and token.text == "not":
            if self.tokens[self.index + 1].text != "in":
                raise self._fail("expected 'in' after 'not'")
            self.index += 1
            negated = True
        if self._accept("keyword", "in"):
            return InList(left, self._literal_list(), negated)
        return left

    def _literal_list(self) -> tuple[Literal, ...]:
        self._expect("op", "(")
        items = [self._literal()]
        while self._accept("op", ","):
            items.append(self._literal())
        self._expect("op", ")")
        return tuple(items)

    def _literal(self) -> Literal:
        minus = self._accept("op", "-")
        start = self.current  # the refusals point at the item, not past it
        node = self._primary()
        if not isinstance(node, Literal):
            raise self._fail("a list may hold only literal numbers or strings", start)
        if minus is not None:
            if isinstance(node.value, str | bool):
                raise self._fail("only a number can be negative", minus)
            return Literal(-node.value)
        return node

    def _sum(self) -> Node:
        node = self._product()
        while self.current.kind == "op" and self.current.text in "+-":
            op = self.current.text
            self.index += 1
            node = Binary(op, node, self._product())
        return node

    def _product(self) -> Node:
        node = self._unary()
        while self.current.kind == "op" and self.current.text in "*/":
            op = self.current.text
            self.index += 1
            node = Binary(op, node, self._unary())
        return node

    def _unary(self) -> Node:
        if self._accept("op", "-"):
            return Unary("-", self._unary())
        return self._primary()

    def _primary(self) -> Node:
        token = self.current
        self.index += 1
        if token.kind == "number":
            is_float = any(c in token.text for c in ".eE")
            return Literal(float(token.text) if is_float else int(token.text))
        if token.kind == "string":
            quote = token.text[0]
            return Literal(token.text[1:-1].replace(quote * 2, quote))
        if token.kind == "keyword" and token.text in {"true", "false"}:
            return Literal(token.text == "true")
        if token.kind == "name":
            if self._accept("op", "("):
                return self._call(token)
            return Column(token.text, token.position)
        if token.kind == "op" and token.text == "(":
            node = self._or()
            self._expect("op", ")")
            return node
        if token.kind == "keyword" and token.text == "null":
            raise self._fail("compare with null using 'is null' or 'is not null'", token)
        if token.kind == "end":
            raise self._fail("expected a value before the end", token)
        previous = self.tokens[self.index - 2] if self.index >= 2 else None
        if (token.kind == "op" and previous is not None and previous.kind == "op"
                and previous.position + len(previous.text) == token.position):
            typed = previous.text + token.text  # "=>", "=<", "===": one operator misspelt
            hint = _OTHER_OPERATORS.get(typed, f"one of {OPERATORS}")
            raise self._fail(f"{typed!r} is not an operator here; write {hint}", previous)
        raise self._fail(f"expected a value (a name, a number or 'text'), found {token.text!r}",
                         token)

    def _call(self, name: Token) -> Call:
        function = name.text.lower()
        if function not in FUNCTIONS:
            known = ", ".join(sorted(FUNCTIONS))
            raise self._fail(f"unknown function {name.text!r} (known: {known})", name)
        args: list[Node] = []
        if not self._accept("op", ")"):
            args.append(self._or())
            while self._accept("op", ","):
                args.append(self._or())
            self._expect("op", ")")
        arity = FUNCTIONS[function]
        if (arity is not None and len(args) != arity) or (arity is None and len(args) < 2):
            wanted = str(arity) if arity is not None else "two or more"
            raise self._fail(f"{function}() takes {wanted} arguments", name)
        return Call(function, tuple(args))


def parse_expression(text: str) -> Node:
    """Parse ``text`` or raise :class:`ExpressionError` saying where and why."""
    return _Parser(text).parse()
