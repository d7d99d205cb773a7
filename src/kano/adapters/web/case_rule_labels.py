"""Case rules by name: Kano's default rules (``detractor``, ``dissatisfied``,
``hard-to-deal-with``) in the reader's language, a workspace's own rules under the key
it gave them; a score condition as "CSAT ≤ 2" instead of ``csat <= 2``."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from kano.adapters.web.i18n import load_translations
from kano.adapters.web.labels import vocabulary_filter
from kano.adapters.web.routes.navigation import N_
from kano.domain.feedback.case_titles import NO_SURVEY, rule_case_title, title_survey_name

DEFAULT_RULE_LABELS = {
    # The keys of kano.domain.feedback.cases.DEFAULT_RULES.
    "detractor": N_("Detractors"),
    "dissatisfied": N_("Dissatisfied customers"),
    "hard-to-deal-with": N_("Hard to deal with"),
}
# A rule-opened case's title is stored in English words ("<survey>: detractor",
# kano.domain.feedback.case_titles); a reader sees the rule's words in their language.
TITLE_WORDS = {
    "detractor": N_("detractor"),
    "dissatisfied": N_("dissatisfied"),
    "hard-to-deal-with": N_("hard to deal with"),
}
NO_SURVEY_LABEL = N_("Feedback")  # kano.domain.feedback.case_titles.NO_SURVEY
QUESTION_LABELS = {"nps": N_("NPS"), "csat": N_("CSAT"), "ces": N_("CES"), "rating": N_("Rating")}
COMPARISONS = {"<=": "≤", ">=": "≥", "<": "<", ">": ">", "=": "="}


def case_rule_filter(gettext: Callable[[str], str]) -> Callable[[str | None], str]:
    """The ``case_rule`` filter of one language: a rule key as the reader calls it."""
    return vocabulary_filter(DEFAULT_RULE_LABELS, gettext)


def case_title_filter(gettext: Callable[[str], str]) -> Callable[[str, str | None], str]:
    """The ``case_title`` filter of one language: "Реляционный NPS: критик" for the stored
    "Реляционный NPS: detractor" (the survey's name as the workspace wrote it, the rule's
    words in the reader's language). Pages, the case files and the API's
    ``title_display`` all read titles through it. A title someone gave otherwise, or a
    workspace's own rule, is shown as stored."""

    def case_title(title: str, rule: str | None) -> str:
        words = TITLE_WORDS.get(rule or "")
        survey = title_survey_name(title, rule)
        if words is None or survey is None:
            return title
        subject = gettext(NO_SURVEY_LABEL) if survey == NO_SURVEY else survey
        return rule_case_title(subject, rule or "", gettext(words))

    return case_title


@cache
def case_title_in(language: str) -> Callable[[str, str | None], str]:
    """The ``case_title`` filter of a supported language, for callers without a page (the
    API); the catalogue is compiled once per process."""
    return case_title_filter(load_translations(language).gettext)


def score_condition(question: str, comparison: str, threshold: int,
                    gettext: Callable[[str], str]) -> str:  # fmt: skip
    """``csat <= 2`` as "CSAT ≤ 2" (``rating`` in the reader's language)."""
    label = QUESTION_LABELS.get(question)
    name = gettext(label) if label else question
    return f"{name} {COMPARISONS.get(comparison, comparison)} {threshold}"
