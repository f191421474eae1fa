"""``mockserver serve --stubs/--strict-stubs/--chaos-*``: parsing, and errors before serving."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import uvicorn

from mockserver.cli.main import build_parser, main
from mockserver.cli.stubs import stub_config


def test_defaults_leave_stubs_and_chaos_off() -> None:
    config = stub_config(build_parser().parse_args(["serve"]))
    assert config == {
        "stubs": (),
        "strict_stubs": False,
        "chaos_rate": 0.0,
        "chaos_seed": None,
        "chaos_faults": ("rate_limit", "server_error", "service_unavailable", "cut_stream"),
    }


def test_options_reach_the_app(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("- answer: Scripted.\n")
    ran: dict[str, Any] = {}
    monkeypatch.setattr(
        uvicorn.Server, "run", lambda server, **_: ran.update(app=server.config.app)
    )
    argv = [
        "serve",
        "--stubs",
        str(tmp_path),
        "--stubs",
        str(tmp_path / "a.yaml"),
        "--strict-stubs",
        "--chaos-rate",
        "0.1",
        "--chaos-seed",
        "42",
        "--chaos-faults",
        "rate_limit, stream_error",
    ]
    assert main(argv) == 0
    state = ran["app"].state.mock
    assert state.config.strict_stubs and state.config.chaos_seed == 42
    assert state.config.chaos_faults == ("rate_limit", "stream_error")
    assert [e.stub.answer.text for e in state.stubs.entries()] == ["Scripted.", "Scripted."]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--chaos-rate", "3"], "chaos rate must be between 0 and 1, got 3.0"),
        (["--chaos-rate", "0.1", "--chaos-faults", "meteor"], "unknown fault 'meteor'"),
        (["--stubs", "/nonexistent/stubs"], "stubs path '/nonexistent/stubs' does not exist"),
    ],
)
def test_bad_options_exit_2_with_the_reason(
    argv: list[str],
    expected: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(uvicorn.Server, "run", lambda *a, **k: pytest.fail("must not serve"))
    assert main(["serve", *argv]) == 2
    assert expected in capsys.readouterr().err


def test_a_bad_stub_file_names_file_rule_and_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "weather.yaml"
    bad.write_text(
        "- name: ok\n  answer: fine\n- name: broken\n  match: {inputs: x}\n  answer: hi\n"
    )
    monkeypatch.setattr(uvicorn.Server, "run", lambda *a, **k: pytest.fail("must not serve"))
    assert main(["serve", "--stubs", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}: stub #2 'broken': match: unknown key 'inputs' in match; valid keys are" in err
