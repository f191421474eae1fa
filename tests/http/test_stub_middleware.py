"""Stubs, faults and chaos through the whole app (every emitted body is schema-checked)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from app_client import HELLO, make_client
from starlette.testclient import TestClient

from mockserver import ServerConfig, create_app
from mockserver.contract.errors import ConfigurationError
from mockserver.http.self_check import parse_sse
from mockserver.scenarios.stubs import parse_stub
from mockserver.state.mock_state import MockState


@pytest.fixture
def client() -> Iterator[TestClient]:
    yield from make_client()


def state_of(client: TestClient) -> MockState:
    return client.app.state.mock  # type: ignore[attr-defined]


def add(client: TestClient, **rule: Any) -> None:
    state_of(client).stubs.add(parse_stub(rule, source="test", index=1))


def test_without_stubs_requests_pass_through(client: TestClient) -> None:
    reply = client.post("/v1/responses", json=HELLO)
    assert reply.status_code == 200
    assert reply.json()["output"][0]["content"][0]["text"].startswith(
        'Mock reply to "Hello, world!"'
    )


def test_a_stub_answers_and_streaming_follows(client: TestClient) -> None:
    add(client, match={"input": "weather"}, answer={"text": "Sunny."})
    reply = client.post("/v1/responses", json={**HELLO, "input": "weather?"})
    assert reply.json()["output"][0]["content"][0]["text"] == "Sunny."
    streamed = client.post("/v1/responses", json={**HELLO, "input": "weather?", "stream": True})
    events, problems = parse_sse(streamed.content)
    assert problems == []
    assert [e["delta"] for e in events if e["type"] == "response.output_text.delta"] == [
        "Sunny",
        ".",
    ]
    assert (
        client.post("/v1/responses", json=HELLO).json()["output"][0]["content"][0]["text"]
        != "Sunny."
    )


def test_the_context_scope_sees_earlier_turns(client: TestClient) -> None:
    add(
        client,
        match={"input": {"contains": "Atlas", "scope": "context"}},
        answer={"text": "Atlas!"},
    )
    first = client.post("/v1/responses", json={**HELLO, "input": "My project is Atlas."}).json()
    follow = {**HELLO, "input": "What is it?", "previous_response_id": first["id"]}
    assert (
        client.post("/v1/responses", json=follow).json()["output"][0]["content"][0]["text"]
        == "Atlas!"
    )


def test_header_faults_answer_before_the_route(client: TestClient) -> None:
    reply = client.post("/v1/responses", json=HELLO, headers={"x-mockserver-fault": "rate_limit"})
    assert reply.status_code == 429
    assert reply.json()["error"]["code"] == "rate_limit_exceeded"
    assert reply.headers["retry-after-ms"] == "20"
    server = client.post(
        "/v1/responses", json=HELLO, headers={"x-mockserver-fault": "server_error"}
    )
    assert (
        server.status_code == 500
        and server.headers["x-request-id"] in server.json()["error"]["message"]
    )
    gateway = client.get("/v1/responses/resp_x", headers={"x-mockserver-fault": "bad_gateway"})
    assert gateway.status_code == 502 and gateway.json()["error"]["type"] == "cf_bad_gateway"
    quota = client.post(
        "/v1/responses",
        json=HELLO,
        headers={"x-mockserver-fault": "stream_error;code=insufficient_quota"},
    )
    assert quota.status_code == 429 and quota.json()["error"]["code"] == "insufficient_quota"


def test_bad_mock_headers_are_400s_that_list_the_choices(client: TestClient) -> None:
    reply = client.post("/v1/responses", json=HELLO, headers={"x-mockserver-fault": "explode"})
    assert reply.status_code == 400
    error = reply.json()["error"]
    assert error["code"] == "invalid_mock_header"
    assert "unknown fault 'explode'; valid faults are 'rate_limit'" in error["message"]
    pacing = client.post("/v1/responses", json=HELLO, headers={"x-mockserver-pacing": "speed=9"})
    assert "unknown pacing option 'speed'" in pacing.json()["error"]["message"]
    fine = client.post(
        "/v1/responses", json=HELLO, headers={"x-mockserver-pacing": "first_event_ms=0"}
    )
    assert fine.status_code == 200


def test_a_stream_error_streams_then_stores_the_failed_response(client: TestClient) -> None:
    reply = client.post(
        "/v1/responses",
        json={**HELLO, "stream": True},
        headers={"x-mockserver-fault": "stream_error"},
    )
    assert reply.status_code == 200
    events, problems = parse_sse(reply.content)
    assert problems == []
    assert [e["type"] for e in events] == [
        "response.created",
        "response.in_progress",
        "error",
        "response.failed",
    ]
    assert events[2]["error"]["code"] == "rate_limit_exceeded"
    response_id = events[-1]["response"]["id"]
    stored = client.get(f"/v1/responses/{response_id}").json()
    assert stored["status"] == "failed" and stored["error"]["code"] == "rate_limit_exceeded"


def test_incomplete_by_header(client: TestClient) -> None:
    reply = client.post(
        "/v1/responses", json=HELLO, headers={"x-mockserver-fault": "incomplete"}
    ).json()
    assert reply["status"] == "incomplete"
    assert reply["incomplete_details"] == {"reason": "content_filter"}


def test_stub_errors_are_sent_verbatim_on_any_path(client: TestClient) -> None:
    add(
        client,
        match={"method": "GET", "path": "/v1/responses/*"},
        answer={"error": {"status": 418, "body": {"oops": True}, "headers": {"x-why": "tea"}}},
    )
    reply = client.get("/v1/responses/resp_1")
    assert (reply.status_code, reply.json(), reply.headers["x-why"]) == (418, {"oops": True}, "tea")
    add(
        client,
        match={"call": 2},
        answer={"error": {"status": 400, "message": "Second call fails."}},
    )
    assert client.post("/v1/responses", json=HELLO).status_code == 200
    second = client.post("/v1/responses", json=HELLO)
    assert second.status_code == 400
    assert second.json()["error"] == {
        "message": "Second call fails.",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }


def test_a_header_fault_beats_a_stub(client: TestClient) -> None:
    add(client, answer={"text": "stubbed"})
    reply = client.post(
        "/v1/responses", json=HELLO, headers={"x-mockserver-fault": "service_unavailable"}
    )
    assert reply.status_code == 503


def test_strict_mode_lists_the_nearest_stubs() -> None:
    for client in make_client(strict_stubs=True):
        add(client, name="weather", match={"input": "weather"}, answer={"text": "Sunny."})
        reply = client.post("/v1/responses", json=HELLO)
        assert reply.status_code == 400
        error = reply.json()["error"]
        assert error["code"] == "no_stub_matched"
        assert "No stub matches POST /v1/responses. Nearest stubs:" in error["message"]
        assert (
            "weather: the last user message is 'Hello, world!', wanted it to contain 'weather'"
            in (error["message"])
        )
        assert client.post("/v1/responses", json={**HELLO, "input": "weather"}).status_code == 200
        assert client.get("/v1/responses/resp_nope").status_code == 404  # only creates are strict
        unmatched = client.get("/__mockserver/unmatched").json()["data"]
        assert unmatched[0]["nearest"][0]["stub"] == "weather"


def test_chaos_with_a_seed_is_reproducible_and_none_spares_a_request() -> None:
    def statuses() -> list[int]:
        for client in make_client(chaos_rate=0.5, chaos_seed=7, chaos_faults=("server_error",)):
            found = [client.post("/v1/responses", json=HELLO).status_code for _ in range(12)]
            spared = client.post(
                "/v1/responses", json=HELLO, headers={"x-mockserver-fault": "none"}
            )
            assert spared.status_code == 200
            return found
        raise AssertionError("unreachable")

    first = statuses()
    assert first == statuses()
    assert set(first) == {200, 500}


def test_bad_chaos_settings_fail_at_start_up() -> None:
    with pytest.raises(ConfigurationError, match="chaos rate must be between 0 and 1"):
        create_app(ServerConfig(chaos_rate=2))
    with pytest.raises(ConfigurationError, match="unknown fault 'x'"):
        create_app(ServerConfig(chaos_rate=0.1, chaos_faults=("x",)))


def test_start_up_stub_files_survive_reset(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text("- answer: From a file.\n")
    for client in make_client(stubs=(tmp_path,)):
        assert client.post("/v1/responses", json=HELLO).json()["output"][0]["content"][0][
            "text"
        ] == ("From a file.")
        client.post("/__mockserver/reset")
        assert len(state_of(client).stubs) == 1
    (tmp_path / "bad.yaml").write_text("- answer: {text: 1}\n")
    with pytest.raises(
        ConfigurationError, match=r"bad.yaml: stub #1: answer.text: expected a string"
    ):
        create_app(ServerConfig(stubs=(tmp_path,)))


def test_the_context_scope_sees_a_conversation(client: TestClient) -> None:
    add(
        client,
        match={"input": {"contains": "Atlas", "scope": "context"}},
        answer={"text": "Atlas!"},
    )
    items = [{"type": "message", "role": "user", "content": "My project is Atlas."}]
    conversation = client.post("/v1/conversations", json={"items": items}).json()
    follow = {**HELLO, "input": "What is it?", "conversation": conversation["id"]}
    assert client.post("/v1/responses", json=follow).json()["output"][0]["content"][0]["text"] == (
        "Atlas!"
    )


def test_a_pacing_header_past_the_bounds_is_a_400(client: TestClient) -> None:
    for value in ("first_event_ms=1e308", "tokens_per_second=1e-300", "reply_delay_ms=nan"):
        reply = client.post(
            "/v1/responses", json={**HELLO, "stream": True}, headers={"x-mockserver-pacing": value}
        )
        assert reply.status_code == 400, value
        assert reply.json()["error"]["code"] == "invalid_mock_header"
