"""Case rules by name: Kano's default rules (``detractor``, ``dissatisfied``,
``hard-to-deal-with``) in the reader's language, a workspace's own rules under the key
it gave them; a score condition as "CSAT ≤ 2" instead of ``csat <= 2``."""

from __future__ import annotations

from collections.abc import Callable

from kano.adapters.web.labels import vocabulary_filter
from kano.adapters.web.routes.navigation import N_

DEFAULT_RULE_LABELS = {
    # The keys of kano.domain.feedback.cases.DEFAULT_RULES.
    "detractor": N_("Detractors"),
    "dissatisfied": N_("Dissatisfied customers"),
    "hard-to-deal-with": N_("Hard to deal with"),
}
# How intake titles a case: "<survey name>: <the rule key's words>" (feedback_intake,
# feedback_bulk), stored in English; a page writes the rule's words in its language.
TITLE_WORDS = {
    "detractor": N_("detractor"),
    "dissatisfied": N_("dissatisfied"),
    "hard-to-deal-with": N_("hard to deal with"),
}
QUESTION_LABELS = {"nps": N_("NPS"), "csat": N_("CSAT"), "ces": N_("CES"), "rating": N_("Rating")}
COMPARISONS = {"<=": "≤", ">=": "≥", "<": "<", ">": ">", "=": "="}


def case_rule_filter(gettext: Callable[[str], str]) -> Callable[[str | None], str]:
    """The ``case_rule`` filter of one language: a rule key as the reader calls it."""
    return vocabulary_filter(DEFAULT_RULE_LABELS, gettext)


def case_title_filter(gettext: Callable[[str], str]) -> Callable[[str, str | None], str]:
    """The ``case_title`` filter of one language: a Russian inbox read "Реляционный NPS:
    detractor" — the survey's name in Russian, the rule in the English words intake wrote.
    A title someone gave otherwise, or a workspace's own rule, is shown as stored."""

    def case_title(title: str, rule: str | None) -> str:
        words = TITLE_WORDS.get(rule or "")
        suffix = ": " + (rule or "").replace("-", " ")
        if words is None or not title.endswith(suffix):
            return title
        return title[: -len(suffix)] + ": " + gettext(words)

    return case_title


def score_condition(question: str, comparison: str, threshold: int,
                    gettext: Callable[[str], str]) -> str:  # fmt: skip
    """``csat <= 2`` as "CSAT ≤ 2" (``rating`` in the reader's language)."""
    label = QUESTION_LABELS.get(question)
    name = gettext(label) if label else question
    return f"{name} {COMPARISONS.get(comparison, comparison)} {threshold}"
