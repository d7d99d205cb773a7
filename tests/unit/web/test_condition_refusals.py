"""The metric explorer's extra condition: every refusal of the parser and the compiler
reads in the reader's language and says where and what to fix (problem_texts).

The explorer shows ``InvalidInput("where", str(ExpressionError))``: the parser's English
words followed by "at column N of '…'". Before, Russian and Hungarian readers got the
general "check the value" for all of them. The cases below raise from every ``raise`` of
:mod:`kano.metrics.expressions` and :mod:`kano.metrics.expression_ibis` (checked by
reading both with ``ast``), so a new parser message without a translated shape fails here.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import ibis
import pytest

from kano.adapters.web.i18n import load_translations
from kano.adapters.web.problem_texts import PATTERNS, UNKNOWN_SHAPE, problem_text
from kano.metrics import expression_ibis, expressions
from kano.metrics.expression_ibis import (
    ANY_SEGMENT,
    compile_condition,
    segment_member_column,
)
from kano.metrics.expressions import ExpressionError

TRANSLATIONS = {language: load_translations(language) for language in ("en", "ru", "hu")}
TABLE = ibis.table({"amount": "float64", "nps": "int16", "channel": "string",
                    "paid": "boolean"}, name="t")  # fmt: skip
# A fact table not sliced by segment: ``segment`` is the customer's set of memberships.
SEGMENT_TABLE = ibis.table({"amount": "float64", ANY_SEGMENT: "int64",
                            segment_member_column("north"): "int64"}, name="f")  # fmt: skip

# condition → what the Russian and the Hungarian reader are told (a part of it)
CASES: dict[str, tuple[str, str]] = {
    "": ("Напишите условие или оставьте поле пустым", "vagy hagyja üresen a mezőt"),
    "channel = 'web": ("Закройте кавычку, открытую в позиции 11",
                       "Zárja be a(z) 11. karakternél nyitott idézőjelet"),
    "amount => 3": ("Позиция 8: '=>' здесь не оператор; напишите >=",
                    "8. karakter: a(z) '=>' itt nem műveleti jel; írja így: >="),
    "paid && amount > 3": ("Позиция 6: '&&' здесь не оператор; напишите 'and'",
                           "írja így: 'and'"),
    "amount ; 1": ("Позиция 8: символ ';' нельзя использовать в условии",
                   "8. karakter: a(z) ';' jel nem használható"),
    "(amount > 1": ("В конце условия не хватает ')'", "hiányzik ez: ')'"),
    "amount between 1 or 3": ("Позиция 18: здесь нужно 'and', а не 'or'",
                              "18. karakter: ide 'and' kell, nem 'or'"),
    "amount > 1)": ("Позиция 11: эта ')' не закрывает ни одной '('", "11. karakter: ez a ')'"),
    "amount 3": ("Позиция 8: '3' не продолжает то, что стоит перед ним",
                 "nem hiányzik egy műveleti jel"),
    "amount >": ("Условие обрывается", "A feltétel túl korán véget ér"),
    "amount >= > 3": ("Позиция 11: здесь должно быть значение", "11. karakter: ide érték"),
    "amount not 3": ("Позиция 8: напишите 'not in (…)'", "8. karakter: írja így: 'not in (…)'"),
    "nps in (1, amount)": ("Позиция 12: список в (…) может содержать только числа",
                           "12. karakter: a (…) lista csak számokat"),
    "nps in (-'a')": ("Позиция 9: знак минус может стоять только перед числом",
                      "mínuszjel csak szám előtt"),
    "channel = null": ("Позиция 11: сравнение с null пишется как 'is null'",
                       "11. karakter: a null értékkel"),
    "floor(amount) > 1": ("Позиция 1: 'floor' — не функция; используйте одну из: abs, coalesce",
                          "a(z) 'floor' nem függvény; használja ezek egyikét: abs, coalesce"),
    "abs(amount, 2) > 1": ("Позиция 1: число значений в abs(): 1",
                           "a(z) abs() ennyi értéket vár: 1"),
    "coalesce(amount) > 1": ("Позиция 1: coalesce() принимает два значения или больше",
                             "kettő vagy több értéket vár"),
    "amout > 1": ("Позиция 1: имя 'amout' этой метрике неизвестно; используйте одно из: "
                  "amount, channel, nps, paid",
                  "a(z) 'amout' nevet ez a mutató nem ismeri; használja ezek egyikét: "
                  "amount, channel, nps, paid"),
    "channel > 3": ("Типы не сочетаются", "A típusok nem illenek össze"),
    "amount + 3": ("Напишите условие, которое истинно или ложно", "amely igaz vagy hamis"),
    "amount and paid": ("Для 'and', 'or' и 'not' нужны условия",
                        "mindkét oldalán feltétel"),
    "segment in (1, 2)": ("Позиция 1: сегменты называются по ключам в кавычках",
                          "1. karakter: a szegmenseket a kulcsukkal"),
    "coalesce(segment, 'x') = 'x'": ("Позиция 10: клиент может входить в несколько сегментов",
                                     "10. karakter: egy ügyfél több szegmensben is lehet"),
}


def _refused(condition: str) -> ExpressionError:
    with pytest.raises(ExpressionError) as caught:
        compile_condition(condition, SEGMENT_TABLE if "segment" in condition else TABLE)
    return caught.value


def _raised_at(error: ExpressionError) -> tuple[str, int]:
    """The module and line of the ``raise`` the error came from (the deepest frame)."""
    traceback = error.__traceback__
    assert traceback is not None
    while traceback.tb_next is not None:
        traceback = traceback.tb_next
    return Path(traceback.tb_frame.f_code.co_filename).name, traceback.tb_lineno


def _raise_sites() -> set[tuple[str, int]]:
    """Every ``raise`` of an ExpressionError in the parser and the compiler, by line."""
    sites = set()
    for module in (expressions, expression_ibis):
        source = inspect.getsource(module)
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                continue
            called = ast.unparse(node.exc.func)
            if called in {"ExpressionError", "self._fail"} and \
                    "pragma: no cover" not in lines[node.lineno - 1]:
                sites.add((Path(inspect.getfile(module)).name, node.lineno))
    return sites


def test_the_cases_raise_from_every_place_the_parser_and_compiler_refuse() -> None:
    raised = {_raised_at(_refused(condition)) for condition in CASES}
    assert len(_raise_sites()) > 15, "the scan found almost nothing"
    assert _raise_sites() - raised == set()


def test_every_condition_pattern_is_met_by_a_case() -> None:
    """Each translated shape of a condition's refusal is one the parser really says."""
    shapes = {text for pattern, text in PATTERNS if " at column " in pattern.pattern}
    met = {text for condition in CASES for pattern, text in PATTERNS
           if pattern.match(str(_refused(condition)))}
    assert len(shapes) > 15 and shapes - met == set()


@pytest.mark.parametrize("condition", list(CASES))
def test_a_refused_condition_says_where_and_what_to_fix_in_the_readers_language(
    condition: str,
) -> None:
    message = str(_refused(condition))
    shapes = {text for pattern, text in PATTERNS if pattern.match(message)}
    assert len(shapes) == 1, f"{message!r} reads as {sorted(shapes)}"
    for language, expected in zip(("ru", "hu"), CASES[condition], strict=True):
        gettext = TRANSLATIONS[language].gettext
        text = problem_text(message, gettext, language)
        assert expected in text, text
        assert text != gettext(UNKNOWN_SHAPE)
        # none of the parser's English words is left (the condition's own words may be)
        assert not re.search(r"\b(expected|unexpected|unknown|column|known|found|write)\b",
                             text), text
    english = problem_text(message, TRANSLATIONS["en"].gettext, "en")
    assert " of '" not in english and ' of "' not in english  # the field shows the text
