"""Contract tests: one set of SDK-only tests, run against a chosen target.

``--target mock|live|replay`` (or ``$MOCKSERVER_TARGET``; default ``mock``). ``mock`` starts this
project's server once per session (with self-check: every emitted body and event is validated
against ``schemas/``), resets it before each test and re-raises, in the test, any exception that
escaped a handler. ``live`` talks to the real API (``OPENAI_API_KEY``, ``OPENAI_BASE_URL``).
``replay`` is reserved for recordings (see ``targets.py`` for how a module plugs it in).

Fixtures: ``target`` (the name), ``client``, ``async_client``, ``model``, ``on_mock``.
Markers: ``mock_only`` and ``live_only`` skip a test on the other targets; ``drawn_inputs`` marks
a Hypothesis-driven test, which runs against the mock and the live API but cannot be replayed
(its draws change whenever local code changes: Hypothesis mixes in literals from loaded modules);
``not_recorded(reason)`` marks traffic no recording holds (sockets, framework loops), skipped on
the replay target with its reason.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import openai
import pytest

from . import replay_target  # noqa: F401  (registers --target replay)
from .targets import (
    MOCK_API_KEY,
    ContractTarget,
    ContractTargetHooks,
    build_target,
    contract_model,
    selected_target,
)

# Reads and streams of a few hundred tokens; generous for the live API, never reached on mock.
TIMEOUT_SECONDS = 120.0
WRONG_API_KEY = "sk-contract-tests-not-a-real-key-0000"


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(ContractTargetHooks)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contract tests")
    group.addoption(
        "--target",
        dest="contract_target",
        default=None,
        metavar="NAME",
        help="run contract_tests/ against NAME: mock (default), live or replay "
        "(also $MOCKSERVER_TARGET)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "mock_only: checks a behaviour of the mock server; skipped on other targets"
    )
    config.addinivalue_line(
        "markers", "drawn_inputs: Hypothesis draws the requests; skipped on the replay target"
    )
    config.addinivalue_line(
        "markers",
        "not_recorded(reason): traffic no recording holds (sockets, framework loops); skipped "
        "on the replay target with the reason",
    )
    if not any(line.startswith("live_only:") for line in config.getini("markers")):
        config.addinivalue_line("markers", "live_only: runs only against the live API")
    selected_target(config)  # an unknown name is a usage error before anything runs


def pytest_report_header(config: pytest.Config) -> str:
    return f"contract target: {selected_target(config)}"


@pytest.fixture(scope="session")
def contract_target(pytestconfig: pytest.Config) -> Iterator[ContractTarget]:
    built = build_target(selected_target(pytestconfig), pytestconfig)
    try:
        if built.skip_reason:
            pytest.skip(built.skip_reason)
        yield built
    finally:
        built.close()


@pytest.fixture(autouse=True)
def _contract_isolation(request: pytest.FixtureRequest) -> Iterator[None]:
    # The target first: when it cannot run, every test is skipped with the target's own reason.
    current: ContractTarget = request.getfixturevalue("contract_target")
    if request.node.get_closest_marker("mock_only") and not current.mock:
        pytest.skip(f"mock_only: checks a mock server behaviour; the target is {current.name!r}")
    if request.node.get_closest_marker("drawn_inputs") and current.name == "replay":
        pytest.skip(
            "drawn_inputs: Hypothesis draws these requests, and its draws change with any change "
            "to local code, so no recording can match them; they run against mock and live"
        )
    not_recorded = request.node.get_closest_marker("not_recorded")
    if not_recorded and current.name == "replay":
        pytest.skip(not_recorded.args[0])
    if request.node.get_closest_marker("live_only") and current.name != "live":
        pytest.skip(f"live_only: needs the real API; the target is {current.name!r}")
    if current.before_test:
        current.before_test()
    yield
    if current.after_test:
        current.after_test()


@pytest.fixture
def target(contract_target: ContractTarget) -> str:
    return contract_target.name


@pytest.fixture
def on_mock(contract_target: ContractTarget) -> bool:
    """True when the answers come from this project's server (directly, or replayed from
    recordings it generated), not from the real API or live recordings."""
    return contract_target.mock or contract_target.generated


@pytest.fixture
def model() -> str:
    return contract_model()


@pytest.fixture
def client(contract_target: ContractTarget) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(
        base_url=contract_target.base_url,
        api_key=contract_target.api_key,
        max_retries=contract_target.max_retries,
        timeout=TIMEOUT_SECONDS,
    ) as sync_client:
        yield sync_client


@pytest.fixture
def wrong_key_client(
    contract_target: ContractTarget, client: openai.OpenAI
) -> Iterator[openai.OpenAI]:
    """A client whose key the target rejects (401 ``invalid_api_key``).

    The session mock accepts any key, so on mock this is a second server that only accepts
    another key; elsewhere it is the target with a key that cannot be valid.
    """
    if not contract_target.mock:
        yield client.with_options(api_key=WRONG_API_KEY, max_retries=0)
        return
    from mockserver import MockServer

    with (
        MockServer(api_key=f"{MOCK_API_KEY}-only", self_check=True) as server,
        openai.OpenAI(base_url=server.base_url, api_key=WRONG_API_KEY, max_retries=0) as rejected,
    ):
        yield rejected


@pytest.fixture
async def async_client(contract_target: ContractTarget) -> AsyncIterator[openai.AsyncOpenAI]:
    async with openai.AsyncOpenAI(
        base_url=contract_target.base_url,
        api_key=contract_target.api_key,
        max_retries=contract_target.max_retries,
        timeout=TIMEOUT_SECONDS,
    ) as async_sdk_client:
        yield async_sdk_client
