"""The demo company's structure in Russian and Hungarian: stages, touchpoints, teams,
segments, surveys and journeys, by key.

The generator writes the English names (``company.py``) into the Parquet files, which stay
the same whatever the language of the demo: the files are generated once and reused. A demo
in another language loads them as they are and then renames the workspace's items by key
(:func:`rename_structure`), before the warehouse copies the names. Keys never change, so
metric slices, links and the API are the same in every language. A test checks that every
item of ``company.py`` has a name here in each language and that no key here is unknown.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.journey_store import ensure_journeys
from kano.adapters.db.orm import (
    Employee,
    JourneyRow,
    JourneyStage,
    Segment,
    Survey,
    Team,
    Touchpoint,
)
from kano.demo.people import role_titles

STRUCTURE_NAMES: dict[str, dict[str, dict[str, str]]] = {
    "ru": {
        "stages": {
            "awareness": "Осведомлённость",
            "consideration": "Рассмотрение",
            "purchase": "Покупка",
            "onboarding": "Подключение",
            "delivery": "Доставка и использование",
            "support": "Поддержка",
            "renewal": "Продление и рекомендации",
        },
        "touchpoints": {
            "awareness-web": "Сайт и каталог",
            "consideration-field": "Коммерческое предложение и выезд на объект",
            "purchase-web": "Заказ в интернет-магазине",
            "purchase-phone": "Заказ по телефону",
            "purchase-field": "Заказ через менеджера по работе с клиентами",
            "purchase-store": "Прилавок в филиале",
            "onboarding-email": "Открытие клиентского аккаунта",
            "delivery-field": "Доставка на объект собственным транспортом",
            "delivery-courier": "Курьерская доставка посылок",
            "support-phone": "Горячая линия поддержки",
            "support-email": "Поддержка по e-mail и через веб-форму",
            "renewal-field": "Встреча по итогам сотрудничества",
            "renewal-email": "Письма о повторном заказе и программе лояльности",
        },
        "teams": {
            "marketing": "Маркетинг",
            "key-account-sales": "Продажи ключевым клиентам",
            "inside-sales": "Внутренние продажи",
            "branch-sales": "Продажи в филиалах",
            "e-commerce": "Электронная коммерция",
            "onboarding": "Подключение клиентов",
            "delivery-north": "Северная служба доставки",
            "delivery-south": "Южная служба доставки",
            "delivery-east": "Восточная служба доставки",
            "delivery-west": "Западная служба доставки",
            "delivery-central": "Центральная служба доставки",
            "support-north": "Северный центр поддержки",
            "support-south": "Южный центр поддержки",
            "finance": "Финансы и кредитный контроль",
        },
        "segments": {
            "key_account": "Ключевые клиенты",
            "smb": "Малый и средний бизнес",
            "consumer": "Частные клиенты",
        },
        "surveys": {
            "relationship-nps": "Реляционный NPS",
            "delivery-csat": "Удовлетворённость доставкой на объект",
            "courier-csat": "Удовлетворённость курьерской доставкой",
            "support-ces": "Усилия клиента: поддержка по e-mail",
            "support-csat": "Удовлетворённость горячей линией",
            "web-ces": "Усилия клиента: заказ в интернет-магазине",
            "onboarding-rating": "Оценка открытия аккаунта",
            "store-rating": "Оценка посещения филиала",
        },
    },
    "hu": {
        "stages": {
            "awareness": "Megismerés",
            "consideration": "Mérlegelés",
            "purchase": "Vásárlás",
            "onboarding": "Bevezetés",
            "delivery": "Szállítás és használat",
            "support": "Ügyfélszolgálat",
            "renewal": "Megújítás és ajánlás",
        },
        "touchpoints": {
            "awareness-web": "Weboldal és katalógus",
            "consideration-field": "Árajánlat és helyszíni bejárás",
            "purchase-web": "Webshopos rendelés",
            "purchase-phone": "Telefonos rendelés",
            "purchase-field": "Rendelés az ügyfélmenedzseren keresztül",
            "purchase-store": "Pult a fióktelepen",
            "onboarding-email": "Ügyfélfiók létrehozása",
            "delivery-field": "Helyszíni kiszállítás saját flottával",
            "delivery-courier": "Csomagkézbesítés",
            "support-phone": "Ügyfélszolgálati forródrót",
            "support-email": "Ügyfélszolgálat e-mailben és webes űrlapon",
            "renewal-field": "Ügyfélkapcsolati áttekintés",
            "renewal-email": "Újrarendelési és hűségprogram-e-mailek",
        },
        "teams": {
            "marketing": "Marketing",
            "key-account-sales": "Kulcsügyfél-értékesítés",
            "inside-sales": "Belső értékesítés",
            "branch-sales": "Fióki értékesítés",
            "e-commerce": "E-kereskedelem",
            "onboarding": "Ügyfél-bevezetés",
            "delivery-north": "Északi kiszállítás",
            "delivery-south": "Déli kiszállítás",
            "delivery-east": "Keleti kiszállítás",
            "delivery-west": "Nyugati kiszállítás",
            "delivery-central": "Központi kiszállítás",
            "support-north": "Északi ügyfélszolgálati központ",
            "support-south": "Déli ügyfélszolgálati központ",
            "finance": "Pénzügy és követeléskezelés",
        },
        "segments": {
            "key_account": "Kulcsügyfelek",
            "smb": "Kis- és középvállalkozások",
            "consumer": "Lakossági ügyfelek",
        },
        "surveys": {
            "relationship-nps": "Kapcsolati NPS",
            "delivery-csat": "Elégedettség a helyszíni kiszállítással",
            "courier-csat": "Elégedettség a csomagkézbesítéssel",
            "support-ces": "Ügyfél-erőfeszítés: e-mailes ügyfélszolgálat",
            "support-csat": "Elégedettség a forródróttal",
            "web-ces": "Ügyfél-erőfeszítés: webshopos rendelés",
            "onboarding-rating": "Az ügyfélfiók létrehozásának értékelése",
            "store-rating": "A fióktelepi látogatás értékelése",
        },
    },
}

JOURNEY_NAMES: dict[str, dict[str, str]] = {
    "ru": {
        "key-account": "Путь клиента: ключевые клиенты",
        "smb": "Путь клиента: малый и средний бизнес",
        "consumer": "Путь клиента: частные клиенты",
    },
    "hu": {
        "key-account": "Ügyfélút: kulcsügyfelek",
        "smb": "Ügyfélút: kis- és középvállalkozások",
        "consumer": "Ügyfélút: lakossági ügyfelek",
    },
}
"""The journey per segment that the journey map seeds (``journey_store.ensure_journeys``)
is called "<segment> journey", in English; the demo seeds them itself and names them."""

ROLE_TITLES: dict[str, dict[str, str]] = {
    "ru": {
        "Marketing specialist": "Специалист по маркетингу",
        "Account manager": "Менеджер по работе с клиентами",
        "Sales representative": "Торговый представитель",
        "E-commerce specialist": "Специалист по электронной коммерции",
        "Web developer": "Веб-разработчик",
        "Onboarding specialist": "Специалист по подключению клиентов",
        "Driver": "Водитель",
        "Warehouse operative": "Работник склада",
        "Dispatcher": "Диспетчер",
        "Support agent": "Специалист поддержки",
        "Technical specialist": "Технический специалист",
        "Credit controller": "Специалист по дебиторской задолженности",
        "Accountant": "Бухгалтер",
        "Team lead": "Руководитель группы",
    },
    "hu": {
        "Marketing specialist": "Marketingszakértő",
        "Account manager": "Ügyfélmenedzser",
        "Sales representative": "Értékesítési képviselő",
        "E-commerce specialist": "E-kereskedelmi szakértő",
        "Web developer": "Webfejlesztő",
        "Onboarding specialist": "Ügyfélbevezetési szakértő",
        "Driver": "Gépkocsivezető",
        "Warehouse operative": "Raktári dolgozó",
        "Dispatcher": "Diszpécser",
        "Support agent": "Ügyfélszolgálati munkatárs",
        "Technical specialist": "Műszaki szakértő",
        "Credit controller": "Követeléskezelő",
        "Accountant": "Könyvelő",
        "Team lead": "Csoportvezető",
    },
}
"""The employees' job titles by their English title (they have no key): the MBO review
sheets show them, so a Russian demo's sheet must not read "Warehouse operative"."""

_TABLES: dict[str, Any] = {
    "stages": JourneyStage,
    "touchpoints": Touchpoint,
    "teams": Team,
    "segments": Segment,
    "surveys": Survey,
}


def english_names() -> dict[str, dict[str, str]]:
    """The generator's own names (``company.py``), by kind and key."""
    from kano.demo.company import SEGMENTS, STAGES, SURVEYS, TEAMS, TOUCHPOINTS

    items: dict[str, tuple[Any, ...]] = {
        "stages": STAGES,
        "touchpoints": TOUCHPOINTS,
        "teams": TEAMS,
        "segments": SEGMENTS,
        "surveys": SURVEYS,
    }
    return {kind: {item.key: item.name for item in found} for kind, found in items.items()}


def rename_structure(session: Session, workspace_id: int, language: str) -> int:
    """Give the workspace's stages, touchpoints, teams, segments and surveys their names in
    ``language`` (English: the generator's names), by key, and its employees' job titles
    (by title); seed its journeys with their names in ``language``; how many were renamed.
    Items the demo does not know (added by a user) keep their names."""
    names = english_names() if language == "en" else STRUCTURE_NAMES[language]
    renamed = 0
    for kind, orm in _TABLES.items():
        wanted = names[kind]
        rows = session.scalars(
            select(orm).where(orm.workspace_id == workspace_id, orm.key.in_(wanted))
        )
        for row in rows:
            if row.name != wanted[row.key]:
                row.name = wanted[row.key]
                renamed += 1
    session.flush()
    ensure_journeys(session, workspace_id)
    journeys = JOURNEY_NAMES.get(language, {})
    for journey in session.scalars(
        select(JourneyRow).where(
            JourneyRow.workspace_id == workspace_id, JourneyRow.key.in_(journeys)
        )
    ):
        journey.name = journeys[journey.key]
    session.flush()
    return renamed + _rename_role_titles(session, workspace_id, language)


def _rename_role_titles(session: Session, workspace_id: int, language: str) -> int:
    """Job titles in ``language``, from their title in any of the demo's languages (the
    files hold English ones, but a title the demo gave earlier is known too)."""
    english_of = {title: title for title in role_titles()}
    for titles in ROLE_TITLES.values():
        english_of.update({text: english for english, text in titles.items()})
    wanted = ROLE_TITLES.get(language, {})
    renamed = 0
    for employee in session.scalars(
        select(Employee).where(
            Employee.workspace_id == workspace_id, Employee.role_title.in_(english_of)
        )
    ):
        english = english_of[str(employee.role_title)]
        title = wanted.get(english, english)
        if employee.role_title != title:
            employee.role_title = title
            renamed += 1
    session.flush()
    return renamed
