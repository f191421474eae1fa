"""The pytest plugin's per-test cassettes (``@pytest.mark.mockserver_cassette``)."""

from __future__ import annotations

import json

import pytest

from mockserver.testing.pytest_recordings import cassette_for_nodeid

TESTS = """
import openai
import pytest


@pytest.mark.mockserver_cassette
def test_recorded(openai_client):
    answer = openai_client.responses.create(model="gpt-4o-mini", input="Hello")
    assert answer.output_text


@pytest.mark.mockserver_cassette("shared/named")
def test_named(openai_client):
    with openai_client.responses.stream(model="gpt-4o-mini", input="Stream") as stream:
        assert stream.get_final_response().status == "completed"


def test_unmarked(openai_client):
    assert openai_client.responses.create(model="gpt-4o-mini", input="plain mock").id
"""

SWALLOWING = """
import openai
import pytest


@pytest.mark.mockserver_cassette("test_app/test_recorded")
def test_changed_request(openai_client):
    try:
        openai_client.responses.create(model="gpt-4o-mini", input="Hello, changed")
    except openai.APIStatusError:
        pass  # code under test that hides errors must not hide a replay miss
"""


@pytest.fixture(autouse=True)
def _quiet_ini(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")


def test_marked_tests_record_once_then_replay(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_app=TESTS)
    first = pytester.runpytest("-p", "no:cacheprovider", "--mockserver-record-mode", "once")
    first.assert_outcomes(passed=3)
    recorded = pytester.path / "recordings" / "test_app" / "test_recorded.json"
    named = pytester.path / "recordings" / "shared" / "named.json"
    assert recorded.exists() and named.exists()
    assert sorted(p.name for p in (pytester.path / "recordings").rglob("*.json")) == [
        "named.json",
        "test_recorded.json",
    ]
    data = json.loads(recorded.read_text())
    assert [i["source"] for i in data["interactions"]] == ["generated"]
    before = recorded.read_bytes()
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=3)
    assert recorded.read_bytes() == before  # replayed, not re-recorded


def test_a_miss_fails_the_test_even_when_the_error_was_swallowed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_app=TESTS)
    pytester.runpytest(
        "-p", "no:cacheprovider", "--mockserver-record-mode", "once", "-k", "recorded"
    )
    pytester.makepyfile(test_swallow=SWALLOWING)
    result = pytester.runpytest("-p", "no:cacheprovider", "test_swallow.py")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*1 request(s) had no recording:*",
            "*No recording matches POST /v1/responses (record mode 'none'; "
            "cassettes: 'test_app/test_recorded')*",
            '*$.input: recorded "Hello", requested "Hello, changed"*',
        ]
    )


def test_a_misspelt_record_mode_is_reported(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_app=TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider", "--mockserver-record-mode", "rewrite")
    result.stderr.fnmatch_lines(
        [
            "*--mockserver-record-mode: 'rewrite' is not a valid record mode. "
            "Valid modes are: 'none', 'once', 'new_episodes', 'all'*"
        ]
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR


@pytest.mark.parametrize(
    ("nodeid", "name"),
    [
        ("tests/test_app.py::test_x", "tests/test_app/test_x"),
        ("test_app.py::TestGroup::test_y[a-1]", "test_app/TestGroup/test_y[a-1]"),
    ],
)
def test_default_cassette_names_follow_the_test(nodeid: str, name: str) -> None:
    assert cassette_for_nodeid(nodeid) == name
