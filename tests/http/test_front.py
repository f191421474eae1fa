"""The ordinary lane (front.py) answers exactly what the full middleware chain answers."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver import ManualClock, ServerConfig, create_app
from mockserver.http.front import FrontMiddleware
from mockserver.scenarios.stubs import parse_stub

AUTH = {"authorization": "Bearer sk-test"}
BODY = {"model": "gpt-4o-mini", "input": "Hello"}


def _front(app: Any) -> FrontMiddleware:
    app.middleware_stack = app.build_middleware_stack()
    layer = app.middleware_stack.app  # Starlette's ServerErrorMiddleware wraps ours
    assert isinstance(layer, FrontMiddleware)
    return layer


def exchange(
    *, lane: bool, body: dict[str, Any], headers: dict[str, str], self_check: bool = True
) -> tuple[Any, ...]:
    """One request to a fresh seeded app, through the lane or (lane off) the full chain."""
    app = create_app(ServerConfig(self_check=self_check, id_seed=7), clock=ManualClock())
    front = _front(app)
    taken: list[bool] = []
    ordinary = front._ordinary

    def spy(scope: Any) -> bool:
        if scope["type"] != "http":
            return False
        taken.append(ordinary(scope))
        return lane and taken[-1]

    front._ordinary = spy  # type: ignore[method-assign]
    with TestClient(app) as client:
        reply = client.post("/v1/responses", json=body, headers=headers)
        entries = app.state.mock.journal.entries()
    assert app.state.mock.take_failures() == []
    shown = {k: v for k, v in reply.headers.items() if k != "openai-processing-ms"}
    journal = [e.to_dict() for e in entries if e.path == "/v1/responses"]
    for entry in journal:
        entry["response_headers"].pop("openai-processing-ms")
    return taken, reply.status_code, shown, reply.content, journal


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (BODY, AUTH),
        ({**BODY, "stream": True}, AUTH),
        ({"model": "gpt-4o-mini"}, AUTH),  # a 400 from the endpoint
        (BODY, {}),  # a 401 from the API middleware
        ({**BODY, "input": "key sk-abcdefghijklmnopqrstuvwx"}, AUTH),  # masked in the journal
    ],
)
def test_the_lane_sends_what_the_full_chain_sends(
    body: dict[str, Any], headers: dict[str, str]
) -> None:
    taken, *through_lane = exchange(lane=True, body=body, headers=headers)
    assert taken == [True]
    _, *through_chain = exchange(lane=False, body=body, headers=headers)
    assert through_lane == through_chain
    _, shown, _, journal = through_lane
    assert shown["vary"] == "Origin" and "x-request-id" in shown and len(journal) == 1
    assert "sk-abcdefghijklmnopqrstuvwx" not in repr(journal)


@pytest.mark.parametrize(
    "headers",
    [
        {**AUTH, "origin": "http://localhost:5173"},  # CORS acts
        {**AUTH, "x-mockserver-refusal": "no"},  # a directive
        {**AUTH, "x-mockserver-fault": "rate_limit"},  # the stub middleware acts
        {**AUTH, "host": "attacker.example"},  # the host check refuses
    ],
)
def test_requests_something_acts_on_take_the_full_chain(headers: dict[str, str]) -> None:
    taken, *_ = exchange(lane=True, body=BODY, headers=headers)
    assert taken == [False]


def test_the_lane_is_closed_while_stubs_are_loaded() -> None:
    app = create_app(ServerConfig(id_seed=7))
    front = _front(app)
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/v1/responses",
        "headers": [(b"host", b"127.0.0.1:8000")],
    }
    assert front._ordinary(scope)
    app.state.mock.stubs.add(parse_stub({"answer": {"text": "stubbed"}}, source="test", index=1))
    assert not front._ordinary(scope)
    assert not front._ordinary({**scope, "path": "/v1/responses/input_tokens"})
