"""Every refusal a form can show reads in the reader's language (problem_texts).

The domain refuses in English (``InvalidInput.message``, often with the user's value in
it); the pages show it through one template filter, ``refusal``. These tests read the
domain source the forms call with ``ast``, so a new message there without a Russian and a
Hungarian text fails here rather than reaching a Hungarian customer in English.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from kano.adapters.web.i18n import load_translations
from kano.adapters.web.metric_explorer import SLICE_LABELS
from kano.adapters.web.problem_texts import PATTERNS, UNKNOWN_SHAPE, problem_text
from kano.adapters.web.templating import TEMPLATE_DIR, Templates

PACKAGE = Path(__file__).resolve().parents[3] / "src" / "kano"
TRANSLATIONS = {language: load_translations(language) for language in ("en", "ru", "hu")}

# The modules whose refusals each form shows verbatim, and in surveys.py only the answer
# checks (the survey editor and the strategy, OKR and customer forms show texts of their
# own, chosen by field: see test_page_texts_pass_as_their_translation).
FORM_SOURCES: dict[str, tuple[str, ...] | None] = {
    # journey map: the period and segment, handing a pain point on
    "adapters/web/routes/journeys.py": None,
    "analytics/journeys/inputs.py": None,
    "adapters/db/journey_store.py": None,
    # metric explorer and CX overview
    "adapters/web/routes/metrics.py": None,
    "adapters/web/cx_overview.py": None,
    "adapters/warehouse/reading.py": None,
    "metrics/request.py": None,
    "metrics/star.py": None,
    "metrics/compute.py": None,
    "metrics/binding.py": None,
    # public survey page and staff entry: the answers, then the intake
    "domain/feedback/surveys.py": ("answers_to", "_score"),
    "domain/feedback/answers.py": None,
    "adapters/db/feedback_intake.py": None,
    "adapters/db/survey_store.py": None,
    # pilot and requirement forms
    "domain/pilots/model.py": None,
    "domain/feedback/requirements.py": None,
    "adapters/db/pilots.py": None,
    "adapters/db/requirements_store.py": None,
}
# Messages that are not the code's own words: a parser's text (the extra condition of the
# explorer: its shapes are tested in test_condition_refusals.py) or a message passed on
# unchanged. Those of no known shape read as the unknown shape in Russian and Hungarian; a
# new entry here is a decision, not an accident.
PASSED_ON = {
    ("adapters/warehouse/reading.py", "str(error)"),
    ("adapters/warehouse/reading.py", "message"),
    ("adapters/web/cx_overview.py", "message"),
    ("metrics/star.py", "str(error)"),
    ("metrics/compute.py", "str(error)"),
    ("domain/pilots/model.py", "required"),
    ("domain/pilots/model.py", "error.message"),
}


def _sample(value: ast.FormattedValue) -> str:
    """What a placeholder of an f-string gives at run time, roughly."""
    source = ast.unparse(value.value)
    if value.conversion == ord("r"):
        return "'north'"
    if value.format_spec is not None:
        return "2,000"
    if "join" in source:
        return "month, segment"
    if re.search(r"low|high|limit|LENGTH|MAX", source):
        return "10"
    if re.search(r"start|end|first|last|period|DAY", source):
        return "2025-03-01"
    if source == "kind":
        return "int64"
    return "north"


def _message(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            part.value if isinstance(part, ast.Constant) else _sample(part)  # type: ignore[arg-type]
            for part in node.values
        )
    return None


def _refusals(module: str, functions: tuple[str, ...] | None) -> Iterator[tuple[int, ast.expr]]:
    tree = ast.parse((PACKAGE / module).read_text(encoding="utf-8"))
    scopes: list[ast.AST] = [tree] if functions is None else [
        node for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name in functions
    ]
    assert scopes, f"{module}: no {functions}"
    for scope in scopes:
        for node in ast.walk(scope):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "InvalidInput" and len(node.args) == 2):
                message = node.args[1]
                texts = _texts_named(tree, message.id) if isinstance(message, ast.Name) else []
                for text in texts or [message]:  # message = f"…"; raise InvalidInput(…, message)
                    yield node.lineno, text


def _texts_named(tree: ast.AST, name: str) -> list[ast.expr]:
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Assign) and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name) and node.targets[0].id == name
            and _message(node.value) is not None]


def _all_refusals() -> list[tuple[str, int, ast.expr]]:
    return [(module, line, message) for module, functions in FORM_SOURCES.items()
            for line, message in _refusals(module, functions)]


def _pattern_text(message: str) -> str | None:
    return next((text for pattern, text in PATTERNS if pattern.match(message)), None)


def test_every_message_the_forms_can_show_has_a_russian_and_hungarian_text() -> None:
    literal = [(module, line, _message(node)) for module, line, node in _all_refusals()]
    assert len([m for m in literal if m[2]]) > 100, "the scan found almost nothing"
    problems = []
    for module, line, message in literal:
        if message is None:
            continue
        text = _pattern_text(message)
        if text is None:
            problems.append(f"{module}:{line}: no pattern for {message!r}")
            continue
        for language in ("ru", "hu"):
            if TRANSLATIONS[language].gettext(text) == text:
                problems.append(f"{module}:{line}: {text!r} has no {language} text")
    assert problems == []


def test_no_message_is_read_two_ways() -> None:
    """The first pattern that matches says it; a later one that matches too and says
    something else means the order hides a text ("'x' is not one of the choices" once read
    as the pilots' "… is not one of: the choices")."""
    ambiguous = []
    for module, line, node in _all_refusals():
        message = _message(node)
        texts = {text for pattern, text in PATTERNS if message and pattern.match(message)}
        if len(texts) > 1:
            ambiguous.append(f"{module}:{line}: {message!r} reads as {sorted(texts)}")
    assert ambiguous == []


def test_messages_that_are_not_the_codes_own_words_are_the_known_few() -> None:
    passed_on = {(module, ast.unparse(node)) for module, _line, node in _all_refusals()
                 if _message(node) is None}
    assert passed_on == PASSED_ON


@pytest.mark.parametrize(("message", "ru", "hu"), [
    ("'2025-13-01' is not a date (YYYY-MM-DD)",
     "'2025-13-01' — не дата", "'2025-13-01' nem dátum"),
    ("unknown segment 'martians'", "'martians' не сегмент", "'martians' nem szegmense"),
    ("segment: not available here; choose from month, segment",
     "segment: Этот фильтр здесь недоступен; выберите из: month, segment",
     "segment: Ez a szűrő itt nem érhető el; válasszon ezek közül: month, segment"),
    ("must be a whole number from 0 to 10", "Выберите одно число от 0 до 10.",
     "Válasszon egy számot 0 és 10 között."),
    ("is longer than 2,000 characters", "Не более 2000 символов.",
     "Legfeljebb 2000 karaktert írjon."),
])
def test_a_known_shape_reads_in_the_readers_language_with_the_users_value(
    message: str, ru: str, hu: str
) -> None:
    english = set(re.findall(r"[a-z]{3,}", message)) - {"martians", "month", "segment"}
    for language, expected in (("ru", ru), ("hu", hu)):
        text = problem_text(message, TRANSLATIONS[language].gettext, language)
        assert expected in text, text
        assert not english & set(re.findall(r"[a-z]{3,}", text)), text


def test_an_unknown_shape_never_reads_in_english() -> None:
    message = "the moon is made of 'cheese'"
    assert problem_text(message, TRANSLATIONS["en"].gettext, "en") == message
    for language, words in (("ru", "Проверьте значение"), ("hu", "Ellenőrizze az értéket")):
        text = problem_text(message, TRANSLATIONS[language].gettext, language)
        assert text == TRANSLATIONS[language].gettext(UNKNOWN_SHAPE)
        assert text.startswith(words)


def test_page_texts_pass_as_their_translation() -> None:
    """The strategy, OKR, customer and survey-editor forms choose a text of their own by
    field (an N_ text of the catalogue); the same filter shows it translated."""
    page_text = "Choose a metric of the catalogue."
    assert problem_text(page_text, TRANSLATIONS["hu"].gettext, "hu") == \
        TRANSLATIONS["hu"].gettext(page_text) != page_text
    assert problem_text(page_text, TRANSLATIONS["en"].gettext, "en") == page_text


def test_the_filter_is_in_every_language_and_says_the_refusal() -> None:
    templates = Templates(TRANSLATIONS)
    for language in ("en", "ru", "hu"):
        refusal = templates.environment(language).filters["refusal"]
        assert refusal("answer this question") == \
            TRANSLATIONS[language].gettext("Please answer this question.")


# An error's words in a template: its message, detail or the survey macro's error_message.
_SHOWN = re.compile(r"\{\{[^}]*\b(?:error\w*\.(?:message|detail)|error_message)\b[^}]*\}\}")


def test_every_template_shows_a_refusal_through_the_filter() -> None:
    """One way to show a refusal: never raw (English on a Hungarian page), never _() (which
    only knows constants)."""
    raw = []
    for path in sorted(TEMPLATE_DIR.rglob("*.html")):
        for shown in _SHOWN.findall(path.read_text(encoding="utf-8")):
            if "|refusal" not in shown and " if error else " not in shown:
                raw.append(f"{path.relative_to(TEMPLATE_DIR)}: {shown}")
    assert raw == []


@pytest.mark.parametrize(("message", "ru", "hu"), [
    ("cannot slice by 'region' here; choose from month, segment, nps",
     "нельзя разрезать по 'Регион'; выберите из: Месяц, Сегмент, Ответ NPS (0–10).",
     "'Régió'; válasszon ezek közül: Hónap, Szegmens, NPS-válasz (0–10)."),
    ("segment: not available here; choose from month, segment",
     "Сегмент: Этот фильтр здесь недоступен; выберите из: Месяц, Сегмент.",
     "Szegmens: Ez a szűrő itt nem érhető el; válasszon ezek közül: Hónap, Szegmens."),
    ("cannot slice by week here", "по периоду Неделя.", "időegység szerint: Hét."),
    ("a slice is named twice in segment, segment", "дважды: Сегмент, Сегмент.",
     "kétszer szerepel: Szegmens, Szegmens."),
    # a key the page has no name for stays a key
    ("cannot slice by 'martians' here; choose from month, planet",
     "'martians'; выберите из: Месяц, planet.", "'martians'; válasszon ezek közül: Hónap, planet."),
])
def test_the_keys_a_refusal_lists_are_named_as_the_page_names_them(
    message: str, ru: str, hu: str
) -> None:
    """The explorer's refusals list slices and grains by their keys; the page names them by
    its own labels (SLICE_LABELS), in the reader's language."""
    for language, expected in (("ru", ru), ("hu", hu)):
        text = problem_text(message, TRANSLATIONS[language].gettext, language, SLICE_LABELS)
        assert expected in text, text
        assert not re.search(r"\b(month|segment|week|nps|region)\b", text), text


def test_a_conditions_names_stay_as_the_reader_types_them() -> None:
    message = "unknown name 'segmnt' (known: month, segment) at column 1 of 'segmnt = 1'"
    text = problem_text(message, TRANSLATIONS["ru"].gettext, "ru", SLICE_LABELS)
    assert "'segmnt'" in text and "month, segment." in text, text


def test_a_choice_refusal_lists_the_choices_labels_when_the_page_gives_them() -> None:
    message = "'weather' is not one of the choices"
    hu = TRANSLATIONS["hu"].gettext
    assert problem_text(message, hu, "hu") == hu("Choose from the answers offered.")
    assert problem_text(message, hu, "hu", {"price": "Ár", "delivery": "Szállítás"}) == \
        hu("Choose from the answers offered: %(choices)s.") % {"choices": "Ár, Szállítás"}


def test_the_filter_takes_the_pages_names_a_later_mapping_winning() -> None:
    refusal = Templates(TRANSLATIONS).environment("en").filters["refusal"]
    message = "'paused' is not one of planned, running"
    assert refusal(message) == "'paused' is not one of: planned, running."
    assert refusal(message, {"planned": "Planned", "running": "Running"}) == \
        "'paused' is not one of: Planned, Running."
    assert refusal(message, {"planned": "Planned"}, {"planned": "Due"}) == \
        "'paused' is not one of: Due, running."
