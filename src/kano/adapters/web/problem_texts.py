"""What a form's refusal says, in the reader's language.

The domain names a problem in English for the API and the CLI ("'xx' is not a date
(YYYY-MM-DD)"); a Hungarian pilot form showed exactly that after its Hungarian "check
this field: …". Pages pass the domain's message through :func:`problem_text`: a message of
a known shape is rewritten in the reader's language, the user's own value kept; one of an
unknown shape reads as a general "check the value" in Russian or Hungarian rather than in
English (English readers keep the domain's words).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from kano.adapters.web.routes.navigation import N_

_VALUE = r"(?P<value>'.*'|\".*\")"
# Domain messages that pilot and requirement forms can show (kano.domain.pilots,
# kano.domain.feedback.requirements and their stores), each with the reader's words.
_PILOTS_AND_REQUIREMENTS: tuple[tuple[str, str], ...] = (
    (rf"{_VALUE} is not a date \(YYYY-MM-DD\)",
     N_("%(value)s is not a date: write it as YYYY-MM-DD.")),
    (r"(give|must be) a date \(YYYY-MM-DD\)", N_("Give a date as YYYY-MM-DD.")),
    (r"(every value )?must be text", N_("Write text here.")),
    (r"must not contain NUL characters", N_("Remove the control characters from the text.")),
    (r"write at most (?P<limit>\d+) characters", N_("Write at most %(limit)s characters.")),
    (r"write 1 to (?P<limit>\d+) characters", N_("Write 1 to %(limit)s characters.")),
    (rf"{_VALUE}: write 1 to (?P<limit>\d+) printable characters",
     N_("%(value)s: write 1 to %(limit)s printable characters.")),
    (r"give a list of values|give at least one value", N_("Give at least one value.")),
    (r"give at most (?P<limit>\d+) values", N_("Give at most %(limit)s values.")),
    (r"give filters or customers|give filters \(e\.g\. region = north\) or a list of customers",
     N_("Give a filter (such as region = north) or a list of customers.")),
    (r"give either filters or customers, not both",
     N_("Give either a filter or a list of customers, not both.")),
    (r"list at least one customer", N_("List at least one customer.")),
    (r"filter on one of (?P<choices>.+)", N_("Filter on one of: %(choices)s.")),
    (r"use one of (?P<choices>.+)", N_("Use one of: %(choices)s.")),
    (rf"{_VALUE} is not one of (?!the choices$)(?P<choices>.+)",
     N_("%(value)s is not one of: %(choices)s.")),
    (r"name the pilot", N_("Give the pilot a name.")),
    (rf"a pilot named {_VALUE} exists already",
     N_("A pilot named %(value)s exists already: choose another name.")),
    (r"must differ from the pilot group",
     N_("The control group must differ from the pilot group.")),
    (rf"{_VALUE} is also in the pilot group",
     N_("%(value)s is also in the pilot group: a customer belongs to one group only.")),
    (r"choose at least one KPI \(a metric id, e\.g\. revenue\)",
     N_("Choose at least one KPI.")),
    (rf"{_VALUE} is not a metric id", N_("%(value)s is not a metric of the catalogue.")),
    (rf"{_VALUE} is not a metric of this workspace \(see the metric catalogue\)",
     N_("%(value)s is not a metric of the catalogue.")),
    (rf"{_VALUE} is not a member of this workspace",
     N_("%(value)s is not a member of this workspace.")),
    (r"must not be before baseline_start",
     N_("The baseline period must not end before it starts.")),
    (r"must come after the baseline period ends",
     N_("The test period must start after the baseline period ends.")),
    (r"must be in a later month than baseline_end \(the KPIs are measured per month\)",
     N_("The test period must start in a later month than the baseline period ends "
        "(the KPIs are measured per month).")),
    (r"must not be before test_start", N_("The test period must not end before it starts.")),
    (r"a pilot spans at most (?P<limit>\d+) months",
     N_("A pilot spans at most %(limit)s months, baseline and test together.")),
    (r"a decided pilot needs a decision: scale, iterate or stop",
     N_("A decided pilot needs a decision: scale, iterate or stop.")),
    (r"must be a number", N_("Write a number here.")),
    (r"must be a positive number", N_("Write a positive number here.")),
    (r"give the customer's external id", N_("Give the customer's ID.")),
    (rf"no customer {_VALUE} in this workspace",
     N_("There is no customer %(value)s in this workspace.")),
    (r"describe the requirement", N_("Describe the requirement.")),
    (r"is not (a field of a (pilot|requirement|rollout step)"
     r"|part of a group \(filters or customers\))", N_("This field is not known here.")),
    (r"give a list of steps", N_("Give a list of rollout steps.")),
    (r"give at most (?P<limit>\d+) steps", N_("Give at most %(limit)s rollout steps.")),
    (r"a step has a name, planned_on, status and a note",
     N_("A rollout step has a name, a planned date, a status and a note.")),
    (r"name the step( \(e\.g\. .+\))?", N_("Give the rollout step a name.")),
)  # fmt: skip
# Journey map (kano.adapters.web.routes.journeys, kano.analytics.journeys.inputs,
# kano.adapters.db.journey_store), metric explorer and CX overview
# (kano.adapters.web.routes.metrics, kano.adapters.web.cx_overview,
# kano.adapters.warehouse.reading, kano.metrics.request/star/binding), the public survey and
# staff entry (kano.domain.feedback.surveys.answers_to, kano.domain.feedback.answers,
# kano.adapters.db.feedback_intake and survey_store).
_MORE: tuple[tuple[str, str], ...] = (
    (r"the period start (?P<start>\S+) is not before its end (?P<end>\S+)",
     N_("The period must start before it ends (%(start)s – %(end)s).")),
    (rf"unknown segment {_VALUE}", N_("%(value)s is not a segment of this workspace.")),
    (r"link the pain point to one initiative or one OKR objective",
     N_("Link the pain point to one initiative or one OKR objective.")),
    (rf"unknown touchpoint {_VALUE}", N_("%(value)s is not a touchpoint of this journey.")),
    (r"at most (?P<limit>[\d,]+) characters", N_("Write at most %(limit)s characters.")),
    (rf"a journey {_VALUE} exists already", N_("A journey %(value)s exists already.")),
    (r"survey or process", N_("Choose a survey or a process.")),
    (rf"unknown survey {_VALUE}", N_("%(value)s is not a survey of this workspace.")),
    (rf"unknown initiative {_VALUE}", N_("%(value)s is not an initiative of this workspace.")),
    (rf"unknown OKR objective {_VALUE}",
     N_("%(value)s is not an OKR objective of this workspace.")),
    (r"must not be empty", N_("Please fill this in.")),
    (rf"unknown team {_VALUE}", N_("%(value)s is not a team of this workspace.")),
    (rf"unknown stage {_VALUE}", N_("%(value)s is not a stage of this journey.")),
    (r"choose a slice and give at least one value",
     N_("Choose a slice and give at least one value.")),
    (r"a slice is named twice in (?P<choices>.+)", N_("A slice is named twice: %(choices)s.")),
    (r"choose one period grain, not .+", N_("Choose one period grain only.")),
    (r"starts (?P<start>\S+) after it ends (?P<end>\S+)",
     N_("The period must not start after it ends (%(start)s – %(end)s).")),
    (rf"filter periods with from/to, not {_VALUE}",
     N_("Filter the period with the From and To dates, not with %(value)s.")),
    (r"needs at least one value", N_("Give at least one value.")),
    (rf"cannot slice by {_VALUE} here; choose from (?P<choices>.+)",
     N_("This metric cannot be sliced by %(value)s; choose from: %(choices)s.")),
    (r"not available here; choose from (?P<choices>.+)",
     N_("This filter is not available here; choose from: %(choices)s.")),
    (r"cannot slice by (?P<grain>\w+) here",
     N_("This metric cannot be sliced by %(grain)s.")),
    (rf"{_VALUE} is not an? (?P<kind>[a-z]+\d*)",
     N_("%(value)s is not a value this filter can take.")),
    (r"give a value or a list of values", N_("Give a value or a list of values.")),
    (rf"{_VALUE}: write NAME=VALUE or NAME=VALUE1,VALUE2",
     N_("%(value)s: write NAME=VALUE or NAME=VALUE1,VALUE2.")),
    (r"must be between (?P<first>\S+) and (?P<last>\S+)",
     N_("Give a date from %(first)s to %(last)s.")),
    (r"give both ends of the period \(`[^`]+` is given\)",
     N_("Give both ends of the period.")),
    (r"must not be before `[^`]+`", N_("The period must not end before it starts.")),
    (r"is nested too deeply", N_("The condition is nested too deeply.")),
    (r"this survey has no such question", N_("This survey has no such question.")),
    (r"answer both questions of this pair", N_("Answer both questions of the pair.")),
    (r"choose one of the five answers", N_("Choose one of the five answers.")),
    (r"answer this question", N_("Please answer this question.")),
    (r"(choose one number|must be a whole number) from (?P<low>-?\d+) to (?P<high>-?\d+)",
     N_("Choose one number from %(low)s to %(high)s.")),
    (r"must be from (?P<low>-?\d+) to (?P<high>-?\d+), not .+",
     N_("Choose one number from %(low)s to %(high)s.")),
    (r"is longer than (?P<limit>[\d,]+) characters", N_("Write at most %(limit)s characters.")),
    (r"choose one answer", N_("Choose one answer.")),
    (rf"{_VALUE} is not one of the choices", N_("Choose from the answers offered.")),
    (r"answer at least one question( \(nps, csat, ces, rating, comment\))?",
     N_("Please answer at least one question.")),
    (r"unknown question; use (?P<choices>.+)",
     N_("This survey has no such question; use one of: %(choices)s.")),
    (rf"no survey {_VALUE} in this workspace",
     N_("There is no survey %(value)s in this workspace.")),
    (rf"no touchpoint {_VALUE}( in this workspace)?",
     N_("There is no touchpoint %(value)s in this workspace.")),
    (r"write a name of 1 to (?P<limit>\d+) characters",
     N_("Write a name of 1 to %(limit)s characters.")),
    (r"use 1–40 lower-case letters, digits, - or _",
     N_("Use 1–40 lower-case letters, digits, - or _.")),
    (rf"the survey {_VALUE} exists already", N_("A survey %(value)s exists already.")),
    (rf"the survey {_VALUE} is closed and takes no answers",  # survey_status.SurveyClosed
     N_("The survey %(value)s is closed: reopen it on its page to record answers.")),
)  # fmt: skip
# The metric explorer's extra condition (kano.metrics.expressions and expression_ibis):
# "… at column 7 of 'amount > (1'". The reader is told the character where it went wrong
# and what to write; the condition's own words (names, operators, 'in') stay as typed.
_AT = r" at column (?P<column>\d+) of (?:'.*'|\".*\")"
_CONDITION: tuple[tuple[str, str], ...] = (
    (rf"unknown name {_VALUE} \(known: (?P<choices>.+)\){_AT}",
     N_("At character %(column)s: %(value)s is not a name this metric knows; use one of: "
        "%(choices)s.")),
    (rf"the quote opened here is not closed{_AT}",
     N_("Close the quote opened at character %(column)s.")),
    (rf"(?P<typed>'[^']+') is not an operator here; write (?P<hint>\S+){_AT}",
     N_("At character %(column)s: %(typed)s is not an operator here; write %(hint)s.")),
    (rf"unexpected character (?P<typed>'.'|\".\"){_AT}",
     N_("At character %(column)s: %(typed)s cannot be used in a condition.")),
    (rf"expected (?P<expected>'[^']+') before the end{_AT}",
     N_("%(expected)s is missing at the end of the condition.")),
    (rf"expected (?P<expected>'[^']+'), found (?P<found>'.*'|\".*\"){_AT}",
     N_("At character %(column)s: write %(expected)s here, not %(found)s.")),
    (rf"this '\)' closes no '\('{_AT}",
     N_("At character %(column)s: this ')' closes no '(': remove it or add the '('.")),
    (rf"unexpected (?P<found>'.*'|\".*\") after a complete condition{_AT}",
     N_("At character %(column)s: %(found)s does not follow from what comes before; "
        "is an operator (such as = or and) missing?")),
    (rf"expected a value before the end{_AT}",
     N_("The condition stops too early: give a value (a name, a number or 'text') "
        "after the last operator.")),
    (rf"expected a value \(a name, a number or 'text'\), found (?P<found>'.*'|\".*\"){_AT}",
     N_("At character %(column)s: a value (a name, a number or 'text') belongs here, "
        "not %(found)s.")),
    (rf"empty expression{_AT}", N_("Write a condition, or leave the field empty.")),
    (rf"expected 'in' after 'not'{_AT}",
     N_("At character %(column)s: write 'not in (…)', or put 'not' before the whole "
        "condition.")),
    (rf"a list may hold only literal numbers or strings{_AT}",
     N_("At character %(column)s: a list in (…) may hold only numbers and 'quoted text'.")),
    (rf"only a number can be negative{_AT}",
     N_("At character %(column)s: only a number can have a minus sign.")),
    (rf"compare with null using 'is null' or 'is not null'{_AT}",
     N_("At character %(column)s: compare with null by writing 'is null' or "
        "'is not null'.")),
    (rf"unknown function {_VALUE} \(known: (?P<choices>.+)\){_AT}",
     N_("At character %(column)s: %(value)s is not a function; use one of: %(choices)s.")),
    (rf"(?P<function>\w+)\(\) takes (?P<count>\d+) arguments{_AT}",
     N_("At character %(column)s: %(function)s() takes this many values: %(count)s.")),
    (rf"(?P<function>\w+)\(\) takes two or more arguments{_AT}",
     N_("At character %(column)s: %(function)s() takes two or more values.")),
    (rf"types do not fit together \([\s\S]*\){_AT}",  # the engine's words, lines and all
     N_("The types do not fit together: compare numbers with numbers and text with "
        "'quoted text'.")),
    (rf"this is not a condition \(true or false\){_AT}",
     N_("Write a condition that is true or false, such as amount > 1000.")),
    (rf"'and', 'or' and 'not' need conditions on both sides{_AT}",
     N_("'and', 'or' and 'not' need a condition (true or false) on each side.")),
    # where segment is a set of memberships (kano.metrics.expression_ibis._membership)
    (rf"segments are named by their keys \(text\){_AT}",
     N_("At character %(column)s: name segments by their keys in quotes, such as "
        "'north-keys'.")),
    (rf"a customer can be in several segments: compare segment only with .+{_AT}",
     N_("At character %(column)s: a customer can be in several segments, so compare "
        "segment only with = 'key', != 'key', in ('key', …), not in (…) or is [not] null.")),
)  # fmt: skip
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(f"^{pattern}$"), text)
    for pattern, text in _PILOTS_AND_REQUIREMENTS + _MORE + _CONDITION
)
UNKNOWN_SHAPE = N_("Check the value and try again.")


# A refusal the warehouse names by its slice first (``segment: not available here; …``).
_NAMED = re.compile(r"^(?P<name>[a-z_][a-z0-9_]*): (?P<rest>.+)$", re.DOTALL)

# The keys a refusal lists (slices, grains, statuses, choices) are named the way the page
# names them (``names``: key → label, a catalogue text or the page's own words) in these
# groups; a condition's names are syntax the reader types, and stay as they are.
_KEY_GROUPS = ("choices", "grain")
_SYNTAX = frozenset(text for _pattern, text in _CONDITION)
_SLICE_VALUE = N_("This metric cannot be sliced by %(value)s; choose from: %(choices)s.")
# A refusal that lists nothing, said with the page's own list when the page gives one (the
# public survey: the question's choices in the respondent's language).
_LISTED = {N_("Choose from the answers offered."): N_("Choose from the answers offered: "
                                                      "%(choices)s.")}

Names = Mapping[str, str]


def _named(key: str, names: Names, gettext: Callable[[str], str]) -> str:
    return gettext(names[key]) if key in names else key


def _known_shape(
    message: str, gettext: Callable[[str], str], names: Names | None = None
) -> str | None:
    for pattern, text in PATTERNS:
        match = pattern.match(message)
        if match is not None:
            values = {name: value.replace(",", "") if name == "limit" else value
                      for name, value in match.groupdict().items() if value}
            if names and text not in _SYNTAX:
                for group in _KEY_GROUPS:
                    if group in values:
                        values[group] = ", ".join(_named(key, names, gettext)
                                                  for key in values[group].split(", "))
                value = values.get("value", "")
                if text == _SLICE_VALUE and value[1:-1] in names:
                    values["value"] = value[0] + _named(value[1:-1], names, gettext) + value[0]
                if text in _LISTED:
                    text = _LISTED[text]
                    values["choices"] = ", ".join(gettext(label) for label in names.values())
            return gettext(text) % values if values else gettext(text)
    return None


def problem_text(
    message: str, gettext: Callable[[str], str], language: str, names: Names | None = None
) -> str:
    """The domain's ``message`` as the reader of ``language`` should read it, each key it
    lists (a slice, a status, a choice) named as ``names`` has it (key → label).

    A page's own refusal (an ``N_`` text of the catalogue, such as a form's "Choose a
    metric of the catalogue.") passes too and reads as its translation, so every page shows
    refusals through this one function (the ``refusal`` template filter)."""
    known = _known_shape(message, gettext, names)
    if known is not None:
        return known
    named = _NAMED.match(message)
    if named is not None:
        rest = _known_shape(named["rest"], gettext, names)
        if rest is not None:
            return f"{_named(named['name'], names or {}, gettext)}: {rest}"
    if language == "en":
        return message
    translated = gettext(message)
    return translated if translated != message else gettext(UNKNOWN_SHAPE)


def refusal_filter(gettext: Callable[[str], str], language: str) -> Callable[..., str]:
    """The template filter ``refusal``: ``{{ error.message|refusal }}``, or with the page's
    names of the keys a refusal may list: ``{{ error.detail|refusal(statuses, steps) }}``
    (mappings of key → label; a later one wins)."""

    def refusal(message: str, *names: Names) -> str:
        merged = {key: label for mapping in names for key, label in mapping.items()}
        return problem_text(message, gettext, language, merged or None)

    return refusal
