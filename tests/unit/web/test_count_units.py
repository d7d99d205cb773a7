"""A count with its unit reads in the number's plural form: "3 выезда", not "3 выездов"."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kano.adapters.web.count_units import PHRASES, SPELLINGS
from kano.adapters.web.i18n import load_translations
from kano.adapters.web.strategy_formats import StrategyFormats

OVERLAYS = Path(__file__).resolve().parents[3] / "src/kano/demo/strategy"


def _formats(language: str) -> StrategyFormats:
    return StrategyFormats(language, ngettext=load_translations(language).ngettext)


@pytest.mark.parametrize(
    ("language", "value", "unit", "shown"),
    [
        ("ru", 1, "выездов", "1 выезд"), ("ru", 3, "выездов", "3 выезда"),
        ("ru", 5, "выездов", "5 выездов"), ("ru", 21, "выездов", "21 выезд"),
        ("ru", 1.5, "выездов", "1,5 выезда"), ("ru", 2, "клиентов", "2 клиента"),
        ("ru", 4, "встреч", "4 встречи"),
        ("hu", 3, "közös út", "3 közös út"), ("hu", 1, "közös út", "1 közös út"),
        ("en", 1, "ride-alongs", "1 ride-along"), ("en", 16, "ride-alongs", "16 ride-alongs"),
        ("en", 1, "customers", "1 customer"),
    ],
)  # fmt: skip
def test_count_units_follow_the_number(
    language: str, value: float, unit: str, shown: str
) -> None:
    assert _formats(language).measure(value, unit) == shown


@pytest.mark.parametrize(
    ("language", "value", "unit", "shown"),
    [
        ("ru", 5.62, "points", "5,62 балла"), ("ru", 5, "points", "5 баллов"),
        ("ru", 1, "points", "1 балл"), ("hu", 4, "points", "4 pont"),
        ("en", 1, "points", "1 point"), ("en", 3.5, "points", "3.5 points"),
        ("ru", 2, "days", "2 дня"), ("hu", 2, "days", "2 nap"),
        ("ru", 11, "minutes", "11 минут"), ("ru", 3, "orders", "3 заказа"),
    ],
)  # fmt: skip
def test_metric_catalogue_units_read_in_the_page_language(
    language: str, value: float, unit: str, shown: str
) -> None:
    """A measure bound to a metric shows the metric's unit: a Russian scorecard read
    "5,62 points" under a CES measure of the Russian demo."""
    assert _formats(language).measure(value, unit) == shown


def test_a_unit_kano_does_not_know_is_written_as_typed() -> None:
    assert _formats("ru").measure(3, "поездок") == "3 поездок"
    assert _formats("en").measure(2, "widgets") == "2 widgets"


def test_every_count_unit_of_the_demo_is_known_in_each_language() -> None:
    """The units the demo stores in each language (its overlays) all map to a phrase."""
    for language in ("ru", "hu"):
        units = yaml.safe_load((OVERLAYS / f"demo_strategy.{language}.yaml").read_text(
            encoding="utf-8"))["units"]  # fmt: skip
        for key in PHRASES:
            assert SPELLINGS[units[key].lower()] == key, (language, key)
            assert SPELLINGS[key] == key
