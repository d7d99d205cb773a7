"""The public survey endpoints' safety parts: the rate limiter and the signed link token."""

from __future__ import annotations

from kano.adapters.web.rate_limit import RateLimiter
from kano.adapters.web.survey_links import SurveyLinks


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rate_limiter_counts_each_key_in_its_own_window() -> None:
    clock = Clock()
    limiter = RateLimiter(3, 60.0, clock)
    assert [limiter.hit("ip:a") for _ in range(3)] == [None, None, None]
    assert limiter.hit("ip:a") == 60
    assert limiter.hit("ip:b") is None  # another address has its own budget
    clock.now += 45.2
    assert limiter.hit("ip:a") == 15  # seconds until the window ends, rounded up
    clock.now += 15
    assert limiter.hit("ip:a") is None  # a new window


def test_rate_limiter_forgets_expired_keys_when_it_grows() -> None:
    clock = Clock()
    limiter = RateLimiter(1, 60.0, clock)
    for i in range(50_001):
        limiter.hit(f"ip:{i}")
    clock.now += 61
    limiter.hit("ip:new")
    assert len(limiter._counts) == 1


def test_link_token_opens_one_survey_of_one_workspace() -> None:
    links = SurveyLinks("secret-key-0123456789abcdef")
    token = links.token(7, "relationship-nps")
    assert links.workspace_of(token, "relationship-nps") == 7
    assert links.workspace_of(token, "delivery-csat") is None
    assert links.workspace_of(token[:-2] + "xx", "relationship-nps") is None
    assert links.workspace_of("", "relationship-nps") is None
    assert SurveyLinks("another-secret-key-0123456").workspace_of(token, "relationship-nps") \
        is None
    assert links.path(7, "relationship-nps", lang="hu").startswith(
        f"/s/relationship-nps?t={token}&lang=hu")
