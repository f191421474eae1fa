"""The foreground server tunes the garbage collector, runs uvicorn, and announces itself only
once its socket is bound."""

from __future__ import annotations

import argparse
import gc
import socket
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from mockserver.http.serving import GC_THRESHOLDS, AnnouncingServer, run_foreground


@pytest.fixture
def restored_gc() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.set_threshold(*thresholds)
    gc.unfreeze()


async def hello_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"hello"})


def test_run_foreground_tunes_gc_and_serves(
    monkeypatch: pytest.MonkeyPatch, restored_gc: None
) -> None:
    seen: dict[str, Any] = {}

    def fake_run(server: uvicorn.Server, **_: Any) -> None:
        config = server.config
        seen.update(
            app=config.app,
            host=config.host,
            port=config.port,
            access_log=config.access_log,
            log_level=config.log_level,
            thresholds=gc.get_threshold(),
            frozen=gc.get_freeze_count(),
        )

    monkeypatch.setattr(uvicorn.Server, "run", fake_run)
    args = argparse.Namespace(host="127.0.0.1", port=8123, access_log=False)
    assert run_foreground("the-app", args, lambda url: [f"at {url}"]) == 0
    assert seen["app"] == "the-app"
    assert (seen["host"], seen["port"], seen["access_log"]) == ("127.0.0.1", 8123, False)
    assert seen["log_level"] == "warning"
    assert seen["thresholds"] == GC_THRESHOLDS
    assert seen["frozen"] > 0


def test_the_access_log_shows_no_key_from_the_query_or_the_path() -> None:
    import logging

    from mockserver.http.serving import RedactedAccessLog

    secret = "sk-proj-abcdefghijklmnopqrstuvwxyz"
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:1", "GET", f"/v1/{secret}/x?api_key={secret}&limit=2", "1.1", 200), None,
    )
    assert RedactedAccessLog().filter(record)
    line = record.getMessage()
    assert secret not in line
    assert "/v1/[REDACTED]/x?api_key=[REDACTED]&limit=2" in line


def test_run_foreground_installs_the_access_log_filter_once(
    monkeypatch: pytest.MonkeyPatch, restored_gc: None
) -> None:
    import logging

    from mockserver.http.serving import ACCESS_LOG_FILTER

    monkeypatch.setattr(AnnouncingServer, "run", lambda self: None)
    args = argparse.Namespace(host="127.0.0.1", port=8123, access_log=True)
    run_foreground("app", args, lambda url: [])
    run_foreground("app", args, lambda url: [])
    assert logging.getLogger("uvicorn.access").filters.count(ACCESS_LOG_FILTER) == 1
def test_the_banner_is_printed_once_the_socket_listens(capsys: pytest.CaptureFixture[str]) -> None:
    connected: list[bool] = []
    server: AnnouncingServer

    def announce(url: str) -> list[str]:
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5):  # refused if not bound
            connected.append(True)
        server.should_exit = True
        return [f"listening at {url}"]

    config = uvicorn.Config(hello_app, host="127.0.0.1", port=0, log_level="warning")
    server = AnnouncingServer(config, announce)
    server.run()
    assert connected == [True]
    err = capsys.readouterr().err
    assert err.startswith("listening at http://127.0.0.1:") and ":0\n" not in err


def test_a_port_in_use_prints_no_banner_and_exits_1(
    capsys: pytest.CaptureFixture[str], restored_gc: None
) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        args = argparse.Namespace(host="127.0.0.1", port=port, access_log=False)
        announced: list[str] = []

        def announce(url: str) -> list[str]:
            announced.append(url)
            return [f"serving at {url}"]

        assert run_foreground(hello_app, args, announce) == 1
    assert announced == []
    err = capsys.readouterr().err
    assert "serving at" not in err
    assert f"mockserver: could not listen on 127.0.0.1:{port}" in err
    assert "pick another --port" in err
