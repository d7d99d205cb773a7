"""Survey quotas (SPEC 2.4): how many responses a survey takes, overall or of one kind.

A quota has a name, a limit and an optional condition on who counts: any combination of
channel, language, the customer's segment, the touchpoint and one answer — an option of
a single or multi choice question ("Plan = Enterprise"; a multi choice answer counts if
the option is among those chosen) — unset: any. A response counts against *every* quota
of its survey whose condition it matches.

An answer quota is the same rule as the others: full, it refuses the collection channels'
responses that carry that answer, and only those. A page cannot know the answer before it
is given, so such a quota never closes a page or the widget in advance, and never stops
invitations (the contact may answer otherwise); the refusal comes when the answer is sent.

Two kinds of intake, two behaviours once a quota is full:

- **Collection channels** (:data:`REFUSING_CHANNELS`: the public link page, the widget,
  e-mail invitation links) ask the respondent for an answer, so a full quota refuses
  further matching responses there: the respondent sees a polite "this survey has
  reached its number of responses" and nothing is stored. Invitations are not sent for a
  contact who would only meet a full quota.
- **Recording channels** (the REST API, its bulk form, staff entry, file import) record
  feedback the customer already gave elsewhere — a call, a meeting, another tool's
  export. They are never refused by a quota (refusing would lose data the customer has
  already given, and an import would fail half-way through a file), but their responses
  do count, so a quota can show more than its limit.

A quota created on a survey that has responses already starts at the number of those
that match its condition (counted once, when it is created); its condition cannot change
afterwards (delete it and add another), its name and limit can.

A quota by answer means something only while the survey asks that question and option:
saving a definition that removes them is refused naming the quotas
(:class:`QuotasLoseAnswer`) unless the user confirms their deletion with it, and a quota
orphaned by an older Kano is flagged (:func:`answer_asked`).

Everything here is pure: matching, counting a batch, checking input. The adapters keep
the counter (``kano.adapters.db.quotas``) exact under concurrency.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kano.domain.feedback.answers import LANGUAGES
from kano.domain.feedback.surveys import CHOICE_TYPES, ExtraAnswer, SurveyDefinition
from kano.domain.shared.errors import InvalidInput

REFUSING_CHANNELS = ("link", "widget", "email")
"""The respondent-facing collection channels a full quota refuses."""
KANO_CHANNELS = (*REFUSING_CHANNELS, "api", "call", "meeting", "account-review", "import")
"""The channels Kano's own intake writes (the API's default is ``api``, file imports'
``import``, staff entry's ``call``, ``meeting`` and ``account-review``). A quota may also
name a channel one of the workspace's touchpoints has (see :func:`checked_channel`)."""
INVITATION_CHANNELS = (None, "email")
"""Quotas that stop invitations: those on every channel and those on e-mail."""
NAME_MAX_LENGTH = 120
LIMIT_MAX = 100_000_000


@dataclass(frozen=True)
class ResponseFacts:
    """What a quota's condition looks at in a response."""

    channel: str
    language: str | None = None
    segment_id: int | None = None
    """The customer's segment (None: anonymous or in no segment)."""
    touchpoint_id: int | None = None
    choices: frozenset[tuple[str, str]] = frozenset()
    """The (question key, option key) pairs the respondent chose (see :func:`chosen`)."""


def chosen(extra: Iterable[ExtraAnswer]) -> frozenset[tuple[str, str]]:
    """The (question, option) pairs of a response's extra answers: a single choice is one
    option, a multi choice the options joined by "," (other answers give pairs no choice
    quota names, which is harmless)."""
    return frozenset(
        (answer.question, option)
        for answer in extra if answer.kano_category is None
        for option in answer.value.split(",") if option
    )


@dataclass(frozen=True)
class QuotaCondition:
    """Who counts: None in a field means any."""

    channel: str | None = None
    language: str | None = None
    segment_id: int | None = None
    touchpoint_id: int | None = None
    question: str | None = None
    option: str | None = None
    """With ``question``: only responses that chose this option of that question count."""

    def matches(self, response: ResponseFacts) -> bool:
        return (
            (self.channel is None or self.channel == response.channel)
            and (self.language is None or self.language == response.language)
            and (self.segment_id is None or self.segment_id == response.segment_id)
            and (self.touchpoint_id is None or self.touchpoint_id == response.touchpoint_id)
            and (self.question is None or (self.question, self.option) in response.choices)
        )

    @property
    def needs_segment(self) -> bool:
        return self.segment_id is not None


@dataclass(frozen=True)
class Quota:
    id: int
    name: str
    limit: int
    filled: int
    condition: QuotaCondition = QuotaCondition()

    @property
    def full(self) -> bool:
        return self.filled >= self.limit

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.filled)

    @property
    def share(self) -> float:
        """How full, 0.0–1.0 (a quota over-filled by recording channels shows 1.0)."""
        return min(1.0, self.filled / self.limit) if self.limit > 0 else 1.0

    @property
    def stops_invitations(self) -> bool:
        """Not an answer quota: an invited contact may answer otherwise."""
        return self.condition.channel in INVITATION_CHANNELS and self.condition.question is None


class QuotaFull(Exception):
    """A collection channel's response meets a full quota (nothing is stored)."""

    def __init__(self, quota: str) -> None:
        super().__init__(f"the quota {quota!r} is full")
        self.quota = quota


def matching(quotas: Iterable[Quota], response: ResponseFacts) -> list[Quota]:
    """The quotas ``response`` counts against, in id order (the order places are taken
    in, so two transactions never wait for each other's rows crosswise)."""
    return sorted((q for q in quotas if q.condition.matches(response)), key=lambda q: q.id)


def first_full(quotas: Iterable[Quota], response: ResponseFacts) -> Quota | None:
    """The first full quota that ``response`` would count against, if any."""
    return next((q for q in matching(quotas, response) if q.full), None)


def counts_of(quotas: Sequence[Quota], responses: Iterable[ResponseFacts]) -> dict[int, int]:
    """How many of ``responses`` count against each quota (quotas none counts against
    are left out): what a batch adds to each counter."""
    counts: dict[int, int] = {}
    for response in responses:
        for quota in quotas:
            if quota.condition.matches(response):
                counts[quota.id] = counts.get(quota.id, 0) + 1
    return counts


def checked_name(name: str) -> str:
    name = name.strip()
    if not 0 < len(name) <= NAME_MAX_LENGTH or any(ord(c) < 32 for c in name):
        raise InvalidInput("name", f"write a name of 1 to {NAME_MAX_LENGTH} characters")
    return name


def checked_limit(limit: object) -> int:
    if isinstance(limit, str) and limit.strip().isdigit():
        limit = int(limit.strip())
    if isinstance(limit, bool) or not isinstance(limit, int) or not 0 < limit <= LIMIT_MAX:
        raise InvalidInput("limit", f"a whole number of responses from 1 to {LIMIT_MAX:,}")
    return limit


def checked_channel(channel: str | None, other_known: Iterable[str] = ()) -> str | None:
    """None (any channel), one of :data:`KANO_CHANNELS` or of ``other_known`` (the
    channels of the workspace's touchpoints)."""
    if channel is None or not channel.strip():
        return None
    channel = channel.strip()
    known = set(KANO_CHANNELS) | set(other_known)
    if channel not in known:
        raise InvalidInput("channel", f"use one of {', '.join(sorted(known))}")
    return channel


def checked_language(language: str | None) -> str | None:
    if language is None or not language.strip():
        return None
    language = language.strip()
    if language not in LANGUAGES:
        raise InvalidInput("language", f"use one of {', '.join(LANGUAGES)}")
    return language


def checked_answer(definition: SurveyDefinition, question: str | None,
                   option: str | None) -> tuple[str, str] | None:
    """None (any answer) or a (question, option) pair of the survey: the question a single
    or multi choice one, the option one of its choices. Both or neither."""
    question = (question or "").strip() or None
    option = (option or "").strip() or None
    if question is None and option is None:
        return None
    asked = [q for q in definition.questions if q.type in CHOICE_TYPES]
    found = next((q for q in asked if q.key == question), None)
    if found is None:
        keys = ", ".join(q.key for q in asked) or "none: the survey has no choice question"
        raise InvalidInput("question", f"name a single or multi choice question of the "
                           f"survey ({keys})")
    if option not in found.choice_keys():
        raise InvalidInput("option", f"use one of {', '.join(found.choice_keys())}")
    return found.key, option


def answer_asked(definition: SurveyDefinition, question: str | None,
                 option: str | None) -> bool:
    """Whether the survey still asks the answer a quota counts (True for a quota on no
    answer): a quota whose question or option was removed would never match again."""
    if question is None:
        return True
    found = next((q for q in definition.questions
                  if q.key == question and q.type in CHOICE_TYPES), None)
    return found is not None and option in found.choice_keys()


class QuotasLoseAnswer(InvalidInput):
    """A new definition of a survey removes the question or option that quotas count
    (``quotas``: their names): saved, they would never match again, silently. The
    caller refuses it or, on explicit confirmation, deletes those quotas with it."""

    code = "quota_answer_removed"

    def __init__(self, quotas: Sequence[str]) -> None:
        names = ", ".join(repr(name) for name in quotas)
        if len(quotas) == 1:
            message = (f"the quota {names} counts an answer this survey would no longer "
                       f"ask: keep its question and option, or delete the quota with the "
                       f"change")
        else:
            message = (f"the quotas {names} count answers this survey would no longer "
                       f"ask: keep their questions and options, or delete the quotas with "
                       f"the change")
        super().__init__("questions", message)
        self.quotas = tuple(quotas)

    def details(self) -> dict[str, object]:
        return {"quotas": list(self.quotas)}
