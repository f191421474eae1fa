"""``MockServer``: a real server on a free loopback port, reset, and failures re-raised."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from mockserver import ManualClock, MockServer, ServerConfig, ServerFailure
from mockserver.contract.errors import MockServerError


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sdk(server: MockServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0)


def test_serves_the_sdk_on_a_free_port() -> None:
    clock = ManualClock(start=1_790_000_000)
    with MockServer(clock=clock, self_check=True) as server:
        assert server.port and server.port > 0
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert server.base_url == f"{server.url}/v1"
        with sdk(server) as client:
            response = client.responses.create(model="gpt-4o-mini", input="Hello")
            assert response.output_text.startswith('Mock reply to "Hello".')
            assert response.created_at == 1_790_000_000
            assert client.responses.retrieve(response.id).id == response.id
    assert server.port is not None
    # Stopped: the port no longer answers.
    with pytest.raises(httpx.TransportError):
        httpx.get(server.url, timeout=2)


def test_two_servers_get_different_ports_and_state() -> None:
    with MockServer() as first, MockServer() as second:
        assert first.port != second.port
        with sdk(first) as client:
            client.responses.create(model="gpt-4o-mini", input="only on the first")
        assert len(first.state.store.list_responses()) == 1
        assert second.state.store.list_responses() == []


def test_an_explicit_port_and_config() -> None:
    port = free_port()
    server = MockServer(ServerConfig(api_key="sk-only-this"), port=port)
    with server:
        assert server.port == port
        reply = httpx.post(
            f"{server.base_url}/responses",
            json={"model": "gpt-4o-mini", "input": "x"},
            headers={"authorization": "Bearer sk-other-key-000"},
        )
        assert reply.status_code == 401
        assert reply.json()["error"]["code"] == "invalid_api_key"


def test_url_before_start_is_a_clear_error() -> None:
    server = MockServer()
    with pytest.raises(MockServerError, match="not running; call start"):
        _ = server.base_url
    server.stop()  # stopping a server that never started is harmless


def test_start_and_stop_without_with() -> None:
    server = MockServer().start()
    try:
        assert httpx.get(f"{server.url}/", timeout=5).status_code == 404
    finally:
        server.stop()


def test_reset_forgets_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    with MockServer() as server, sdk(server) as client:
        response = client.responses.create(model="gpt-4o-mini", input="keep me?")
        server.state.record_failure(RuntimeError("stale"))
        assert len(server.state.journal) == 1
        server.reset()
        assert server.state.store.list_responses() == []
        assert len(server.state.journal) == 0
        server.raise_failures()  # nothing left to raise
        with pytest.raises(openai.NotFoundError):
            client.responses.retrieve(response.id)


def test_reset_restores_the_seed_and_start_up_stubs(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(
        '{"responses": [{"id": "resp_seeded", "output": []}],'
        ' "conversations": [{"id": "conv_seeded", "items": [{"role": "user", "content": "Hi"}]}]}'
    )
    stubs = tmp_path / "stubs.yaml"
    stubs.write_text("- match: {input: scripted}\n  times: 1\n  answer: Scripted.\n")
    with MockServer(seed_file=seed, stubs=(stubs,)) as server, sdk(server) as client:
        client.responses.delete("resp_seeded")
        client.conversations.items.create(
            "conv_seeded", items=[{"type": "message", "role": "user", "content": "more"}]
        )
        assert client.responses.create(model="gpt-4o-mini", input="scripted").output_text == (
            "Scripted."
        )
        server.stub(input="other", text="Run-time stub.")
        server.reset()
        assert client.responses.retrieve("resp_seeded").id == "resp_seeded"
        assert len(client.conversations.items.list("conv_seeded").data) == 1
        assert [e.stub.source for e in server.stubs.entries()] == [str(stubs)]
        assert client.responses.create(model="gpt-4o-mini", input="scripted").output_text == (
            "Scripted."
        )


def broken_store(server: MockServer, monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    """Make every store lookup raise, as a bug in a handler would."""

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise error

    monkeypatch.setattr(server.state.store, "get_response", broken)


def test_a_handler_exception_is_re_raised_in_the_test(monkeypatch: pytest.MonkeyPatch) -> None:
    with MockServer() as server, sdk(server) as client:
        broken_store(server, monkeypatch, KeyError("the bug"))
        with pytest.raises(openai.InternalServerError) as answered:
            client.responses.retrieve("resp_any")
        assert answered.value.status_code == 500
        with pytest.raises(ServerFailure, match=r"1 request\(s\) failed") as raised:
            server.raise_failures()
        assert isinstance(raised.value.__cause__, KeyError)
        assert raised.value.__cause__.args == ("the bug",)
        server.raise_failures()  # taken: raised once only


def test_leaving_the_block_re_raises_failures(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ServerFailure) as raised, MockServer() as server:
        broken_store(server, monkeypatch, ValueError("late bug"))
        reply = httpx.get(
            f"{server.base_url}/responses/resp_any", headers={"authorization": "Bearer sk-1"}
        )
        assert reply.status_code == 500
    assert isinstance(raised.value.__cause__, ValueError)


def test_an_error_in_the_block_is_not_masked_by_failures(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(LookupError, match="the test's own error"), MockServer() as server:
        server.state.record_failure(RuntimeError("server side"))
        raise LookupError("the test's own error")
