"""Russian counts: a number read from the data takes a noun in one of three forms (1 ответ,
2 ответа, 5 ответов; after "у" or "из": у 321 ответа). A plain message that writes a fixed
form after such a number is wrong for most numbers ("есть у 321 ответов", "из 21
обращений" on the ru QA pass). Either the message goes through ngettext, or the number
stands where no noun follows it ("ответов …: 321", "… 21 из 40")."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

import kano.adapters.web as web

CATALOGUE = Path(web.__file__).parent / "i18n" / "ru" / "LC_MESSAGES" / "messages.po"
# Placeholders that hold a count read from the data. A limit set in code ("не менее
# %(n)s символов", a password's minimum length) is a fixed number whose form the
# translator chose, so "не менее"/"не более" before the number is left alone.
COUNTS = ("n", "shown", "total")
NOUN_AFTER_COUNT = re.compile(
    r"(?<!менее )(?<!более )%\((" + "|".join(COUNTS) + r")\)s\s+(?!из\b)[а-яё]", re.I)


def test_no_plain_russian_message_puts_a_noun_after_a_count() -> None:
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle, locale="ru")
    wrong = [
        message.string for message in catalogue
        if message.id and isinstance(message.string, str)
        and NOUN_AFTER_COUNT.search(message.string)
    ]  # fmt: skip
    assert wrong == []
