"""CORS: browsers on local origins (and configured ones) may call every route; others may not."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver import ConfigurationError, ServerConfig, create_app
from mockserver.cli.main import build_parser, main
from mockserver.http.cors import EXPOSED_HEADERS, check_origins

SDK_HEADERS = (
    "authorization, content-type, openai-beta, x-stainless-arch, x-stainless-lang, "
    "x-stainless-os, x-stainless-package-version, x-stainless-retry-count, x-stainless-runtime, "
    "x-stainless-runtime-version, x-stainless-timeout"
)
CREATE = {"model": "gpt-4o-mini", "input": "hi"}
AUTH = {"authorization": "Bearer sk-test"}


def client_for(**config: Any) -> TestClient:
    return TestClient(create_app(ServerConfig(self_check=True, **config)))


def preflight(
    client: TestClient,
    origin: str,
    path: str = "/v1/responses",
    method: str = "POST",
    headers: str = SDK_HEADERS,
) -> Any:
    return client.options(
        path,
        headers={
            "origin": origin,
            "access-control-request-method": method,
            "access-control-request-headers": headers,
        },
    )


def exposed(headers: Any) -> set[str]:
    return {h.strip() for h in headers.get("access-control-expose-headers", "").split(",")}


@pytest.mark.parametrize(
    "origin",
    [
        "http://localhost:5173",
        "http://localhost",
        "https://localhost:3000",
        "http://127.0.0.1:8080",
        "http://[::1]:4200",
        "http://my-app.localhost:5173",
    ],
)
def test_preflight_from_a_local_origin_is_granted_without_an_api_key(origin: str) -> None:
    client = client_for(api_key="sk-only-this")
    reply = preflight(client, origin)
    assert reply.status_code == 200
    assert reply.headers["access-control-allow-origin"] == origin
    assert reply.headers["access-control-allow-headers"] == SDK_HEADERS
    assert "POST" in reply.headers["access-control-allow-methods"]
    state = client.app.state.mock  # type: ignore[attr-defined]
    assert len(state.journal) == 0, "a preflight is answered before the API sees it"
    assert state.take_failures() == []


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_preflight_for_other_routes_and_methods(method: str) -> None:
    reply = preflight(client_for(), "http://localhost:5173", "/v1/responses/resp_x", method)
    assert reply.status_code == 200
    assert method in reply.headers["access-control-allow-methods"]


def test_a_browser_may_read_the_reply_and_the_headers_a_client_uses() -> None:
    client = client_for()
    reply = client.post(
        "/v1/responses", json=CREATE, headers={**AUTH, "origin": "http://localhost:5173"}
    )
    assert reply.status_code == 200
    assert reply.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert "origin" in reply.headers["vary"].lower()
    wanted = {"x-request-id", "openai-processing-ms", "openai-version"}
    wanted |= {name for name in reply.headers if name.startswith("x-ratelimit-")}
    assert len(wanted) == 9
    assert wanted <= exposed(reply.headers)
    assert set(EXPOSED_HEADERS) == exposed(reply.headers)


def test_a_browser_may_read_an_error_too() -> None:
    reply = client_for().post(
        "/v1/responses", json=CREATE, headers={"origin": "http://127.0.0.1:3000"}
    )
    assert reply.status_code == 401
    assert reply.headers["access-control-allow-origin"] == "http://127.0.0.1:3000"
    assert "x-request-id" in exposed(reply.headers)


def test_a_streamed_reply_carries_the_grant() -> None:
    client = client_for()
    with client.stream(
        "POST",
        "/v1/responses",
        json={**CREATE, "stream": True},
        headers={**AUTH, "origin": "http://localhost:5173"},
    ) as reply:
        assert reply.headers["content-type"].startswith("text/event-stream")
        assert reply.headers["access-control-allow-origin"] == "http://localhost:5173"
        assert "response.completed" in reply.read().decode()


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "http://localhost.evil.example",
        "http://127.0.0.1.evil.example:8000",
        "http://notlocalhost:3000",
        "http://localhost:5173.evil.example",
        "null",
    ],
)
def test_other_origins_get_no_grant(origin: str) -> None:
    client = client_for()
    reply = preflight(client, origin)
    assert reply.status_code == 400
    assert "access-control-allow-origin" not in reply.headers
    actual = client.post("/v1/responses", json=CREATE, headers={**AUTH, "origin": origin})
    assert actual.status_code == 200
    assert "access-control-allow-origin" not in actual.headers


def test_configured_origins_are_added_to_the_local_ones() -> None:
    client = client_for(cors_origins=("https://app.example.com", "HTTP://Staging.Example.com:8080"))
    for origin in ("https://app.example.com", "http://staging.example.com:8080"):
        assert preflight(client, origin).headers["access-control-allow-origin"] == origin
    assert preflight(client, "http://localhost:5173").status_code == 200
    assert preflight(client, "https://other.example.com").status_code == 400


def test_star_allows_any_origin() -> None:
    client = client_for(cors_origins=("*",))
    reply = preflight(client, "https://anything.example")
    assert reply.status_code == 200
    assert reply.headers["access-control-allow-origin"] == "*"
    actual = client.post(
        "/v1/responses", json=CREATE, headers={**AUTH, "origin": "https://anything.example"}
    )
    assert actual.headers["access-control-allow-origin"] == "*"
    assert "x-request-id" in exposed(actual.headers)


def test_chrome_private_network_preflight_is_granted() -> None:
    client = client_for(cors_origins=("https://app.example.com",))
    reply = client.options(
        "/v1/responses",
        headers={
            "origin": "https://app.example.com",
            "access-control-request-method": "POST",
            "access-control-request-private-network": "true",
        },
    )
    assert reply.status_code == 200
    assert reply.headers["access-control-allow-private-network"] == "true"


def test_requests_without_an_origin_are_untouched() -> None:
    reply = client_for().post("/v1/responses", json=CREATE, headers=AUTH)
    assert not [name for name in reply.headers if name.startswith("access-control-")]


def test_an_options_request_that_is_not_a_preflight_gets_the_apis_404() -> None:
    reply = client_for().options("/v1/responses", headers={"origin": "http://localhost:5173"})
    assert reply.status_code == 404
    assert reply.json()["error"]["message"] == "Invalid URL (OPTIONS /v1/responses)"


@pytest.mark.parametrize(
    "bad",
    ["http://localhost:5173/", "localhost:5173", "https://app.example.com/path", "", "http://"],
)
def test_a_bad_origin_is_a_configuration_error_naming_it(bad: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        check_origins([bad])
    message = str(raised.value)
    assert repr(bad) in message
    assert "scheme://host[:port]" in message


def test_cli_option_is_repeatable_and_checked(capsys: pytest.CaptureFixture[str]) -> None:
    args = build_parser().parse_args(
        ["serve", "--cors-origin", "https://a.example", "--cors-origin", "*"]
    )
    assert args.cors_origins == ["https://a.example", "*"]
    assert build_parser().parse_args(["serve"]).cors_origins == []
    assert main(["serve", "--cors-origin", "https://a.example/"]) == 2
    assert "'https://a.example/' is not an origin" in capsys.readouterr().err


def test_an_error_asked_for_on_purpose_is_readable_with_its_retry_hints() -> None:
    from mockserver.scenarios.faults import FAULT_HEADER

    client = client_for()
    asked = f"authorization, content-type, {FAULT_HEADER}"
    granted = preflight(client, "http://localhost:5173", headers=asked)
    assert granted.headers["access-control-allow-headers"] == asked
    reply = client.post(
        "/v1/responses",
        json=CREATE,
        headers={**AUTH, "origin": "http://localhost:5173", FAULT_HEADER: "rate_limit"},
    )
    assert reply.status_code == 429
    assert reply.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert {"retry-after", "retry-after-ms", "x-ratelimit-remaining-requests"} <= exposed(
        reply.headers
    )
    assert "retry-after-ms" in reply.headers
