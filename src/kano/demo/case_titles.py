"""The demo's case titles in its language: "<survey name>: <rule>", as intake writes them
("Relationship NPS: detractor"), with Kano's default rules in Russian or Hungarian for
``kano demo --language ru|hu`` (the survey names are already the demo's, see
``kano.demo.structure_names``). A rule the demo does not know keeps its key's words."""

from __future__ import annotations

RULE_WORDS: dict[str, dict[str, str]] = {
    # The keys of kano.domain.feedback.cases.DEFAULT_RULES, as a title writes them.
    "ru": {"detractor": "критик", "dissatisfied": "недоволен",
           "hard-to-deal-with": "сложное взаимодействие"},
    "hu": {"detractor": "kritikus", "dissatisfied": "elégedetlen",
           "hard-to-deal-with": "nehézkes ügyintézés"},
}  # fmt: skip
NO_SURVEY = {"en": "Feedback", "ru": "Отзыв", "hu": "Visszajelzés"}


def case_title(survey_name: str | None, rule_key: str, language: str = "en") -> str:
    """``Relationship NPS: hard to deal with``; in Russian ``…: сложное взаимодействие``."""
    words = RULE_WORDS.get(language, {}).get(rule_key) or rule_key.replace("-", " ")
    return f"{survey_name or NO_SURVEY.get(language, NO_SURVEY['en'])}: {words}"
