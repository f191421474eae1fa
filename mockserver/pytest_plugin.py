"""The pytest plugin (``pytest11`` entry point ``mockserver``).

Fixtures:
- ``mockserver_session``: one server for the whole session.
- ``mock_server``: the same server, with state reset before each test; a failure inside the
  server is re-raised in the test that caused it.
- ``openai_client`` / ``async_openai_client``: SDK clients pointed at it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import pytest

from .server import MockServer

if TYPE_CHECKING:
    import openai

MOCK_API_KEY = "sk-mockserver-test"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "mockserver_self_check",
        "validate every body and SSE event the mock emits against its schemas (slower)",
        type="bool",
        default=False,
    )


@pytest.fixture(scope="session")
def mockserver_session(pytestconfig: pytest.Config) -> Iterator[MockServer]:
    with MockServer(self_check=pytestconfig.getini("mockserver_self_check")) as server:
        yield server


@pytest.fixture
def mock_server(mockserver_session: MockServer) -> Iterator[MockServer]:
    mockserver_session.reset()
    yield mockserver_session
    mockserver_session.raise_failures()


@pytest.fixture
def openai_client(mock_server: MockServer) -> Iterator[openai.OpenAI]:
    import openai

    client = openai.OpenAI(base_url=mock_server.base_url, api_key=MOCK_API_KEY, max_retries=0)
    with client:
        yield client


@pytest.fixture
async def async_openai_client(mock_server: MockServer) -> AsyncIterator[openai.AsyncOpenAI]:
    import openai

    client = openai.AsyncOpenAI(base_url=mock_server.base_url, api_key=MOCK_API_KEY, max_retries=0)
    async with client:
        yield client
