"""UI languages: the gettext catalogues (English, Russian, Hungarian) and how a request picks one.

The catalogues are read from their ``.po`` files at start-up and compiled in memory, so the
repository holds no ``.mo`` files that could drift from the sources. Compiling three small
catalogues takes a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES: tuple[str, ...] = ("en", "ru", "hu")
# Each language is offered in its own name, so a reader finds theirs whatever the UI shows.
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "ru": "Русский", "hu": "Magyar"}
LANGUAGE_COOKIE = "kano_lang"
CATALOGUE_DIR = Path(__file__).parent / "i18n"
DOMAIN = "messages"


def catalogue_path(language: str) -> Path:
    return CATALOGUE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalogue(language: str) -> Catalog:
    with catalogue_path(language).open("rb") as source:
        return read_po(source, locale=language, domain=DOMAIN)


def load_translations(language: str) -> Translations:
    """The compiled gettext translations of one language (fuzzy entries left out)."""
    compiled = BytesIO()
    write_mo(compiled, read_catalogue(language))
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def load_all_translations() -> dict[str, Translations]:
    return {language: load_translations(language) for language in LANGUAGES}


def supported(language: str | None) -> str | None:
    """The supported language code this value names (``ru-RU`` → ``ru``), else None."""
    if not language:
        return None
    primary = language.strip().lower().replace("_", "-").split("-")[0]
    return primary if primary in LANGUAGES else None


def accepted_languages(header: str | None) -> list[str]:
    """The language tags of an ``Accept-Language`` header, most wanted first (RFC 9110)."""
    if not header:
        return []
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, parameters = part.strip().partition(";")
        quality = 1.0
        for parameter in parameters.split(";"):
            name, _, value = parameter.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            weighted.append((-quality, position, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]


@dataclass(frozen=True)
class LanguageChoice:
    """The language of one response, and whether it was asked for explicitly (``?lang=``)."""

    code: str
    asked_in_query: bool = False


def choose_language(
    *,
    query: str | None,
    cookie: str | None,
    user_language: str | None,
    accept_language: str | None,
    default: str,
) -> LanguageChoice:
    """``?lang=`` first, then the remembered cookie, the profile, the browser, the default."""
    asked = supported(query)
    if asked:
        return LanguageChoice(asked, asked_in_query=True)
    for candidate in _remembered_then_browser(cookie, user_language, accept_language):
        found = supported(candidate)
        if found:
            return LanguageChoice(found)
    return LanguageChoice(supported(default) or LANGUAGES[0])


def _remembered_then_browser(
    cookie: str | None, user_language: str | None, accept_language: str | None
) -> Iterable[str | None]:
    yield cookie
    yield user_language
    yield from accepted_languages(accept_language)
