"""``mockserver record``, ``import``, ``validate``, ``serve --recordings``, as users run them."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
import vcr

from mockserver import MockServer
from mockserver.cli.main import build_parser, main
from mockserver.recording.cassette import loads_cassette
from mockserver.recording.upstream import DEFAULT_UPSTREAM

AUTH = {"authorization": "Bearer sk-cli-test"}
CREATE = {"model": "gpt-4o-mini", "input": "Hello from the command line", "stream": True}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running(argv: list[str], log: Path) -> Iterator[str]:
    """Run ``mockserver ARGV`` in a subprocess until it answers; yield its base URL."""
    port = free_port()
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "mockserver", *argv, "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 30  # a bound on waiting, not an assertion on speed
        while process.poll() is None and time.monotonic() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        assert process.poll() is None, log.read_text()
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_record_then_serve_replays_the_same_stream(tmp_path: Path) -> None:
    recordings = tmp_path / "recordings"
    with MockServer() as upstream:
        argv = [
            "record",
            "--upstream",
            upstream.base_url,
            "--recordings",
            str(recordings),
            "--source",
            "generated",
        ]
        with running(argv, tmp_path / "record.log") as proxy:
            recorded = httpx.post(f"{proxy}/responses", json=CREATE, headers=AUTH)
    assert recorded.status_code == 200
    assert (
        f"recording {upstream.base_url} (mode all, source 'generated') "
        f"into {recordings}/default.json" in (tmp_path / "record.log").read_text()
    )
    [interaction] = loads_cassette((recordings / "default.json").read_bytes(), "x").interactions
    assert interaction.source == "generated"
    argv = ["serve", "--recordings", str(recordings), "--record-mode", "none"]
    with running(argv, tmp_path / "serve.log") as replay:
        again = httpx.post(f"{replay}/responses", json=CREATE, headers=AUTH)
        miss = httpx.post(f"{replay}/responses", json={**CREATE, "input": "else"}, headers=AUTH)
    assert again.content == recorded.content
    assert miss.status_code == 422 and miss.json()["error"]["type"] == "mockserver_replay_miss"


def test_serve_recording_options_reach_the_app(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ran: dict[str, Any] = {}
    monkeypatch.setattr(
        uvicorn.Server, "run", lambda server, **_: ran.update(app=server.config.app)
    )
    argv = [
        "serve", "--recordings", str(tmp_path), "--record-mode", "new_episodes",
        "--cassette", "suite/a",
        "--replay-speed", "1.5", "--match-ignore", "metadata.run", "--redact-field", "user",
        "--redact-header", "x-secret", "--keep-header", "cf-ray", "--source", "generated",
    ]  # fmt: skip
    assert main(argv) == 0
    layer = ran["app"].state.replay
    config = layer.config
    assert (config.recordings, config.record_mode.value, config.cassette) == (
        tmp_path,
        "new_episodes",
        "suite/a",
    )
    assert config.replay_speed == 1.5 and config.match_ignore == ("metadata.run",)
    assert config.redaction.fields == ("user",)
    assert (
        "x-secret" in config.redaction.secret_headers
        and "cf-ray" in config.redaction.keep_response_headers
    )
    assert layer.source == "generated"
    assert layer.tape.target.name == "suite/a"


def test_record_defaults_to_the_real_api_in_mode_all() -> None:
    args = build_parser().parse_args(["record", "--recordings", "recs"])
    assert (args.upstream, args.record_mode, args.port) == (DEFAULT_UPSTREAM, "all", 8000)
    assert DEFAULT_UPSTREAM == "https://api.openai.com/v1"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["serve", "--record-mode", "all"], "--record-mode needs --recordings DIR"),
        (
            ["serve", "--record-mode", "all", "--cassette", "c", "--upstream", "http://x"],
            "--record-mode, --cassette and --upstream need --recordings DIR",
        ),
        (["serve", "--recordings", "r", "--match-ignore", "a..b"], "'a..b' is not a field path"),
        (["record", "--recordings", "r", "--upstream", "api.openai.com"], "is not an http(s) URL"),
    ],
)
def test_bad_options_exit_2_with_a_clear_message(
    argv: list[str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(uvicorn.Server, "run", lambda *a, **k: pytest.fail("must not serve"))
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("mockserver: ") and message in err and "Traceback" not in err


@pytest.mark.parametrize(
    "command", [["serve"], ["serve", "--recordings", "r"], ["record", "--recordings", "r"]]
)
@pytest.mark.parametrize("mode", ["sometimes", "new-episodes", "ALL"])
def test_an_invalid_record_mode_is_named_with_the_valid_ones(
    command: list[str], mode: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main([*command, "--record-mode", mode])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert f"usage: mockserver {command[0]} " in err
    assert f"argument --record-mode: {mode!r} is not a valid record mode. " in err
    assert "Valid modes are: 'none', 'once', 'new_episodes', 'all'" in err
    assert "needs --recordings" not in err


def test_import_converts_and_keeps_existing_recordings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with (
        MockServer() as server,
        vcr.VCR(record_mode="all").use_cassette(str(tmp_path / "vcr" / "test_a.yaml")),
    ):
        httpx.post(
            f"{server.base_url}/responses",
            json={"model": "gpt-4o-mini", "input": "x"},
            headers=AUTH,
        )
    out = tmp_path / "recordings"
    assert (
        main(["import", str(tmp_path / "vcr"), "--recordings", str(out), "--prefix", "imported/"])
        == 0
    )
    assert f"-> {out / 'imported' / 'test_a.json'} (1 interactions)" in capsys.readouterr().out
    [interaction] = loads_cassette(
        (out / "imported" / "test_a.json").read_bytes(), "x"
    ).interactions
    assert interaction.source == "imported" and "authorization" not in interaction.request.headers
    assert (
        main(["import", str(tmp_path / "vcr"), "--recordings", str(out), "--prefix", "imported/"])
        == 0
    )
    assert "skipped" in capsys.readouterr().out
    assert (
        main(
            [
                "import",
                str(tmp_path / "vcr"),
                "--recordings",
                str(out),
                "--prefix",
                "imported/",
                "--force",
            ]
        )
        == 0
    )
    assert "imported 1 cassette(s)" in capsys.readouterr().out
