"""The WebSocket mode's own messages, as pure functions (``mockserver/http/socket_events.py``)."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.contract.conformance import Conformance
from mockserver.contract.errors import APIError, InvalidRequestError
from mockserver.http.socket_events import (
    check_steer_input,
    create_body,
    error_event,
    for_socket,
    read_client_event,
    required_input,
    steer_accepted,
    steer_failed,
    steer_pending,
)
from mockserver.scenarios.faults import Fault, insert_error_event

CONFORMANCE = Conformance()
TEXT_PART = {"type": "input_text", "text": "x"}


@pytest.mark.parametrize(
    ("raw", "param"),
    [(b"", None), (b"{", None), (b"3", "body"), (b"{}", "type"), (b'{"type": "x"}', "type")],
)
def test_unreadable_client_events_get_the_http_400(raw: bytes, param: str | None) -> None:
    with pytest.raises(APIError) as caught:
        read_client_event(raw)
    assert caught.value.status_code == 400 and caught.value.param == param


def test_create_body_drops_the_envelope_and_always_streams() -> None:
    event = {"type": "response.create", "stream_id": "a", "generate": True, "model": "m"}
    assert create_body(event) == {"model": "m", "stream": True}


def test_error_event_nests_the_http_error_with_status_and_headers() -> None:
    error = InvalidRequestError("bad", param="p", code="c", headers={"retry-after": "1"})
    event = error_event(error, "lane")
    assert event == {
        "type": "error",
        "status": 400,
        "error": {
            "message": "bad",
            "type": "invalid_request_error",
            "param": "p",
            "code": "c",
            "headers": {"retry-after": "1"},
        },
        "stream_id": "lane",
    }
    assert CONFORMANCE.socket_event_errors(event) == []


def test_for_socket_reshapes_only_the_stream_error() -> None:
    events: list[dict[str, Any]] = [
        {"type": "response.created", "sequence_number": 0},
        {"type": "response.failed", "sequence_number": 1},
    ]
    with_error = insert_error_event(events, Fault("stream_error"), "gpt-4o-mini")
    out = for_socket(with_error, None)
    assert out[0] == with_error[0] and out[2] == with_error[2]
    assert set(out[1]) == {"type", "sequence_number", "error"}
    assert out[1]["error"]["code"] == "rate_limit_exceeded"
    assert {e["stream_id"] for e in for_socket(events, "b")} == {"b"}


@pytest.mark.parametrize(
    ("steer", "valid"),
    [
        ({"input": "more detail"}, True),
        ({"input": [{"role": "user", "content": "x"}]}, True),
        ({"input": [{"type": "message", "role": "user", "content": [TEXT_PART]}]}, True),
        ({"input": ""}, False),
        ({"input": []}, False),
        ({"input": [{"role": "system", "content": "x"}]}, False),
        ({"input": [{"role": "user", "content": "x", "id": "msg_1"}]}, False),
        ({"input": [{"role": "user", "content": [{"type": "output_text"}]}]}, False),
        ({"input": "x", "stream_id": "lane"}, False),
    ],
)
def test_steering_input_follows_the_sdk_type(steer: dict[str, Any], valid: bool) -> None:
    event = {"type": "response.steer", "previous_response_id": "resp_1", **steer}
    assert (check_steer_input(event) is None) is valid


def test_required_input_stubs_name_the_client_owned_calls() -> None:
    response = {
        "output": [
            {"type": "function_call", "call_id": "call_1", "name": "f", "arguments": "{}"},
            {"type": "custom_tool_call", "call_id": "call_2", "name": "g", "input": ""},
            {"type": "message", "content": []},
        ]
    }
    assert required_input(response) == [
        {"type": "function_call_output", "call_id": "call_1", "name": "f"},
        {"type": "custom_tool_call_output", "call_id": "call_2"},
    ]


def test_steering_events_conform_to_the_sdk_types() -> None:
    events = [
        steer_accepted("steer_1", "resp_1", 0),
        steer_failed({"input": "x", "previous_response_id": "r"}, "response_not_found", "m", 1),
        steer_pending(
            "steer_1", "resp_1", [{"type": "function_call_output", "call_id": "c", "name": "f"}], 2
        ),
    ]
    for event in events:
        assert CONFORMANCE.socket_event_errors(event) == []
