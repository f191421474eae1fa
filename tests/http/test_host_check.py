"""The DNS-rebinding guard (host_check.py): unknown Host names get 403 unless allowed."""

from __future__ import annotations

import http.client
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from mockserver import MockServer, ServerConfig, create_app
from mockserver.http.host_check import HostPolicy, host_name

AUTH = {"authorization": "Bearer sk-test"}
HELLO = {"model": "gpt-4o-mini", "input": "Hello"}


@pytest.mark.parametrize(
    ("host", "name"),
    [
        ("127.0.0.1:8000", "127.0.0.1"),
        ("[::1]:8000", "::1"),
        ("[::1]", "::1"),
        ("LocalHost", "localhost"),
        ("api.example:443", "api.example"),
        ("a:b", "a:b"),
    ],
)
def test_host_names_lose_port_and_brackets(host: str, name: str) -> None:
    assert host_name(host) == name


def test_addresses_and_localhost_are_allowed_without_configuration() -> None:
    policy = HostPolicy()
    for name in ("127.0.0.1", "::1", "10.1.2.3", "localhost", "app.localhost"):
        assert policy.allows(name), name
    for name in ("attacker.example", "localhost.attacker.example", "testserver"):
        assert not policy.allows(name), name


def test_allowed_names_exact_domains_and_any() -> None:
    policy = HostPolicy(["api.test:8000", ".corp.example"])
    assert policy.allows("api.test")
    assert policy.allows("corp.example") and policy.allows("mock.corp.example")
    assert not policy.allows("other.test") and not policy.allows("evilcorp.example")
    assert HostPolicy(["*"]).allows("anything.at.all")


def test_a_foreign_host_is_refused_with_the_api_error_shape() -> None:
    client = TestClient(create_app(ServerConfig(self_check=True)), headers=AUTH)
    for path in ("/v1/responses", "/__mockserver/journal", "/__mockserver/inspector"):
        reply = client.get(path, headers={"host": "attacker.example"})
        assert reply.status_code == 403, path
        error = reply.json()["error"]
        assert error["code"] == "host_not_allowed" and "--allow-host" in error["message"]
    assert (
        client.post("/v1/responses", json=HELLO, headers={"host": "attacker.example"}).status_code
        == 403
    )
    assert len(client.app.state.mock.journal) == 0  # type: ignore[attr-defined]


def test_testclient_localhost_and_allowed_hosts_are_served() -> None:
    app = create_app(ServerConfig(self_check=True, allowed_hosts=("mock.test",)))
    client = TestClient(app, headers=AUTH)
    assert client.post("/v1/responses", json=HELLO).status_code == 200  # Host: testserver
    for host in ("localhost:8000", "127.0.0.1", "[::1]:1", "mock.test:8000"):
        assert client.post("/v1/responses", json=HELLO, headers={"host": host}).status_code == 200


def raw_get(port: int, host: str, path: str = "/__mockserver/journal") -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.putrequest("GET", path, skip_host=True)
    connection.putheader("Host", host)
    connection.endheaders()
    status = connection.getresponse().status
    connection.close()
    return status


def test_over_a_real_socket_testserver_is_just_another_unknown_name() -> None:
    with MockServer() as server:
        assert server.port is not None
        assert raw_get(server.port, f"127.0.0.1:{server.port}") == 200
        assert raw_get(server.port, "testserver") == 403
        assert raw_get(server.port, "attacker.example") == 403


def test_record_mode_does_not_forward_a_rebound_request(tmp_path: Path) -> None:
    # The upstream is a second mock: whatever reaches it lands in its journal.
    with MockServer() as upstream:
        with MockServer(recordings=tmp_path, record_mode="all", upstream=upstream.url) as recorder:
            assert recorder.port is not None
            assert raw_get(recorder.port, "attacker.example", "/v1/responses/resp_x") == 403
        assert len(upstream.state.journal) == 0
    assert not list(tmp_path.rglob("*.json"))
