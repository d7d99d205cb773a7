"""The translation catalogues are complete: every UI text exists in English, Russian, Hungarian."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from kano.adapters.web.i18n import LANGUAGES, load_translations, read_catalogue

REPO = Path(__file__).resolve().parents[3]
TRANSLATED = [language for language in LANGUAGES if language != "en"]


def _message_ids_in_source() -> set[str]:
    """What ``pybabel extract -F babel.cfg`` finds in the web package's Python and templates."""
    with (REPO / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config, "babel.cfg")
    found: set[str] = set()
    for _filename, _line, message, _comments, _context in extract_from_dir(
        REPO, method_map, options_map
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


@pytest.fixture(scope="module")
def source_ids() -> set[str]:
    ids = _message_ids_in_source()
    assert len(ids) > 50, "extraction found almost nothing: is babel.cfg still right?"
    return ids


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_of_the_ui_is_in_the_catalogue(source_ids: set[str], language: str) -> None:
    catalogue_ids = {message.id[0] if isinstance(message.id, tuple) else message.id
                     for message in read_catalogue(language) if message.id}

    assert sorted(source_ids - catalogue_ids) == [], "run pybabel extract/update"
    assert sorted(catalogue_ids - source_ids) == [], "the catalogue holds texts no longer used"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated(language: str) -> None:
    catalogue = read_catalogue(language)
    untranslated = [
        message.id for message in catalogue
        if message.id and (
            not message.string
            or (isinstance(message.string, tuple) and not all(message.string))
            or message.fuzzy
        )
    ]

    assert untranslated == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_placeholders_survive_translation(language: str) -> None:
    """A translation must keep the %(name)s placeholders, or rendering the page fails."""
    catalogue = read_catalogue(language)
    errors = [(message.id, problem) for message in catalogue if message.id
              for problem in message.check(catalogue)]

    assert errors == []


def test_russian_plural_forms_follow_the_number() -> None:
    russian = load_translations("ru")
    forms = [russian.ngettext("n = %(n)s answer", "n = %(n)s answers", n) % {"n": n}
             for n in (1, 3, 5, 21)]

    assert forms == ["n = 1 ответ", "n = 3 ответа", "n = 5 ответов", "n = 21 ответ"]
