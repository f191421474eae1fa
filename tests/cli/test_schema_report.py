"""``mockserver schemas``: content decides staleness (the version stamp does not), changed types
are named, and ``--against-installed`` reports without failing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mockserver.cli.main import main
from mockserver.contract.schemas import SCHEMA_SOURCES


@pytest.fixture
def fresh_schemas(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    assert main(["schemas", "--dir", str(tmp_path)]) == 0
    assert f"wrote {len(SCHEMA_SOURCES)} schemas to {tmp_path}" in capsys.readouterr().out
    return tmp_path


def _edit(path: Path, change: Any) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    change(schema)
    path.write_text(json.dumps(schema), encoding="utf-8")


def test_a_new_version_stamp_alone_is_not_stale(
    fresh_schemas: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for path in fresh_schemas.glob("*.json"):
        _edit(path, lambda schema: schema["x-generated-from"].update(version="3.0.0"))
    assert main(["schemas", "--check", "--dir", str(fresh_schemas)]) == 0
    out = capsys.readouterr().out
    assert "is up to date with the installed openai SDK" in out
    assert "the files say openai 3.0.0; only that stamp differs" in out


def test_stale_schemas_exit_1_naming_the_changed_types(
    fresh_schemas: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit(
        fresh_schemas / "Response.json",
        lambda schema: schema["$defs"]["ResponseUsage"]["properties"].pop("total_tokens"),
    )
    (fresh_schemas / "Conversation.json").unlink()
    assert main(["schemas", "--check", "--dir", str(fresh_schemas)]) == 1
    err = capsys.readouterr().err
    assert f"stale schemas in {fresh_schemas}: Conversation, Response;" in err
    assert "\n  Response: changed ResponseUsage\n" in err
    assert "\n  Conversation: no file yet\n" in err
    assert "run `mockserver schemas`" in err


def test_against_installed_reports_and_never_fails(
    fresh_schemas: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["schemas", "--check", "--against-installed", "--dir", str(fresh_schemas)]
    assert main(argv) == 0
    assert "would change nothing in" in capsys.readouterr().out
    _edit(fresh_schemas / "ErrorObject.json", lambda schema: schema["properties"].pop("param"))
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "would change 1 schema(s)" in out and "\n  ErrorObject: changed ErrorObject\n" in out
    assert "requirements/lock.sh --upgrade-package openai" in out
