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
from collections.abc import Callable

from kano.adapters.web.routes.navigation import N_

_VALUE = r"(?P<value>'.*'|\".*\")"
# Domain messages that pilot, requirement and journey forms can show (kano.domain.pilots,
# kano.domain.feedback.requirements and their stores), each with the reader's words.
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(f"^{pattern}$"), text)
    for pattern, text in (
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
        (rf"{_VALUE} is not one of (?P<choices>.+)", N_("%(value)s is not one of: %(choices)s.")),
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
        (r"is not a field of a (pilot|requirement)", N_("This field is not known here.")),
    )
)  # fmt: skip
UNKNOWN_SHAPE = N_("Check the value and try again.")


def problem_text(message: str, gettext: Callable[[str], str], language: str) -> str:
    """The domain's ``message`` as the reader of ``language`` should read it."""
    for pattern, text in PATTERNS:
        match = pattern.match(message)
        if match is not None:
            values = {name: value for name, value in match.groupdict().items() if value}
            return gettext(text) % values if values else gettext(text)
    return message if language == "en" else gettext(UNKNOWN_SHAPE)
