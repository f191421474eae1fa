"""Writing recordings: atomic (old file or new file, never half), and loading them back."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from mockserver.contract.errors import ConfigurationError
from mockserver.recording import persist
from mockserver.recording.cassette import (
    Cassette,
    Interaction,
    RecordedRequest,
    RecordedResponse,
    dumps_cassette,
)


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


# ---- appending (#16: 400 interactions wrote 2.5 GB for a 12.7 MB file) ------------------------


def numbered(name: str, count: int) -> Cassette:
    return Cassette(
        name,
        [
            Interaction(
                RecordedRequest("POST", "/v1/responses", body=b'{"n": %d}' % index),
                RecordedResponse(200, {"content-type": "application/json"}, b'{"id":"r"}'),
                recorded_at=None,
                source="generated",
            )
            for index in range(count)
        ],
    )


def test_appending_gives_the_bytes_a_whole_write_gives(tmp_path: Path) -> None:
    full = numbered("c", 5)
    for count in range(1, 6):
        path = persist.append_interaction(tmp_path, Cassette("c", full.interactions[:count]))
    assert path.read_bytes() == dumps_cassette(full)
    assert len(persist.load_cassette(tmp_path, "c")[0].interactions) == 5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.json"]  # no note left behind


def test_appending_writes_only_the_new_interaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    full = numbered("c", 200)
    persist.append_interaction(tmp_path, Cassette("c", full.interactions[:1]))
    written = []
    real_open = open

    class Counting:
        def __init__(self, handle: Any) -> None:
            self.handle = handle

        def __getattr__(self, name: str) -> Any:
            return getattr(self.handle, name)

        def __enter__(self) -> Counting:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

        def write(self, data: bytes) -> int:
            written.append(len(data))
            return int(self.handle.write(data))

    monkeypatch.setattr(
        "builtins.open", lambda *a, **k: Counting(real_open(*a, **k))
    )
    for count in range(2, 201):
        persist.append_interaction(tmp_path, Cassette("c", full.interactions[:count]))
    monkeypatch.undo()
    size = (tmp_path / "c.json").stat().st_size
    print(f"200 appends: {sum(written)} bytes written for a {size}-byte file")
    assert sum(written) < 2 * size  # each interaction once, plus tiny size notes
    assert (tmp_path / "c.json").read_bytes() == dumps_cassette(full)


def test_an_append_cut_short_by_a_crash_is_undone_at_start(tmp_path: Path) -> None:
    full = numbered("c", 3)
    path = persist.save_cassette(tmp_path, Cassette("c", full.interactions[:2]))
    before = path.read_bytes()
    # What kill -9 in the middle of an append leaves: the size note, and half of the new data.
    (tmp_path / ".c.json.pending").write_text(str(len(before)))
    with open(path, "r+b") as handle:
        handle.seek(len(before) - len(persist.CLOSING))
        handle.write(b',\n    {"request": {"method": "PO')
    assert persist.tidy(tmp_path) == [path]
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.json"]


def test_a_finished_append_whose_note_survived_is_kept(tmp_path: Path) -> None:
    path = persist.save_cassette(tmp_path, numbered("c", 3))
    after = path.read_bytes()
    (tmp_path / ".c.json.pending").write_text("10")
    persist.tidy(tmp_path)
    assert path.read_bytes() == after and not (tmp_path / ".c.json.pending").exists()


def test_temporary_files_of_dead_processes_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    dead = 2**22 + 12345  # above Linux's default pid_max: no such process
    stale = tmp_path / "sub" / f".c.json.{dead}.0a1b2c3d.tmp"
    stale.parent.mkdir()
    stale.write_bytes(b"half")
    mine = tmp_path / f".d.json.{os.getpid()}.0a1b2c3d.tmp"
    mine.write_bytes(b"in progress")
    persist.tidy(tmp_path)
    assert not stale.exists() and mine.exists()
