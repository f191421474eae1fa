"""Writing recordings: atomic (old file or new file, never half), and loading them back."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mockserver.contract.errors import ConfigurationError
from mockserver.recording import persist
from mockserver.recording.cassette import Cassette, Interaction, RecordedRequest, RecordedResponse


def cassette(name: str, count: int = 1) -> Cassette:
    interaction = Interaction(
        RecordedRequest("GET", "/v1/responses/r"),
        RecordedResponse(200, {"content-type": "application/json"}, b'{"id":"r"}'),
        recorded_at=None,
        source="generated",
    )
    return Cassette(name, [interaction] * count)


def test_save_and_load_by_name(tmp_path: Path) -> None:
    path = persist.save_cassette(tmp_path, cassette("tests/test_app/test_x[1]", 2))
    assert path == tmp_path / "tests" / "test_app" / "test_x[1].json"
    loaded, existed = persist.load_cassette(tmp_path, "tests/test_app/test_x[1]")
    assert existed and len(loaded.interactions) == 2
    missing, existed = persist.load_cassette(tmp_path, "nothing/here")
    assert not existed and missing.interactions == [] and missing.name == "nothing/here"


def test_a_crash_while_writing_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = persist.save_cassette(tmp_path, cassette("c", 1))
    before = path.read_bytes()

    def crash(*args: object) -> None:
        raise KeyboardInterrupt  # Ctrl-C between writing the temporary file and renaming it

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        persist.save_cassette(tmp_path, cassette("c", 3))
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.json"]


def test_files_get_ordinary_permissions(tmp_path: Path) -> None:
    path = persist.save_cassette(tmp_path, cassette("c"))
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_directory_loads_recursively_and_skips_hidden_files(tmp_path: Path) -> None:
    persist.save_cassette(tmp_path, cassette("b"))
    persist.save_cassette(tmp_path, cassette("a/deep"))
    (tmp_path / ".c.json.123.tmp").write_text("half a file")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.json").write_text("{}")
    (tmp_path / "notes.md").write_text("not a recording")
    assert [c.name for c in persist.load_directory(tmp_path)] == ["a/deep", "b"]
    assert persist.load_directory(tmp_path / "absent") == []


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("tests/test_x.py::test_y", "tests/test_x.py__test_y"),
        ("../../etc/passwd", "etc/passwd"),
        ("a/./b.json", "a/b"),
        ("test_x[param-1]", "test_x[param-1]"),
    ],
)
def test_cassette_names_cannot_escape_the_directory(raw: str, name: str) -> None:
    assert persist.cassette_name(raw) == name


def test_an_unusable_name_or_unreadable_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="not a usable cassette name"):
        persist.cassette_name("../..")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ConfigurationError, match=r"bad\.json is not valid JSON"):
        persist.load_directory(tmp_path)
