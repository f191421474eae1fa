"""Record and replay in the pytest plugin: options, the per-test cassette marker, miss reports.

``@pytest.mark.mockserver_cassette`` (or ``mockserver_cassette("name")``) makes a test that uses
``mock_server`` (or the ``openai_client`` fixtures) replay its own cassette, like
pytest-recording's ``@pytest.mark.vcr``; the default name is the test's module path and name
(``tests/test_app/test_answer``). Options (command line, or the ini key without dashes):

- ``--mockserver-recordings DIR`` (ini ``mockserver_recordings``, default ``recordings``);
- ``--mockserver-record-mode MODE`` (ini ``mockserver_record_mode``, default ``none``);
- ``--mockserver-upstream URL``: where recording modes forward (default: the mock answers, and
  recordings are labelled ``generated``; pass ``https://api.openai.com/v1`` to record live).

A request that finds no recording fails the test at teardown with the miss explained, even when
the code under test swallowed the error response.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from mockserver.contract.errors import ConfigurationError
from mockserver.recording.tape import parse_record_mode

if TYPE_CHECKING:
    from mockserver.http.server import MockServer

MARKER = "mockserver_cassette"
OPTIONS = (
    (
        "recordings",
        "DIR",
        "recordings directory for @pytest.mark.mockserver_cassette tests",
        "recordings",
    ),
    ("record_mode", "MODE", "none, once, new_episodes or all (as in pytest-recording)", "none"),
    ("upstream", "URL", "where recording modes forward requests (default: the mock answers)", ""),
)


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("mockserver", "mockserver record and replay")
    for name, metavar, help_text, default in OPTIONS:
        flag = "--mockserver-" + name.replace("_", "-")
        group.addoption(
            flag,
            dest=f"mockserver_{name}",
            metavar=metavar,
            default=None,
            help=f"{help_text} (ini mockserver_{name})",
        )
        parser.addini(f"mockserver_{name}", help_text, default=default)


def configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(name=None): replay (and record, per --mockserver-record-mode) this test's "
        "cassette in the mock server; the default name is the test's module path and name",
    )
    try:  # a misspelt mode is a usage error before anything runs
        parse_record_mode(_setting(config, "record_mode") or "none")
    except ConfigurationError as exc:
        raise pytest.UsageError(f"--mockserver-record-mode: {exc}") from None


def _setting(config: pytest.Config, name: str) -> str:
    value = config.getoption(f"mockserver_{name}", None)
    return str(value if value is not None else config.getini(f"mockserver_{name}")).strip()


def cassette_for_nodeid(nodeid: str) -> str:
    """``tests/test_app.py::TestX::test_y[1]`` -> ``tests/test_app/TestX/test_y[1]``."""
    path, *names = nodeid.split("::")
    return "/".join([path.removesuffix(".py"), *names])


def cassette_for(item: pytest.Item) -> str | None:
    marker = item.get_closest_marker(MARKER)
    if marker is None:
        return None
    name = marker.args[0] if marker.args else marker.kwargs.get("name")
    return str(name) if name else cassette_for_nodeid(item.nodeid)


def replay_options(config: pytest.Config, session: pytest.Session) -> dict[str, Any]:
    """``MockServer`` keyword arguments for the session server: record/replay is set up when
    any collected test carries the marker."""
    if not any(item.get_closest_marker(MARKER) for item in session.items):
        return {}
    recordings = Path(_setting(config, "recordings"))
    if not recordings.is_absolute():
        recordings = config.rootpath / recordings
    return {
        "recordings": recordings,
        "record_mode": _setting(config, "record_mode") or "none",
        "upstream": _setting(config, "upstream") or None,
    }


def enter_test(server: MockServer, item: pytest.Item) -> None:
    if server.replay is None:
        return
    cassette = cassette_for(item)
    if cassette is None:
        server.replay.eject()
    else:
        server.replay.use_cassette(cassette)


def leave_test(server: MockServer) -> None:
    if server.replay is None or not server.replay.active:
        return
    misses = server.replay.take_misses()
    if misses:
        listed = "\n".join(f"- {miss.message()}" for miss in misses)
        pytest.fail(f"{len(misses)} request(s) had no recording:\n{listed}", pytrace=False)
