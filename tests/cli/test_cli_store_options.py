"""``serve --store``, ``--workers``, ``--retention-scale``: their checks, and the compose file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mockserver.cli.main import build_parser, main, serve_app
from mockserver.cli.store_options import store_config
from mockserver.state.store import MemoryStore
from mockserver.state.store.sqlite_store import SqliteStore

ROOT = Path(__file__).resolve().parents[2]


def serve_args(*argv: str):
    return build_parser().parse_args(["serve", *argv])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--workers", "2"], "--workers 2 needs a shared store, but --store is memory://"),
        (["--workers", "0"], "--workers must be 1 or more, got 0"),
        (
            ["--workers", "2", "--store", "sqlite:///x.db", "--id-seed", "1"],
            "every worker would make the same ids",
        ),
        (["--retention-scale", "0"], "--retention-scale must be a number > 0, got 0"),
        (["--store", "postgres://x"], "unknown kind of store; use memory://"),
        (["--store", "memory://?max_items=3"], "unknown option(s) ['max_items']"),
        (["--store", "memory://?max_responses=0"], "max_responses as a whole number >= 1"),
        (["--store", "sqlite://"], "no file named; use sqlite:///state.db"),
        (["--store", "redis://127.0.0.1:1/0"], "cannot reach Redis at redis://127.0.0.1:1/0"),
    ],
)
def test_bad_options_are_refused_with_a_way_out(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", *argv]) == 2
    assert message in capsys.readouterr().err


def test_the_store_url_picks_the_backend(tmp_path: Path) -> None:
    app = serve_app(serve_args("--store", f"sqlite:///{tmp_path / 'x.db'}", "--workers", "2"))
    assert isinstance(app.state.mock.store, SqliteStore)  # type: ignore[attr-defined]
    app = serve_app(serve_args("--store", "memory://?max_responses=5", "--retention-scale", "0.5"))
    store = app.state.mock.store  # type: ignore[attr-defined]
    assert isinstance(store, MemoryStore) and store.retention.scale == 0.5


def test_recordings_need_one_worker(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = f"sqlite:///{tmp_path / 'x.db'}"
    argv = ["serve", "--store", store, "--workers", "2", "--recordings", str(tmp_path)]
    assert main(argv) == 2
    assert "--recordings works with one worker only" in capsys.readouterr().err


def test_the_compose_file_runs_a_valid_serve_command() -> None:
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    command = compose["services"]["mock"]["command"]
    args = build_parser().parse_args(command)
    assert store_config(args) == {"store_url": "redis://redis:6379/0", "retention_scale": 1.0}
    assert args.workers == 2 and args.host == "0.0.0.0"
    assert "mock:8000" in compose["configs"]["nginx"]["content"]


def test_the_deploy_guide_shows_the_compose_file() -> None:
    guide = (ROOT / "docs" / "deploy.md").read_text()
    compose = (ROOT / "deploy" / "compose.yaml").read_text()
    services = compose[compose.index("services:") : compose.index("\nconfigs:")].rstrip()
    assert services in guide
