"""Jinja2 templates, one environment per UI language.

Each environment has that language's gettext translations and number formats installed,
so a template just writes ``{% trans %}`` or ``_("…")`` and ``value|compact``. Autoescaping
is on for every template: data from the database is always escaped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from kano.adapters.web.attribute_labels import INDUSTRY_LABELS, REGION_LABELS
from kano.adapters.web.case_rule_labels import case_rule_filter, case_title_filter
from kano.adapters.web.churn_reasons import churn_reasons
from kano.adapters.web.formatting import NumberFormats
from kano.adapters.web.i18n import LANGUAGE_NAMES, LANGUAGES
from kano.adapters.web.labels import (
    REQUIREMENT_KIND_LABELS,
    REQUIREMENT_STATUS,
    REQUIREMENT_STATUS_LABELS,
    channel_filter,
    product_filter,
    segment_filter,
    stage_filter,
    team_filter,
    touchpoint_filter,
    vocabulary_filter,
)
from kano.adapters.web.measure_labels import driver_filter, variable_filter
from kano.adapters.web.problem_texts import refusal_filter
from kano.adapters.web.routes.navigation import NAVIGATION, SECTIONS, items_of
from kano.adapters.web.template_code import COMPILED_TEMPLATES

TEMPLATE_DIR = Path(__file__).parent / "templates"


class Templates:
    """Renders a template in a given language."""

    def __init__(self, translations: dict[str, Translations]) -> None:
        loader = FileSystemLoader(TEMPLATE_DIR)
        self._translations = translations
        self._environments = {
            language: self._environment(loader, language, translations[language])
            for language in LANGUAGES
        }

    @staticmethod
    def _environment(
        loader: FileSystemLoader, language: str, translations: Translations
    ) -> Environment:
        environment = Environment(
            loader=loader,
            autoescape=select_autoescape(default=True, default_for_string=True),
            extensions=["jinja2.ext.i18n"],
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            bytecode_cache=COMPILED_TEMPLATES,  # compiled once per language and process
        )
        environment.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
        formats = NumberFormats(language)
        environment.filters.update(
            integer=formats.integer,
            decimal=formats.decimal,
            expected_count=formats.expected_count,
            percent=formats.percent,
            p_value=formats.p_value,
            significant=formats.significant,
            compact=formats.compact,
            money=formats.money,
            money_compact=formats.money_compact,
            signed=formats.signed,
            month=formats.month,
            month_range=formats.month_range,
            period=formats.period,
            moment=formats.moment,
            day=formats.day,
            day_range=formats.day_range,
            channel=channel_filter(translations.gettext),
            segment=segment_filter,
            stage=stage_filter,
            touchpoint=touchpoint_filter,
            team=team_filter,
            product=product_filter,
            variable=variable_filter(translations.gettext),
            driver=driver_filter(translations.gettext),
            case_rule=case_rule_filter(translations.gettext),
            case_title=case_title_filter(translations.gettext),
            churn_reasons=churn_reasons,
            region=vocabulary_filter(REGION_LABELS, translations.gettext),
            industry=vocabulary_filter(INDUSTRY_LABELS, translations.gettext),
            requirement_kind=vocabulary_filter(REQUIREMENT_KIND_LABELS, translations.gettext),
            # in context: Russian agrees a requirement's status with «требование» (neuter),
            # where an MBO sheet's "Agreed" is masculine
            requirement_status=vocabulary_filter(
                REQUIREMENT_STATUS_LABELS,
                lambda label: translations.pgettext(REQUIREMENT_STATUS, label)),
            # Every page shows a refusal through this one filter (a domain message or the
            # page's own catalogue text), in the reader's language.
            refusal=refusal_filter(translations.gettext, language),
        )
        environment.globals.update(
            language=language,
            languages=LANGUAGES,
            language_names=LANGUAGE_NAMES,
            navigation=NAVIGATION,
            sections=SECTIONS,
            items_of=items_of,
        )
        return environment

    def environment(self, language: str) -> Environment:
        return self._environments[language]

    def render(self, language: str, name: str, context: dict[str, Any]) -> str:
        environment = self._environments[language]
        # A page's own value under a layout name would silently replace it everywhere in
        # the layout (the Themes page's comment languages once became the language menu).
        hidden = context.keys() & environment.globals.keys()
        if hidden:
            raise ValueError(f"{name}: the page's {sorted(hidden)} would hide the layout's")
        return environment.get_template(name).render(context)

    def gettext(self, language: str, message: str) -> str:
        """Translate a message in Python code (e.g. a chart's axis titles)."""
        return self._translations[language].gettext(message)

    def ngettext(self, language: str, singular: str, plural: str, n: int) -> str:
        """The plural form of a message that ``n`` asks for in ``language``."""
        return self._translations[language].ngettext(singular, plural, n)
