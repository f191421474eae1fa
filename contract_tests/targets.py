"""Where the contract tests send their requests: the registry of targets.

A *target* is a server the same contract tests run against: ``mock`` (this project's server),
``live`` (the real API) and ``replay`` (recordings, registered by a later module). Each name maps
to a builder ``(pytest.Config) -> ContractTarget``. A module or plugin adds a target either with
:func:`register_target` (import it from ``contract_tests/conftest.py``), or by implementing the
``pytest_contract_target(name, config)`` hook (see :class:`ContractTargetHooks`), which is asked
first and wins when it returns a target.

A builder must not fail when its target cannot run here: it returns a target whose
``skip_reason`` says why, and every contract test is then skipped with that reason.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

DEFAULT_TARGET = "mock"
TARGET_ENV = "MOCKSERVER_TARGET"
MODEL_ENV = "MOCKSERVER_CONTRACT_MODEL"
DEFAULT_MODEL = "gpt-4o-mini"
LIVE_BASE_URL = "https://api.openai.com/v1"
MOCK_API_KEY = "sk-mockserver-contract"


@dataclass
class ContractTarget:
    name: str
    # What the SDK clients get; ``api_key`` None means "let the SDK read OPENAI_API_KEY".
    base_url: str | None = None
    api_key: str | None = None
    max_retries: int = 2
    # True when the answers come from this project's server (``on_mock``, ``mock_only``).
    mock: bool = False
    # Replaying recordings this server generated: the answers are the mock's (``on_mock``), but
    # its mock-only features are not there (``mock_only`` still skips). Set per test by replay.
    generated: bool = False
    # Set when the target cannot run here; every contract test is skipped with this reason.
    skip_reason: str | None = None
    # Called around every test (reset state; re-raise failures inside the server) and at the end.
    before_test: Callable[[], None] | None = None
    after_test: Callable[[], None] | None = None
    closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        while self.closers:
            self.closers.pop()()


TargetBuilder = Callable[[pytest.Config], ContractTarget]
TARGET_BUILDERS: dict[str, TargetBuilder] = {}
# Builders that only say why a target cannot run yet; registering a real one replaces them.
PLACEHOLDERS: list[TargetBuilder] = []


def register_target(name: str, builder: TargetBuilder, *, replace: bool = False) -> None:
    """Make ``--target NAME`` run the contract tests against what ``builder`` returns."""
    current = TARGET_BUILDERS.get(name)
    if current not in (None, builder, *PLACEHOLDERS) and not replace:
        raise ValueError(
            f"contract target {name!r} is already registered; pass replace=True to override it"
        )
    TARGET_BUILDERS[name] = builder


class ContractTargetHooks:
    """Hook specifications added by ``contract_tests/conftest.py``."""

    @pytest.hookspec(firstresult=True)
    def pytest_contract_target(self, name: str, config: pytest.Config) -> ContractTarget | None:
        """Return the target called ``name``, or None to leave it to the registry."""


def selected_target(config: pytest.Config) -> str:
    """The target name from ``--target``, else ``$MOCKSERVER_TARGET``, else ``mock``."""
    name = config.getoption("contract_target", None) or os.environ.get(TARGET_ENV) or ""
    name = name.strip().lower() or DEFAULT_TARGET
    if name not in TARGET_BUILDERS:
        raise pytest.UsageError(
            f"unknown contract target {name!r} (from --target or ${TARGET_ENV}); valid targets: "
            f"{', '.join(sorted(TARGET_BUILDERS))}. Pick one of those, or register a builder "
            "with contract_tests.targets.register_target()."
        )
    return name


def build_target(name: str, config: pytest.Config) -> ContractTarget:
    hooked = config.hook.pytest_contract_target(name=name, config=config)
    return hooked if hooked is not None else TARGET_BUILDERS[name](config)


def contract_model() -> str:
    return os.environ.get(MODEL_ENV, "").strip() or DEFAULT_MODEL


# --- the built-in targets ------------------------------------------------------------------


def mock_target(config: pytest.Config) -> ContractTarget:
    from mockserver import MockServer

    server = MockServer(self_check=True).start()
    return ContractTarget(
        name="mock",
        base_url=server.base_url,
        api_key=MOCK_API_KEY,
        max_retries=0,
        mock=True,
        before_test=server.reset,
        after_test=server.raise_failures,
        closers=[server.stop],
    )


def live_target(config: pytest.Config) -> ContractTarget:
    key = os.environ.get("OPENAI_API_KEY", "").strip()
    return ContractTarget(
        name="live",
        base_url=os.environ.get("OPENAI_BASE_URL", "").strip() or LIVE_BASE_URL,
        api_key=key or None,
        skip_reason=None if key else "live target needs OPENAI_API_KEY",
    )


def replay_target(config: pytest.Config) -> ContractTarget:
    # Until the replay module registers a real builder or answers the pytest_contract_target hook.
    return ContractTarget(name="replay", skip_reason="replay target: no recordings configured")


register_target("mock", mock_target)
register_target("live", live_target)
register_target("replay", replay_target)
PLACEHOLDERS.append(replay_target)
