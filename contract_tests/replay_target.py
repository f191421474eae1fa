"""``--target replay``: the contract tests against recordings (``recordings/contract_tests/``).

Every test replays its own cassette, named after it (``contract_tests/test_create/test_x``), in
this project's server with ``record_mode="none"``: no network, no key. A request without a
recording fails the test at teardown, with the nearest recordings and what differed.

To (re)make the recordings, pick a record mode (``--mockserver-record-mode once`` records only
the tests that have no cassette yet; ``all`` re-records every test that runs):

    pytest contract_tests --target replay --mockserver-record-mode all

Without ``--mockserver-upstream`` the mock itself answers and the recordings say
``"source": "generated"``; with ``--mockserver-upstream https://api.openai.com/v1`` (and
``OPENAI_API_KEY``) they are recorded from the live API and say ``"live"``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .targets import MOCK_API_KEY, ContractTarget, register_target

RECORDINGS = Path(__file__).resolve().parents[1] / "recordings"
CASSETTES = "contract_tests"


def _option(config: pytest.Config, name: str) -> str | None:
    value = config.getoption(f"mockserver_{name}", None)
    return str(value).strip() if value else None


def current_test() -> str:
    # pytest sets it during setup, call and teardown: "<nodeid> (setup)".
    return os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" ", 1)[0]


def replay_target(config: pytest.Config) -> ContractTarget:
    from mockserver import MockServer
    from mockserver.testing.pytest_recordings import cassette_for_nodeid

    recordings = Path(_option(config, "recordings") or RECORDINGS)
    mode = _option(config, "record_mode") or "none"
    upstream = _option(config, "upstream")
    if mode == "none" and not (recordings / CASSETTES).is_dir():
        return ContractTarget(
            name="replay",
            skip_reason=f"replay target: no recordings in {recordings / CASSETTES}; make them "
            "with --mockserver-record-mode once",
        )
    # Recording the live API needs the real key; everything else runs with the mock's key (and a
    # wrong key gets the mock's 401, as on the real API).
    live_key = os.environ.get("OPENAI_API_KEY") if upstream else None
    server = MockServer(
        recordings=recordings,
        record_mode=mode,
        upstream=upstream,
        # Each test selects its own cassette; this keeps the whole directory from being loaded.
        cassette=f"{CASSETTES}/__unused__",
        api_key=None if upstream else MOCK_API_KEY,
        self_check=True,
    ).start()
    replay = server.replay
    assert replay is not None

    def before_test() -> None:
        server.reset()
        replay.use_cassette(cassette_for_nodeid(current_test()))
        # `on_mock`: are this test's answers the mock's (recorded from it, or being generated)?
        recorded = replay.tape.target.interactions
        target.generated = (replay.tape.records and upstream is None) or (
            bool(recorded) and all(i.source == "generated" for i in recorded)
        )

    def after_test() -> None:
        server.raise_failures()
        misses = replay.take_misses()
        if misses:
            listed = "\n".join(f"- {miss.message()}" for miss in misses)
            pytest.fail(f"{len(misses)} request(s) had no recording:\n{listed}", pytrace=False)

    target = ContractTarget(
        name="replay",
        base_url=server.base_url,
        api_key=live_key or MOCK_API_KEY,
        max_retries=0,
        before_test=before_test,
        after_test=after_test,
        closers=[server.stop],
    )
    return target


register_target("replay", replay_target)
