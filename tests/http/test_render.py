"""Rendering: JSON bodies as the real API writes them, error responses, SSE streams."""

from __future__ import annotations

import asyncio
import types
from typing import Any

import orjson
import pytest

import mockserver.http.render as render
from mockserver.contract.errors import AuthenticationError, InvalidRequestError
from mockserver.http.render import SSE_MEDIA_TYPE, error_response, json_response, sse_response
from mockserver.model.events import encode_event
from mockserver.scenarios.pacing import Pacing


def test_json_is_two_space_indented_without_a_final_newline() -> None:
    response = json_response({"b": [1, {"c": None}], "a": "é"}, 201, {"x-extra": "1"})
    assert response.status_code == 201
    assert response.body == (
        '{\n  "b": [\n    1,\n    {\n      "c": null\n    }\n  ],\n  "a": "é"\n}'.encode()
    )
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-extra"] == "1"
    assert response.headers["content-length"] == str(len(response.body))


def test_error_response_uses_the_error_status_body_and_headers() -> None:
    response = error_response(AuthenticationError("no", headers={"www-authenticate": "Bearer"}))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert orjson.loads(response.body) == {
        "error": {"message": "no", "type": "invalid_request_error", "param": None, "code": None}
    }
    assert error_response(InvalidRequestError("bad")).status_code == 400


EVENTS = [
    {"type": "response.created", "sequence_number": 0},
    {"type": "response.output_text.delta", "sequence_number": 1, "delta": "a"},
    {"type": "response.output_text.delta", "sequence_number": 2, "delta": "b"},
    {"type": "response.completed", "sequence_number": 3},
]


async def drain(response: Any) -> list[bytes]:
    return [chunk async for chunk in response.body_iterator]


def test_sse_response_frames_each_event() -> None:
    response = sse_response(EVENTS)
    assert response.media_type == SSE_MEDIA_TYPE == "text/event-stream; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    assert "content-length" not in response.headers
    assert asyncio.run(drain(response)) == [encode_event(e) for e in EVENTS]


@pytest.mark.parametrize(
    ("pacing", "delays"),
    [
        (Pacing(), []),
        (Pacing(first_event_seconds=0.3), [0.3]),
        (Pacing(tokens_per_second=50), [0.02, 0.02]),
        (Pacing(first_event_seconds=0.1, tokens_per_second=4), [0.1, 0.25, 0.25]),
    ],
)
def test_sse_pacing_waits_before_the_right_events(
    monkeypatch: pytest.MonkeyPatch, pacing: Pacing, delays: list[float]
) -> None:
    waited: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waited.append(seconds)

    monkeypatch.setattr(render, "asyncio", types.SimpleNamespace(sleep=fake_sleep))
    frames = asyncio.run(drain(sse_response(EVENTS, pacing)))
    assert len(frames) == len(EVENTS)
    assert waited == delays


def test_rate_limit_headers_show_an_untouched_budget() -> None:
    headers = render.RATE_LIMIT_HEADERS
    assert set(headers) == {
        f"x-ratelimit-{kind}-{what}"
        for kind in ("limit", "remaining", "reset")
        for what in ("requests", "tokens")
    }
    assert int(headers["x-ratelimit-remaining-requests"]) < int(
        headers["x-ratelimit-limit-requests"]
    )


async def messages_of(response: Any) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        raise AssertionError("an unpaced stream does not listen for a disconnect")

    await response({"type": "http"}, receive, send)
    return sent


def test_an_unpaced_stream_sends_its_first_event_alone_then_the_rest_together() -> None:
    start, first, rest = asyncio.run(messages_of(sse_response(EVENTS)))
    assert start["type"] == "http.response.start" and start["status"] == 200
    assert first == {
        "type": "http.response.body",
        "body": encode_event(EVENTS[0]),
        "more_body": True,
    }
    assert rest["body"] == b"".join(encode_event(e) for e in EVENTS[1:])
    assert rest["more_body"] is False


def test_a_long_unpaced_stream_goes_out_in_bounded_messages_with_the_same_bytes() -> None:
    big = [
        {"type": "response.output_text.delta", "sequence_number": n, "delta": "x" * 5000}
        for n in range(40)
    ]
    sent = asyncio.run(messages_of(sse_response(big)))[1:]
    assert b"".join(m["body"] for m in sent) == b"".join(encode_event(e) for e in big)
    assert [m["more_body"] for m in sent] == [True] * (len(sent) - 1) + [False]
    assert len(sent) > 3 and all(len(m["body"]) <= render.STREAM_BATCH_BYTES for m in sent)


def test_an_empty_unpaced_stream_still_ends_its_body() -> None:
    [_, end] = asyncio.run(messages_of(sse_response([])))
    assert end == {"type": "http.response.body", "body": b"", "more_body": False}
