"""Requests uvicorn cannot parse get the API's error shape, not its plain-text 400 (#16)."""

from __future__ import annotations

import json
import socket

import pytest

from mockserver import MockServer
from mockserver.http.protocol import protocol_class, unparsable_response


def send_raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
            if b"\r\n\r\n" in received and received.rstrip().endswith(b"}"):
                break
    return received


@pytest.fixture(scope="module")
def server() -> MockServer:
    with MockServer() as running:
        yield running  # type: ignore[misc]


@pytest.mark.parametrize("method", [b"FOO", b"BREW", b"G3T"])
def test_an_unknown_method_gets_a_json_400(server: MockServer, method: bytes) -> None:
    assert server.port is not None
    reply = send_raw(
        server.port,
        method + b" /v1/responses HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer k\r\n\r\n",
    )
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert b"content-type: application/json" in head.lower()
    error = json.loads(body)["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "invalid_request_error" and error["code"] == "invalid_http_request"


def test_a_method_the_parser_knows_reaches_the_app_and_gets_the_real_404(
    server: MockServer,
) -> None:
    assert server.port is not None
    reply = send_raw(
        server.port,
        b"PROPFIND /v1/responses HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer k\r\n\r\n",
    )
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 404 ")
    assert json.loads(body)["error"]["message"] == "Invalid URL (PROPFIND /v1/responses)"


def test_the_canned_answer_is_complete_http() -> None:
    raw = unparsable_response()
    head, _, body = raw.partition(b"\r\n\r\n")
    assert f"content-length: {len(body)}".encode() in head
    assert protocol_class().__name__.startswith("APIError")
