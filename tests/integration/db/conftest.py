"""Account tests hash passwords with the production argon2 parameters, not the cheap
ones the rest of the suite uses (tests/conftest.py), so the stored hash is what a
deployment stores."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kano.adapters.db import accounts
from tests.conftest import PRODUCTION_PASSWORD_HASHER


@pytest.fixture(autouse=True)
def production_password_hashing(cheap_password_hashing: None) -> Iterator[None]:
    cheap = accounts._hasher
    accounts._hasher = PRODUCTION_PASSWORD_HASHER
    accounts._dummy_hash.cache_clear()
    yield
    accounts._hasher = cheap
    accounts._dummy_hash.cache_clear()
