"""Names of people and companies in English, Russian and Hungarian.

Names are combinations of short word lists. Each list of combinations becomes one Arrow
dictionary, so a column of millions of names costs one int32 index per row; the ASCII
slug of each combination (for e-mail addresses) is kept alongside.
"""

from __future__ import annotations

from dataclasses import dataclass

_EN_FIRST = (
    "James",
    "Oliver",
    "Jack",
    "Harry",
    "George",
    "Daniel",
    "Thomas",
    "Michael",
    "Samuel",
    "David",
    "Emily",
    "Olivia",
    "Sophie",
    "Grace",
    "Chloe",
    "Sarah",
    "Laura",
    "Hannah",
    "Lucy",
    "Amelia",
)
_EN_LAST = (
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
)
_HU_FIRST = (
    "Bence",
    "Máté",
    "Levente",
    "Dávid",
    "Balázs",
    "Péter",
    "Gábor",
    "Zoltán",
    "László",
    "Tamás",
    "Anna",
    "Eszter",
    "Katalin",
    "Zsófia",
    "Réka",
    "Dóra",
    "Judit",
    "Éva",
    "Nóra",
    "Petra",
)
_HU_LAST = (
    "Nagy",
    "Kovács",
    "Tóth",
    "Szabó",
    "Horváth",
    "Varga",
    "Kiss",
    "Molnár",
    "Németh",
    "Farkas",
    "Balogh",
    "Papp",
    "Takács",
    "Juhász",
    "Lakatos",
    "Mészáros",
    "Oláh",
    "Simon",
    "Rácz",
    "Fekete",
)
_RU_FIRST_MALE = (
    "Алексей",
    "Дмитрий",
    "Сергей",
    "Андрей",
    "Михаил",
    "Иван",
    "Николай",
    "Павел",
    "Артём",
    "Олег",
)
_RU_FIRST_FEMALE = (
    "Анна",
    "Мария",
    "Елена",
    "Ольга",
    "Татьяна",
    "Наталья",
    "Екатерина",
    "Ирина",
    "Светлана",
    "Юлия",
)
_RU_LAST_MALE = (
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Петров",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
)

_EN_COMPANY_PREFIX = (
    "Northgate",
    "Ironbridge",
    "Redwood",
    "Bluewater",
    "Summit",
    "Eastfield",
    "Kingsway",
    "Harbour",
    "Silverline",
    "Oakridge",
    "Westmoor",
    "Ashford",
)
_EN_COMPANY_CORE = (
    "Engineering",
    "Construction",
    "Fabrication",
    "Logistics",
    "Plastics",
    "Metalworks",
    "Energy",
    "Foods",
    "Automation",
    "Builders",
)
_EN_COMPANY_FORM = ("Ltd", "plc", "Group")
_HU_COMPANY_PREFIX = (
    "Duna",
    "Tisza",
    "Mátra",
    "Bakony",
    "Alföld",
    "Balaton",
    "Pannon",
    "Hegyalja",
    "Rába",
    "Zala",
    "Sajó",
    "Kőrös",
)
_HU_COMPANY_CORE = (
    "Acél",
    "Építő",
    "Gépgyártó",
    "Logisztika",
    "Műanyag",
    "Fémipari",
    "Energia",
    "Élelmiszer",
    "Automatika",
    "Szerelő",
)
_HU_COMPANY_FORM = ("Kft.", "Zrt.", "Bt.")
_RU_COMPANY_PREFIX = (
    "Урал",
    "Волга",
    "Сиб",
    "Балт",
    "Дон",
    "Кама",
    "Нева",
    "Ока",
    "Прим",
    "Север",
    "Алтай",
    "Енисей",
)
_RU_COMPANY_CORE = (
    "металл",
    "строй",
    "маш",
    "логистик",
    "пласт",
    "энерго",
    "продукт",
    "автоматика",
    "монтаж",
    "снаб",
)
_RU_COMPANY_FORM = ("ООО", "АО", "ПАО")

_TRANSLIT = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    "á": "a",
    "é": "e",
    "í": "i",
    "ó": "o",
    "ö": "o",
    "ő": "o",
    "ú": "u",
    "ü": "u",
    "ű": "u",
}


def ascii_slug(text: str) -> str:
    """Lower-case ASCII for e-mail addresses: transliterated, spaces become dots."""
    lowered = text.lower()
    out = "".join(_TRANSLIT.get(ch, ch) for ch in lowered)
    return ".".join("".join(ch for ch in word if ch.isalnum()) for word in out.split())


@dataclass(frozen=True)
class NameBook:
    """All name combinations, grouped by language (``offsets[lang]`` .. + ``counts[lang]``)."""

    names: tuple[str, ...]
    slugs: tuple[str, ...]
    offsets: tuple[int, ...]
    counts: tuple[int, ...]


def _book(groups: list[list[tuple[str, str]]]) -> NameBook:
    names: list[str] = []
    slugs: list[str] = []
    offsets: list[int] = []
    counts: list[int] = []
    for group in groups:
        offsets.append(len(names))
        counts.append(len(group))
        names += [name for name, _ in group]
        slugs += [slug for _, slug in group]
    return NameBook(tuple(names), tuple(slugs), tuple(offsets), tuple(counts))


def _person_names() -> NameBook:
    english = [(f"{f} {la}", ascii_slug(f"{f} {la}")) for f in _EN_FIRST for la in _EN_LAST]
    russian = [
        (f"{f} {la}", ascii_slug(f"{f} {la}")) for f in _RU_FIRST_MALE for la in _RU_LAST_MALE
    ] + [(f"{f} {la}а", ascii_slug(f"{f} {la}a")) for f in _RU_FIRST_FEMALE for la in _RU_LAST_MALE]
    # Hungarian puts the family name first.
    hungarian = [(f"{la} {f}", ascii_slug(f"{f} {la}")) for f in _HU_FIRST for la in _HU_LAST]
    return _book([english, russian, hungarian])


def _company_names() -> NameBook:
    english = [
        (f"{p} {c} {form}", ascii_slug(f"{p} {c}"))
        for p in _EN_COMPANY_PREFIX
        for c in _EN_COMPANY_CORE
        for form in _EN_COMPANY_FORM
    ]
    russian = [
        (f"{form} «{p}{c}»", ascii_slug(f"{p}{c}"))
        for p in _RU_COMPANY_PREFIX
        for c in _RU_COMPANY_CORE
        for form in _RU_COMPANY_FORM
    ]
    hungarian = [
        (f"{p} {c} {form}", ascii_slug(f"{p} {c}"))
        for p in _HU_COMPANY_PREFIX
        for c in _HU_COMPANY_CORE
        for form in _HU_COMPANY_FORM
    ]
    return _book([english, russian, hungarian])


PERSON_NAMES = _person_names()
COMPANY_NAMES = _company_names()
