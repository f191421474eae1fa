"""Shared test setup."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis_server import MISSING, redis_binary, running_redis

pytest_plugins = ["pytester"]


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real redis-server for this test session (skips, naming the binary, without one)."""
    if redis_binary() is None:
        pytest.skip(MISSING)
    with running_redis() as url:
        yield url
