"""Cut connections, for real: over a socket, the client sees a body that never ends."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest

from mockserver import MockServer
from mockserver.http.fault_responses import UNFINISHED

HELLO = {"model": "gpt-4o-mini", "input": "Hello, world!"}
AUTH = {"authorization": "Bearer sk-test"}


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer(self_check=True) as running:
        yield running


def test_a_cut_stream_sends_n_events_then_drops_the_connection(
    server: MockServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.reset()
    received = b""
    headers = {**AUTH, "x-mockserver-fault": "cut_stream;after_events=3"}
    with (
        caplog.at_level(logging.ERROR, logger="uvicorn.error"),
        httpx.stream(
            "POST", f"{server.base_url}/responses", json={**HELLO, "stream": True}, headers=headers
        ) as reply,
    ):
        assert reply.status_code == 200
        assert reply.headers["content-type"] == "text/event-stream; charset=utf-8"
        with pytest.raises(httpx.RemoteProtocolError):
            for chunk in reply.iter_bytes():
                received += chunk
    assert received.count(b"event: ") == 3
    assert received.startswith(b"event: response.created\n")
    (exchange,) = server.journal.requests()
    assert exchange.finished and exchange.status == 200
    assert UNFINISHED not in caplog.text  # a deliberate cut is not logged as an app error
    server.raise_failures()


def test_a_cut_json_reply_sends_half_its_body(server: MockServer) -> None:
    server.reset()
    server.stub(answer={"text": "Hi", "fault": "cut_stream"})
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.post(f"{server.base_url}/responses", json=HELLO, headers=AUTH)
    server.raise_failures()


def test_the_stream_after_a_cut_is_stored_whole(server: MockServer) -> None:
    server.reset()
    server.stub(answer={"fault": {"type": "cut_stream", "after_events": 2}})
    with (
        httpx.stream(
            "POST", f"{server.base_url}/responses", json={**HELLO, "stream": True}, headers=AUTH
        ) as reply,
        pytest.raises(httpx.RemoteProtocolError),
    ):
        reply.read()
    (stored,) = server.state.store.list_responses()
    assert stored.response["status"] == "completed"
    replay = httpx.get(
        f"{server.base_url}/responses/{stored.response['id']}",
        params={"stream": "true", "starting_after": 1},
        headers=AUTH,
    )
    assert replay.text.startswith("event: response.output_item.added")
    server.raise_failures()
