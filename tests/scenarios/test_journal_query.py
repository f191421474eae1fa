"""Journal assertions: what the client sent, call by call."""

from __future__ import annotations

import orjson
import pytest

from mockserver.scenarios.journal import Journal
from mockserver.scenarios.journal_query import JournalView


def journal_with(*requests: tuple[str, str, object]) -> JournalView:
    journal = Journal()
    for method, path, body in requests:
        exchange = journal.start(
            request_id="req_1",
            started_at=0.0,
            method=method,
            path=path,
            query="",
            request_headers={},
        )
        exchange.request_body = orjson.dumps(body) if body is not None else b""
    return JournalView(journal)


FIRST = {"model": "gpt-4o-mini", "input": "weather?", "tools": [{"type": "function", "name": "w"}]}
SECOND = {
    "model": "gpt-4o-mini",
    "input": [{"type": "function_call_output", "call_id": "call_1", "output": "sunny"}],
    "previous_response_id": "resp_1",
}


@pytest.fixture
def view() -> JournalView:
    return journal_with(
        ("POST", "/v1/responses", FIRST),
        ("GET", "/__mockserver/stubs", None),
        ("GET", "/v1/responses/resp_1", None),
        ("POST", "/v1/responses", SECOND),
    )


def test_requests_filter_and_hide_admin_calls(view: JournalView) -> None:
    assert [e.path for e in view.requests()] == [
        "/v1/responses",
        "/v1/responses/resp_1",
        "/v1/responses",
    ]
    assert len(view.requests(include_admin=True)) == 4
    assert view.bodies() == [FIRST, SECOND]
    assert view.call(2).request_json() == SECOND
    with pytest.raises(AssertionError, match="expected at least 3 POST /v1/responses request"):
        view.call(3)


def test_called_and_called_with(view: JournalView) -> None:
    view.assert_called(times=2)
    view.assert_called("/v1/responses/resp_1", "GET")
    with pytest.raises(AssertionError, match="expected POST /v1/responses 3 time"):
        view.assert_called(times=3)
    assert view.assert_called_with({"model": "gpt-4o-mini"}, call=1).request_json() == FIRST
    view.assert_called_with({"previous_response_id": "resp_1"})
    with pytest.raises(AssertionError) as caught:
        view.assert_called_with({"model": "o3"}, call=2)
    assert 'expected request 2 to POST /v1/responses to contain {"model": "o3"}' in str(
        caught.value
    )
    assert '"previous_response_id": "resp_1"' in str(caught.value)


def test_the_second_call_carried_the_function_output(view: JournalView) -> None:
    assert view.function_outputs(1) == []
    item = view.assert_function_output(call_id="call_1", output="sunny", call=2)
    assert item["type"] == "function_call_output"
    view.assert_function_output(call_id="call_1")
    with pytest.raises(AssertionError, match="expected create request 1 to carry"):
        view.assert_function_output(call_id="call_1", call=1)
    view.clear()
    assert view.requests() == []
