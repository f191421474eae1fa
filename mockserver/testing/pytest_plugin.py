"""The pytest plugin (``pytest11`` entry point ``mockserver``).

Fixtures:
- ``mockserver_session``: one server for the whole session.
- ``mock_server``: the same server, with state reset before each test; a failure inside the
  server is re-raised in the test that caused it.
- ``mockserver_stubs``: its stubs (``.add(...)``, ``.load(path)``), cleared before each test.
- ``openai_client`` / ``async_openai_client``: SDK clients pointed at it.

``@pytest.mark.mockserver_cassette`` replays (and records) a test's own cassette: see
``pytest_recordings.py`` and docs/record-replay.md.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import pytest

from mockserver.http.server import MockServer
from mockserver.scenarios.stubs.api import Stubs
from mockserver.testing import hypothesis_profiles, pytest_recordings

try:  # pytest-asyncio's default (strict) mode ignores async fixtures made by plain @pytest.fixture
    from pytest_asyncio import fixture as async_fixture
except ImportError:  # without it, anyio's pytest plugin drives plain async fixtures
    async_fixture = pytest.fixture

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
    parser.addini(
        "mockserver_hypothesis_profile",
        "Hypothesis profile to load (dev or ci) unless $HYPOTHESIS_PROFILE or "
        "--hypothesis-profile names one",
        default="",
    )
    pytest_recordings.add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    pytest_recordings.configure(config)
    if not config.getoption("hypothesis_profile", None):
        try:
            hypothesis_profiles.load(config.getini("mockserver_hypothesis_profile") or None)
        except Exception as exc:  # hypothesis.errors.InvalidArgument: an unknown profile
            raise pytest.UsageError(
                f"{exc} Set {hypothesis_profiles.ENV_VAR} to one of "
                f"{', '.join(hypothesis_profiles.PROFILES)} (or a profile you registered)."
            ) from None


@pytest.fixture(scope="session")
def mockserver_session(
    pytestconfig: pytest.Config, request: pytest.FixtureRequest
) -> Iterator[MockServer]:
    replay = pytest_recordings.replay_options(pytestconfig, request.session)
    with MockServer(self_check=pytestconfig.getini("mockserver_self_check"), **replay) as server:
        yield server


@pytest.fixture
def mock_server(
    mockserver_session: MockServer, request: pytest.FixtureRequest
) -> Iterator[MockServer]:
    mockserver_session.reset()
    pytest_recordings.enter_test(mockserver_session, request.node)
    yield mockserver_session
    mockserver_session.raise_failures()
    pytest_recordings.leave_test(mockserver_session)


@pytest.fixture
def mockserver_stubs(mock_server: MockServer) -> Stubs:
    """The stubs of the reset server (stubs added in a test are dropped before the next)."""
    return mock_server.stubs


@pytest.fixture
def openai_client(mock_server: MockServer) -> Iterator[openai.OpenAI]:
    import openai

    client = openai.OpenAI(base_url=mock_server.base_url, api_key=MOCK_API_KEY, max_retries=0)
    with client:
        yield client


@async_fixture
async def async_openai_client(mock_server: MockServer) -> AsyncIterator[openai.AsyncOpenAI]:
    import openai

    client = openai.AsyncOpenAI(base_url=mock_server.base_url, api_key=MOCK_API_KEY, max_retries=0)
    async with client:
        yield client
