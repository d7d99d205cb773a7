"""The demo company's Russian and Hungarian texts cannot drift from the English ones.

One strategy file holds the structure and the English texts; each language's overlay holds
only texts by stable address. These tests fail when a text is added to the strategy (or
to the company's stages, touchpoints, teams, segments, surveys) without its translations,
or when an overlay names something the strategy no longer has.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from kano.adapters.strategy_code.schema import StrategyDocument
from kano.demo.case_notes import NOTES
from kano.demo.case_stories import FIRST_CONTACT_NOTES, STORIES
from kano.demo.company import SEGMENT_KEYS
from kano.demo.people import role_titles
from kano.demo.pilot_workspace import PILOT_TEXTS
from kano.demo.strategy import DEMO_STRATEGY_FILE
from kano.demo.strategy.overlay import (
    load_overlay,
    overlay_problems,
    text_fields,
    translated,
    units,
)
from kano.demo.structure_names import (
    JOURNEY_NAMES,
    ROLE_TITLES,
    STRUCTURE_NAMES,
    english_names,
)

LANGUAGES = ("ru", "hu")


def english() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(DEMO_STRATEGY_FILE.read_text(encoding="utf-8"))
    return loaded


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_english_text_has_its_translation_and_nothing_else_is_there(
    language: str,
) -> None:
    assert overlay_problems(english(), load_overlay(language)) == []


def test_the_strategy_has_the_texts_the_overlays_are_checked_against() -> None:
    """Guards the completeness test above against an address scheme that finds nothing."""
    texts = text_fields(english())
    kinds = {address.split(" ", 1)[0] for address in texts}
    assert kinds == {
        "scorecard", "perspective", "objective", "measure", "link", "initiative",
        "okr_cycle", "okr_objective", "key_result", "check_in", "mbo_objective",
    }  # fmt: skip
    assert texts["objective grow-revenue"]["title"] == "Grow revenue in a flat market"
    assert sum(len(fields) for fields in texts.values()) > 120
    assert {"days", "points", "EUR", "%"} <= units(english())


def test_a_missing_or_stale_translation_is_named() -> None:
    overlay = load_overlay("hu")
    texts = dict(overlay["texts"])
    del texts["measure revenue"]
    texts["objective no-longer-there"] = {"title": "Régi cél"}
    texts["objective grow-revenue"] = {"title": "Árbevétel-növekedés"}  # description lost
    units_given = {k: v for k, v in overlay["units"].items() if k != "days"}
    problems = overlay_problems(english(), {"texts": texts, "units": units_given})
    assert sorted(problems) == [
        "missing unit: days",
        "missing: measure revenue",
        "missing: objective grow-revenue.description",
        "unknown: objective no-longer-there",
    ]
    with pytest.raises(ValueError, match="missing: measure revenue"):
        translated(english(), "hu", {"texts": texts, "units": overlay["units"]})


def test_one_address_with_two_different_english_texts_is_refused() -> None:
    """The MBO sheets repeat an objective under one key; its title must then be one."""
    document = english()
    sheets = document["mbo_sheets"]
    sheets[1]["objectives"][0]["title"] = "Something else entirely"
    with pytest.raises(ValueError, match="mbo_objective complete-loads has two different"):
        text_fields(document)


@pytest.mark.parametrize(
    ("language", "objective", "unit", "check_in"),
    [
        ("hu", "Kiszállítás az ígért napon", "nap", "A miskolci és az egri útvonal már él."),
        ("ru", "Доставка в обещанный день", "дн.", "Маршруты на Мишкольц и Эгер запущены."),
    ],
)
def test_translated_document_keeps_keys_and_numbers_and_replaces_texts(
    language: str, objective: str, unit: str, check_in: str
) -> None:
    before = english()
    after = translated(copy.deepcopy(before), language)

    process = after["scorecards"][0]["perspectives"][2]
    promise = process["objectives"][0]
    assert promise["key"] == "deliver-on-promise" and promise["title"] == objective
    assert promise["measures"][0]["unit"] == unit
    assert promise["measures"][0]["green_from"] == before["scorecards"][0]["perspectives"][2][
        "objectives"][0]["measures"][0]["green_from"]  # fmt: skip
    east = after["okr_cycles"][0]["objectives"][2]["key_results"][2]
    assert east["check_ins"][1]["comment"] == check_in
    english_texts = text_fields(before)
    left_in_english = [
        f"{address}.{field}"
        for address, fields in text_fields(after).items()
        for field, text in fields.items()
        if text == english_texts[address][field]
    ]
    assert left_in_english == ["scorecard northwind.name"]  # the company's own name


@pytest.mark.parametrize("language", LANGUAGES)
def test_translated_texts_fit_the_strategy_schema(language: str) -> None:
    """Translations run longer than English: every one still fits its field."""
    document = translated(english(), language)
    for cycle in document["okr_cycles"]:
        for objective in cycle["objectives"]:
            for key_result in objective["key_results"]:
                key_result.setdefault("start", 0)  # filled from the data at import
                key_result.setdefault("target", 1)
    StrategyDocument.model_validate(document)


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="en, ru, hu"):
        translated(english(), "de")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_stage_touchpoint_team_segment_and_survey_has_its_name(language: str) -> None:
    names = STRUCTURE_NAMES[language]
    for kind, english_by_key in english_names().items():
        assert names[kind].keys() == english_by_key.keys(), kind
        assert all(name.strip() for name in names[kind].values())
    assert names.keys() == english_names().keys()
    assert names["stages"]["delivery"] != english_names()["stages"]["delivery"]
    journeys = {key.replace("_", "-") for key in SEGMENT_KEYS}  # one per segment
    assert JOURNEY_NAMES[language].keys() == journeys



@pytest.mark.parametrize("language", LANGUAGES)
def test_every_job_title_has_its_name_and_none_is_stale(language: str) -> None:
    # The MBO review sheets show the employee's job title: a Russian demo read
    # "Warehouse operative" there.
    titles = ROLE_TITLES[language]
    assert titles.keys() == role_titles()
    assert all(text.strip() and text != english for english, text in titles.items())
    assert len(set(titles.values())) == len(titles)  # a title is found back by its text

def test_every_case_note_has_its_translations_and_none_is_stale() -> None:
    english_notes = {story.note for story in STORIES} | set(FIRST_CONTACT_NOTES)
    assert NOTES.keys() == english_notes
    for note, translations in NOTES.items():
        assert translations.keys() == set(LANGUAGES), note
        assert all(text.strip() and text != note for text in translations.values()), note


def test_the_pilot_has_its_name_and_hypothesis_in_every_language() -> None:
    assert PILOT_TEXTS.keys() == {"en", *LANGUAGES}
    names = {texts["name"] for texts in PILOT_TEXTS.values()}
    assert len(names) == 3  # it is found by any of them: they must differ
    for texts in PILOT_TEXTS.values():
        assert texts.keys() == {"name", "hypothesis"} and all(t.strip() for t in texts.values())
