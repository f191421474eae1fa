"""Shared test setup."""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest
from redis_server import MISSING, redis_binary, running_redis

pytest_plugins = ["pytester"]


def _load_the_sdks_http_stack() -> None:
    """Import, now, every module the SDK's HTTP clients import lazily.

    In-process pytester runs (``runpytest()``, ``runpytest_inprocess()``) snapshot
    ``sys.modules`` and afterwards delete every module first imported during the run. The SDK's
    HTTP library imports its transport (``httpcore2`` under openai 3.x) lazily, on the first
    client, and maps the transport's exceptions to its own through a module-level table filled
    on first use. When the first client lives inside an inline run, the transport is unloaded
    after it while the table keeps its classes; the next client imports a second copy, whose
    ``RemoteProtocolError`` the table no longer recognises, so a cut reply escapes the SDK raw
    instead of as ``openai.APIConnectionError`` (contract_tests/test_faults.py, whenever an
    inline run happened earlier in the same process, e.g. in the same xdist worker). Building a
    client here, before any snapshot, keeps one copy for the whole session (the async client's
    modules come with the same import).
    """
    openai.OpenAI(api_key="sk-preload", base_url="http://127.0.0.1:9/v1").close()


_load_the_sdks_http_stack()
@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real redis-server for this test session (skips, naming the binary, without one)."""
    if redis_binary() is None:
        pytest.skip(MISSING)
    with running_redis() as url:
        yield url
