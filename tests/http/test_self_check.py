"""The self-check catches what the mock must never emit: invented keys, bad frames, stray routes."""

from __future__ import annotations

import orjson
from app_client import HELLO, make_client

from mockserver.contract.conformance import Conformance
from mockserver.contract.route_schemas import schema_for
from mockserver.http.self_check import check_exchange, parse_sse

CONFORMANCE = Conformance()


def created_response() -> dict:
    for client in make_client():
        return client.post("/v1/responses", json=HELLO).json()
    raise AssertionError("no client")


def check(method: str, path: str, status: int, body: object, kind: str = "application/json"):
    return check_exchange(CONFORMANCE, method, path, status, kind, orjson.dumps(body))


def test_a_real_response_passes_and_an_invented_key_does_not() -> None:
    response = created_response()
    assert check("POST", "/v1/responses", 200, response) == []
    problems = check("POST", "/v1/responses", 200, {**response, "made_up": 1})
    assert problems and "made_up" in problems[0]


def test_error_bodies_are_checked_against_the_error_schema() -> None:
    error = {
        "error": {"message": "m", "type": "invalid_request_error", "param": None, "code": None}
    }
    assert check("POST", "/v1/responses", 400, error) == []
    assert check("POST", "/v1/responses", 400, {"error": "nope"}) != []


def test_a_route_without_a_schema_is_reported() -> None:
    assert schema_for("GET", "/v1/unknown") == (False, None)
    problems = check("GET", "/v1/unknown", 200, {})
    assert problems == ["GET /v1/unknown: no schema registered in self_check.ROUTE_SCHEMAS"]
    assert check("GET", "/__mockserver/journal", 200, {}) == []  # not the API: not checked


def test_sse_frames_need_matching_event_names_and_contiguous_sequence_numbers() -> None:
    good = b'event: response.queued\ndata: {"type": "response.queued"}\n\n'
    assert parse_sse(good) == ([{"type": "response.queued"}], [])
    _, problems = parse_sse(b'event: a\ndata: {"type": "b"}\n\n')
    assert problems == ["event line 'a' != data.type 'b'"]
    stream = (
        b'event: response.output_text.delta\ndata: {"type": "response.output_text.delta", '
        b'"sequence_number": 3}\n\n'
    )
    problems = check_exchange(
        CONFORMANCE, "POST", "/v1/responses", 200, "text/event-stream", stream
    )
    assert "sequence_number 3 at 0" in problems


def socket_failures(events: list[dict]) -> list[Exception]:
    """What the self-check records for a WebSocket that sends ``events``."""
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.routing import WebSocketRoute
    from starlette.testclient import TestClient

    from mockserver.http.self_check import SelfCheckMiddleware
    from mockserver.state.mock_state import MockState
    from mockserver.state.store import MemoryStore

    state = MockState(store=MemoryStore())

    async def endpoint(websocket) -> None:
        await websocket.accept()
        for event in events:
            await websocket.send_text(orjson.dumps(event).decode())
        await websocket.close()

    app = Starlette(
        routes=[WebSocketRoute("/v1/responses", endpoint)],
        middleware=[Middleware(SelfCheckMiddleware, state=state)],
    )
    with TestClient(app) as client, client.websocket_connect("/v1/responses") as ws:
        for _ in events:
            ws.receive_text()
    return state.take_failures()


def test_socket_events_are_checked_too() -> None:
    for client in make_client():
        with client.websocket_connect("/v1/responses") as ws:
            ws.send_json({"type": "response.create", **HELLO})
            events = [ws.receive_json() for _ in range(3)]
    error = {"type": "error", "status": 400, "error": {"message": "m", "type": "t"}}
    steer = {
        "type": "response.steer.accepted",
        "sequence_number": 0,
        "steer": {"id": "steer_1", "previous_response_id": "resp_1"},
    }
    assert socket_failures([*events, error, steer]) == []
    invented = socket_failures([{**events[0], "made_up": 1}])
    assert len(invented) == 1 and "made_up" in str(invented[0])
    flat_error = socket_failures([{"type": "error", "message": "m", "code": None}])
    assert len(flat_error) == 1 and "error" in str(flat_error[0])
    renumbered = socket_failures([events[0], {**events[1], "sequence_number": 5}])
    assert len(renumbered) == 1 and "sequence_number 5 at 1" in str(renumbered[0])
