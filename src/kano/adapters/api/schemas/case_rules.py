"""Case rules and the case routing table: the whole ordered list, read and replaced as one."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from kano.adapters.api.schemas.editing import Key, RequestBody

Text = Annotated[str, Field(min_length=1, max_length=200)]


class CaseRuleSpec(RequestBody):
    key: Key
    kind: Literal["score", "keyword", "vip", "segment", "sentiment"] = Field(
        description="What opens the case: a score, a keyword in the comment, a VIP customer, "
        "a customer in a segment or a comment that reads negative (the workspace's sentiment "
        "model; none trained yet: the rule does not fire)."
    )
    question: Literal["nps", "csat", "ces", "rating"] | None = Field(
        None,
        description="The score compared; on keyword, vip, segment and sentiment rules it "
        "narrows the rule (both must hold). CES is agreement 1–7 where low means hard.",
    )
    comparison: Literal["<=", "<", ">=", ">", "="] = "<="
    threshold: int = Field(0, ge=0, le=10)
    keywords: list[Text] = Field(
        default_factory=list, max_length=200, description="Case-insensitive."
    )
    segment: Key | None = Field(None, description="Key of the segment (segment rules).")
    vip_attribute: bool = Field(
        False, description="A customer with the attribute `vip: true` is a VIP (vip rules)."
    )
    vip_accounts: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=list, max_length=10_000, description="External ids of VIP accounts."
    )
    priority: int = Field(2, ge=1, le=5, description="1 is the most urgent.")
    first_response_hours: float = Field(4.0, gt=0, le=10_000, description="Business hours.")
    resolution_hours: float = Field(24.0, gt=0, le=10_000, description="Business hours.")
    team: Key | None = Field(
        None, description="Key of the team the case goes to; none: the routing table."
    )
    enabled: bool = True
    threshold_probability: float = Field(
        0.8,
        gt=0,
        le=1,
        description="Sentiment rules: the probability of negative (0–1] from which the "
        "comment opens a case.",
    )


class CaseRouteSpec(RequestBody):
    touchpoint: Key | None = None
    segment: Key | None = None
    team: Key


class CaseRulesIn(RequestBody):
    rules: list[CaseRuleSpec] = Field(
        max_length=500,
        description="In order; the most urgent match wins, the earlier on a "
        "tie. An empty list goes back to the default rules.",
    )
    routes: list[CaseRouteSpec] = Field(
        default_factory=list,
        max_length=2_000,
        description="Touchpoint and/or segment → team; the most specific line wins "
        "(touchpoint and segment, then segment, then touchpoint), else the touchpoint's owner.",
    )


class CaseRulesOut(BaseModel):
    rules: list[CaseRuleSpec]
    routes: list[CaseRouteSpec]
    defaults: bool = Field(
        description="True when the workspace has no rules of its own and "
        "the listed default rules apply."
    )
    warnings: list[str] = Field(
        default_factory=list,
        description="Valid rules that will not fire yet, e.g. a sentiment rule while no "
        "sentiment model is trained (kano text train, or the worker after a warehouse load).",
    )
