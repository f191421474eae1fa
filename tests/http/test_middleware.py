"""The API's common headers, authentication, and server-side failures, through the app."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

import mockserver.http.render
from mockserver import ServerConfig, create_app
from mockserver.http.middleware import OPENAI_VERSION, bearer_key, wrong_key_error

HELLO = {"model": "gpt-4o-mini", "input": "Hello"}
AUTH = {"authorization": "Bearer sk-test"}
KEY_HELP = "https://platform.openai.com/account/api-keys"


def client_for(**config: Any) -> TestClient:
    return TestClient(create_app(ServerConfig(self_check=True, **config)))


@pytest.fixture
def client() -> Iterator[TestClient]:
    client = client_for()
    yield client
    assert client.app.state.mock.take_failures() == []  # type: ignore[attr-defined]


def assert_common_headers(reply: Any) -> None:
    assert reply.headers["openai-version"] == OPENAI_VERSION == "2020-10-01"
    assert reply.headers["openai-processing-ms"].isdigit()
    assert re.fullmatch(r"req_[0-9a-f]{32}", reply.headers["x-request-id"])


def test_every_reply_has_the_common_headers(client: TestClient) -> None:
    auth = {"authorization": "Bearer sk-any"}
    replies = [
        client.post("/v1/responses", json=HELLO, headers=auth),
        client.post("/v1/responses", json={**HELLO, "stream": True}, headers=auth),
        client.get("/v1/responses/resp_missing", headers=auth),
        client.post("/v1/responses", json=HELLO),
        client.get("/nowhere"),
    ]
    for reply in replies:
        assert_common_headers(reply)
    request_ids = [reply.headers["x-request-id"] for reply in replies]
    assert len(set(request_ids)) == len(request_ids)


def test_missing_key(client: TestClient) -> None:
    for headers in ({}, {"authorization": "Bearer "}, {"authorization": "Basic dXNlcjpwdw=="}):
        reply = client.post("/v1/responses", json=HELLO, headers=headers)
        assert reply.status_code == 401
        assert reply.headers["www-authenticate"] == 'Bearer realm="OpenAI API"'
        assert_common_headers(reply)
        assert reply.json() == {
            "error": {
                "message": "You didn't provide an API key. You need to provide your API key in an "
                "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or "
                "as the password field (with blank username) if you're accessing the API from your "
                "browser and are prompted for a username and password. You can obtain an API key "
                f"from {KEY_HELP}.",
                "type": "invalid_request_error",
                "param": None,
                "code": None,
            }
        }


def test_any_key_is_accepted_by_default(client: TestClient) -> None:
    for key in ("sk-test", "x", "sk-proj-" + "a" * 100):
        reply = client.post("/v1/responses", json=HELLO, headers={"authorization": f"Bearer {key}"})
        assert reply.status_code == 200


def test_wrong_key_with_a_configured_key() -> None:
    client = client_for(api_key="sk-the-right-key-123")
    right = client.post(
        "/v1/responses", json=HELLO, headers={"authorization": "Bearer sk-the-right-key-123"}
    )
    assert right.status_code == 200
    wrong = client.post(
        "/v1/responses", json=HELLO, headers={"authorization": "bearer sk-invalid-test-key"}
    )
    assert wrong.status_code == 401
    assert wrong.headers["www-authenticate"] == 'Bearer realm="OpenAI API"'
    assert wrong.json() == {
        "error": {
            # Masking as seen on the real API: first 8, a star per character after 12, last 4.
            "message": f"Incorrect API key provided: sk-inval*******-key. You can find your API "
            f"key at {KEY_HELP}.",
            "type": "invalid_request_error",
            "param": None,
            "code": "invalid_api_key",
        }
    }
    missing = client.get("/v1/responses/resp_1")
    assert missing.status_code == 401 and missing.json()["error"]["code"] is None


def test_key_masking() -> None:
    key = "sk-XG6GW" + "x" * 39 + "wlmi"
    assert f"sk-XG6GW{'*' * 39}wlmi." in wrong_key_error(key).message
    assert "provided: short-key." in wrong_key_error("short-key").message


def test_auth_applies_to_the_api_only(client: TestClient) -> None:
    assert client.get("/").status_code == 404
    assert client.options("/v1/responses").status_code == 404


def test_bearer_key_parsing() -> None:
    def scope(*headers: tuple[bytes, bytes]) -> dict[str, Any]:
        return {"headers": list(headers)}

    assert bearer_key(scope()) is None
    assert bearer_key(scope((b"authorization", b"Bearer  sk-1 "))) == "sk-1"
    assert bearer_key(scope((b"authorization", b"BEARER sk-1"))) == "sk-1"
    assert bearer_key(scope((b"authorization", b"Token sk-1"))) == ""


def test_a_handler_exception_is_a_logged_500_kept_for_the_test(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("bug in the mock")

    client = client_for()
    monkeypatch.setattr(client.app.state.mock.store, "get_response", broken)  # type: ignore[attr-defined]
    reply = client.get("/v1/responses/resp_1", headers={"authorization": "Bearer sk-1"})
    assert reply.status_code == 500
    assert_common_headers(reply)
    error = reply.json()["error"]
    assert error["type"] == "server_error"
    assert error["message"].startswith("The server had an error while processing your request.")
    assert "Traceback" not in reply.text
    [failure] = client.app.state.mock.take_failures()  # type: ignore[attr-defined]
    assert isinstance(failure, RuntimeError) and str(failure) == "bug in the mock"
    assert "unexpected error while handling GET /v1/responses/resp_1" in caplog.text


def test_a_failure_mid_stream_ends_the_stream_and_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    real = mockserver.http.render.encode_event
    sent: list[str] = []

    def failing(event: dict[str, Any]) -> bytes:
        if len(sent) == 3:
            raise RuntimeError("encoder broke")
        sent.append(event["type"])
        return real(event)

    monkeypatch.setattr(mockserver.http.render, "encode_event", failing)
    client = client_for()
    reply = client.post(
        "/v1/responses", json={**HELLO, "stream": True}, headers={"authorization": "Bearer sk-1"}
    )
    assert reply.status_code == 200
    assert reply.text.count("event: ") == 3
    [failure] = client.app.state.mock.take_failures()  # type: ignore[attr-defined]
    assert str(failure) == "encoder broke"


def test_the_journal_keeps_exchanges_without_secrets(client: TestClient) -> None:
    client.post("/v1/responses", json=HELLO, headers={"authorization": "Bearer sk-secret"})
    [exchange] = client.app.state.mock.journal.entries()  # type: ignore[attr-defined]
    assert exchange.method == "POST" and exchange.path == "/v1/responses"
    assert exchange.status == 200 and exchange.finished
    assert exchange.request_headers["authorization"] == "[REDACTED]"
    assert exchange.request_json() == HELLO
    assert exchange.response_json()["object"] == "response"
    assert exchange.request_id == exchange.response_headers["x-request-id"]


def test_large_rejected_bodies_leave_only_the_journal_bound_behind() -> None:
    """#16: 20 x 40 MB requests answered 400 took RSS from 46 to 885 MB (the journal kept them)."""
    import gc
    import tracemalloc

    client = client_for()
    body = b'{"model": "gpt-4o-mini", "input": "' + b"x" * (8 * 1024 * 1024) + b'", oops}'
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(20):
            reply = client.post("/v1/responses", content=body, headers=AUTH)
            assert reply.status_code == 400
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    journal = client.app.state.mock.journal  # type: ignore[attr-defined]
    print(f"journal after 20 x 8 MiB rejected bodies: {journal.bytes} body bytes, {held} held")
    assert len(journal) == 20
    assert all(entry.request_body_dropped > 0 for entry in journal)
    assert journal.bytes <= 20 * (journal.body_bytes + 1024)
    assert held < 40 * 1024 * 1024  # not 20 x 8 MiB
