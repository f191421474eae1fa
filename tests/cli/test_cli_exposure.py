"""Binding beyond loopback without a key warns; a --host name is an allowed Host (#16)."""

from __future__ import annotations

import argparse

import pytest
import uvicorn

from mockserver.cli.exposure import allowed_hosts, is_loopback, warn_if_exposed
from mockserver.cli.main import main


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.5", False),
        ("mock.lan", False),
    ],
)
def test_loopback_addresses(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_no_warning_on_loopback_or_with_a_key(capsys: pytest.CaptureFixture[str]) -> None:
    assert not warn_if_exposed("127.0.0.1", None)
    assert not warn_if_exposed("0.0.0.0", "sk-key")
    assert capsys.readouterr().err == ""


def test_serving_everyone_without_a_key_warns(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, **k: None)
    assert main(["serve", "--host", "0.0.0.0", "--port", "8123"]) == 0
    err = capsys.readouterr().err
    assert "WARNING: listening on 0.0.0.0" in err and "--api-key" in err
    assert main(["serve", "--host", "0.0.0.0", "--admin-key", "sk-admin"]) == 0
    assert "WARNING" not in capsys.readouterr().err


def test_allowed_hosts_include_a_host_name_given_to_bind() -> None:
    args = argparse.Namespace(host="mock.lan", allow_hosts=["api.test"])
    assert allowed_hosts(args) == ("api.test", "mock.lan")
    assert allowed_hosts(argparse.Namespace(host="0.0.0.0", allow_hosts=[])) == ()
    assert allowed_hosts(argparse.Namespace(host="localhost", allow_hosts=[])) == ()


def test_serve_passes_keys_hosts_and_journal_bounds_to_the_app(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = {}
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, **k: seen.update(app=self.config.app))
    assert (
        main(
            [
                "serve",
                "--admin-key",
                "sk-a",
                "--allow-host",
                "x.test",
                "--journal-max-bytes",
                "1000",
                "--journal-body-bytes",
                "100",
            ]
        )
        == 0
    )
    state = seen["app"].state.mock
    assert state.config.admin_key == "sk-a" and state.config.allowed_hosts == ("x.test",)
    assert (state.journal.max_bytes, state.journal.body_bytes) == (1000, 100)


def test_the_record_proxy_warns_when_exposed_and_takes_allow_host(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: object
) -> None:
    seen = {}
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, **k: seen.update(app=self.config.app))
    argv = ["record", "--recordings", str(tmp_path), "--host", "0.0.0.0", "--allow-host", "r.test"]
    assert main(argv) == 0
    assert "OPENAI_API_KEY" in capsys.readouterr().err
    assert seen["app"].state.mock.config.allowed_hosts == ("r.test",)
