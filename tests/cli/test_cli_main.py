"""The ``mockserver`` command: schema checks, argument parsing, clear config errors, serving."""

from __future__ import annotations

import json
import queue
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from mockserver.cli.main import DEFAULT_HOST, DEFAULT_PORT, build_parser, main

ROOT = Path(__file__).resolve().parents[2]


def test_checked_in_schemas_are_fresh(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schemas", "--check", "--dir", str(ROOT / "schemas")]) == 0
    assert "is up to date with the installed openai SDK" in capsys.readouterr().out


def test_stale_schemas_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "Response.json").write_text("{}", encoding="utf-8")
    assert main(["schemas", "--check", "--dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"stale schemas in {tmp_path}:" in err and "run `mockserver schemas`" in err


def test_serve_defaults() -> None:
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port) == (DEFAULT_HOST, DEFAULT_PORT) == ("127.0.0.1", 8000)
    assert args.seed is None and args.api_key is None and args.id_seed is None
    assert args.max_body_bytes is None and args.access_log is False


def test_serve_arguments_reach_the_app(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"responses": [{"id": "resp_fixture"}]}), encoding="utf-8")
    ran: dict[str, Any] = {}

    def fake_run(server: uvicorn.Server, **_: Any) -> None:
        ran["app"], ran["config"] = server.config.app, server.config

    monkeypatch.setattr(uvicorn.Server, "run", fake_run)
    argv = [
        "serve", "--host", "0.0.0.0", "--port", "9123", "--seed", str(seed),
        "--api-key", "sk-only", "--id-seed", "7", "--max-body-bytes", "1000", "--access-log",
        "--first-event-ms", "300", "--tokens-per-second", "50", "--reply-delay-ms", "20",
    ]  # fmt: skip
    assert main(argv) == 0
    assert ran["config"].host == "0.0.0.0" and ran["config"].port == 9123
    assert ran["config"].access_log is True
    state = ran["app"].state.mock
    config = state.config
    assert config.api_key == "sk-only" and config.id_seed == 7 and config.max_body_bytes == 1000
    assert config.seed_file == seed
    assert state.store.get_response("resp_fixture") is not None
    pacing = config.pacing
    assert (pacing.first_event_seconds, pacing.tokens_per_second) == (0.3, 50)
    assert pacing.reply_delay_seconds == pytest.approx(0.02)
    assert "serving" not in capsys.readouterr().err  # the banner waits for the bound socket


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "does not exist"),
        ("{oops", "is not valid JSON"),
        ('["not", "an", "object"]', "a seed file holds a JSON object"),
        ('{"responses": [{"object": "response"}]}', "responses[0] needs a string 'id'"),
    ],
)
def test_a_bad_seed_file_exits_2_with_a_clear_message(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str | None,
    expected: str,
) -> None:
    monkeypatch.setattr(uvicorn.Server, "run", lambda *a, **k: pytest.fail("must not serve"))
    seed = tmp_path / "seed.json"
    if content is not None:
        seed.write_text(content, encoding="utf-8")
    assert main(["serve", "--seed", str(seed)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mockserver: ")
    assert str(seed) in err and expected in err
    assert "Traceback" not in err


def test_bad_pacing_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(uvicorn.Server, "run", lambda *a, **k: pytest.fail("must not serve"))
    assert main(["serve", "--tokens-per-second", "0"]) == 2
    assert "tokens_per_second must be at least 0.1, got 0.0" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv", [[], ["serve", "--port", "eighty"], ["serve", "--nope"], ["frobnicate"]]
)
def test_argument_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert "usage: mockserver" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("port", "message"),
    [
        ("0", "0 is out of range; a port is an integer from 1 to 65535"),
        ("65536", "65536 is out of range; a port is an integer from 1 to 65535"),
        ("99999", "99999 is out of range; a port is an integer from 1 to 65535"),
        ("-1", "-1 is out of range; a port is an integer from 1 to 65535"),
        ("eighty", "'eighty' is not a port number; give an integer from 1 to 65535"),
    ],
)
@pytest.mark.parametrize("command", [["serve"], ["record", "--recordings", "r"]])
def test_a_port_outside_1_to_65535_is_a_usage_error(
    command: list[str], port: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main([*command, f"--port={port}"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert f"usage: mockserver {command[0]} " in err
    assert f"argument --port: {message}" in err


@pytest.mark.parametrize("port", ["1", "65535"])
def test_the_port_range_ends_are_accepted(port: str) -> None:
    assert build_parser().parse_args(["serve", "--port", port]).port == int(port)


@pytest.mark.parametrize(
    "argv",
    [
        ["serve", "--porrt", "9000"],
        ["schemas", "--chek"],
        ["validate", "recordings", "--nope"],
        ["record", "--recordings", "r", "extra"],
    ],
)
def test_an_unknown_argument_shows_its_subcommands_usage(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"usage: mockserver {argv[0]} ")
    assert f"mockserver {argv[0]}: error: unrecognized arguments: " in err


def test_serve_on_a_port_in_use_says_so_without_a_banner(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert "serving" not in err and "inspector at" not in err
    assert f"mockserver: could not listen on 127.0.0.1:{port}" in err


def test_python_dash_m_serves(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = tmp_path / "stderr.txt"
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "mockserver", "serve", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        reply = None
        deadline = time.monotonic() + 30  # a bound on waiting, not an assertion on speed
        while reply is None and time.monotonic() < deadline and process.poll() is None:
            try:
                reply = httpx.post(
                    f"http://127.0.0.1:{port}/v1/responses",
                    json={"model": "gpt-4o-mini", "input": "Are you there?"},
                    headers={"authorization": "Bearer sk-test"},
                    timeout=5,
                )
            except httpx.TransportError:
                time.sleep(0.05)
        assert reply is not None, log.read_text()
        assert reply.status_code == 200
        assert reply.json()["output"][0]["content"][0]["text"].startswith(
            'Mock reply to "Are you there?".'
        )
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert f"serving the Responses API at http://127.0.0.1:{port}/v1" in log.read_text()


def test_once_the_banner_is_out_the_first_request_is_answered() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    stderr = process.stderr
    assert stderr is not None
    threading.Thread(target=lambda: [lines.put(line) for line in stderr], daemon=True).start()
    try:
        banner = lines.get(timeout=60)  # a bound on waiting, not an assertion on speed
        assert banner == f"mockserver: serving the Responses API at http://127.0.0.1:{port}/v1\n"
        reply = httpx.post(  # no retry: the socket is bound before the banner is printed
            f"http://127.0.0.1:{port}/v1/responses",
            json={"model": "gpt-4o-mini", "input": "Are you there?"},
            headers={"authorization": "Bearer sk-test"},
            timeout=30,
        )
        assert reply.status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)


# What `mockserver serve` must not load before it answers its first create: each costs start-up
# time (issue #14: cold start to the first 200) and serves only other paths (tests, recording,
# YAML stubs, shared stores, the h11 parser when httptools is there).
NOT_LOADED_BY_SERVE = (
    "openai",
    "hypothesis",
    "jsonschema",  # the pure-Python one (validation uses jsonschema_rs)
    "referencing",
    "pydantic",
    "httpx",
    "yaml",
    "h11",
    "redis",
    "sqlite3",
    "vcr",
    "mockserver.testing",
    "mockserver.http.server",
    "mockserver.http.replay",
    "mockserver.recording.cassette",
    "mockserver.recording.tape",
    "mockserver.recording.upstream",
)
_STARTUP_SCRIPT = """
import asyncio, json, sys
from mockserver.cli.main import build_parser, serve_app
from mockserver.http.protocol import protocol_class

app = serve_app(build_parser().parse_args(["serve"]))
protocol_class()
body = json.dumps({"model": "gpt-4o-mini", "input": "Hello"}).encode()
sent = []

async def receive():
    if not sent:
        sent.append(True)
        return {"type": "http.request", "body": body, "more_body": False}
    await asyncio.Event().wait()

async def create():
    started = []
    async def send(message):
        if message["type"] == "http.response.start":
            started.append(message["status"])
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/v1/responses", "raw_path": b"/v1/responses",
        "query_string": b"", "root_path": "", "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 8000),
        "headers": [(b"host", b"127.0.0.1:8000"), (b"content-type", b"application/json"),
                    (b"authorization", b"Bearer sk-test")],
    }
    await app(scope, receive, send)
    return started[0]

print(json.dumps({"status": asyncio.run(create()), "modules": sorted(sys.modules)}))
"""


def test_serving_a_create_loads_only_what_serving_needs() -> None:
    # A fresh interpreter: this one has the SDKs and frameworks of other tests loaded.
    out = subprocess.run(
        [sys.executable, "-c", _STARTUP_SCRIPT], cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    found = json.loads(out.stdout)
    assert found["status"] == 200
    loaded = [
        name
        for name in found["modules"]
        if any(name == n or name.startswith(f"{n}.") for n in NOT_LOADED_BY_SERVE)
    ]
    assert loaded == [], f"serve loaded {loaded} before its first answer; import them lazily"
