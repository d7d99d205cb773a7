"""The title of a case a rule opened: "<survey name>: <the rule key's words>".

One way to write it, whoever opens the case — intake (``feedback_intake``), bulk intake
(``feedback_bulk``) and the demo's inbox (``kano.demo.case_inbox``) — so a title is
stored in one form, in English words ("Relationship NPS: hard to deal with"), whatever
the workspace's or the demo's language. Readers see the rule's words in their own
language at display time (``rule_case_title`` with ``rule_words``, after
``title_survey_name`` has recognised the stored form); a title someone wrote otherwise,
or one stored before a rule was renamed, is shown as stored.

A plain string format, called once per case on the bulk path.
"""

from __future__ import annotations

NO_SURVEY = "Feedback"
"""The subject of a case whose response belongs to no survey (a file import may have none)."""


def rule_case_title(survey_name: str | None, rule_key: str, rule_words: str | None = None) -> str:
    """``Relationship NPS: hard to deal with`` for the rule ``hard-to-deal-with``;
    ``rule_words`` replaces the key's words (a reader's language)."""
    words = rule_key.replace("-", " ") if rule_words is None else rule_words
    return f"{survey_name or NO_SURVEY}: {words}"


def title_survey_name(title: str, rule_key: str | None) -> str | None:
    """The survey name of a title ``rule_case_title`` wrote for ``rule_key`` (``NO_SURVEY``
    when it had none); None for any other title."""
    if not rule_key:
        return None
    suffix = ": " + rule_key.replace("-", " ")
    if not title.endswith(suffix) or len(title) == len(suffix):
        return None
    return title[: -len(suffix)]
