"""The pytest plugin, used the way users use it: from a test file of their own."""

from __future__ import annotations

import pytest

USER_TESTS = """
import openai
import pytest

from mockserver import MockServer

created = {}


def test_sync_client(openai_client, mock_server):
    assert isinstance(mock_server, MockServer)
    assert str(openai_client.base_url).rstrip("/") == mock_server.base_url
    response = openai_client.responses.create(model="gpt-4o-mini", input="Hello")
    assert response.output_text.startswith('Mock reply to "Hello".')
    created["id"] = response.id


def test_state_is_reset_between_tests(openai_client, mock_server):
    assert created["id"]
    assert mock_server.state.store.list_responses() == []
    with pytest.raises(openai.NotFoundError):
        openai_client.responses.retrieve(created["id"])


@pytest.mark.asyncio
async def test_async_client(async_openai_client, mock_server):
    response = await async_openai_client.responses.create(model="gpt-4o-mini", input="Hi")
    again = await async_openai_client.responses.retrieve(response.id)
    assert again.output_text == response.output_text
    assert len(mock_server.state.store.list_responses()) == 1


@pytest.mark.asyncio
async def test_async_stream(async_openai_client):
    stream = await async_openai_client.responses.create(
        model="gpt-4o-mini", input="Stream it", stream=True
    )
    types = [event.type async for event in stream]
    assert types[0] == "response.created" and types[-1] == "response.completed"


def test_one_server_per_session(mockserver_session, mock_server):
    assert mockserver_session is mock_server


def test_a_server_side_bug_fails_the_test_that_caused_it(openai_client, mock_server, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("bug inside the mock")

    monkeypatch.setattr(mock_server.state.store, "get_response", broken)
    with pytest.raises(openai.InternalServerError):
        openai_client.responses.retrieve("resp_1")
"""


def test_users_fixtures_work_in_pytest_asyncio_strict_mode(pytester: pytest.Pytester) -> None:
    # No asyncio_mode: pytest-asyncio runs in its default (strict) mode, as in most user projects.
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=6, errors=1)
    # The bug surfaces as an error of the test that caused it, with the cause chained.
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_a_server_side_bug_fails_the_test_that_caused_it*",
            "*RuntimeError: bug inside the mock*",
            "*ServerFailure: 1 request(s) failed inside the mock server*",
        ]
    )


def test_auto_mode_and_self_check_option(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"
        "mockserver_self_check = true\n"
    )
    pytester.makepyfile(
        test_auto="""
async def test_async_without_marker(async_openai_client, mock_server):
    assert mock_server.state.config.self_check is True
    response = await async_openai_client.responses.create(model="gpt-4o-mini", input="x")
    assert response.status == "completed"
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=1)
