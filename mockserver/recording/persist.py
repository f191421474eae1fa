"""The one module that writes recordings to disk (and reads them back).

A cassette named ``a/b`` is the file ``<dir>/a/b.json``. A whole-file write goes to a temporary
file in the same directory, is flushed to disk, then renamed over the target (``os.replace``,
atomic on POSIX and Windows): after a crash or Ctrl-C a cassette is either the old file or the new
one, never half of one. Temporary files start with a dot and are ignored when loading.

Recording adds one interaction at a time, and rewriting the whole file for each would cost
O(n^2) bytes over a session. So :func:`append_interaction` overwrites only the file's closing
``]`` and ``}`` with the new interaction and a new closing, which gives exactly the bytes a
whole write would. It stays atomic: before touching the file it saves the file's size in a
``.<name>.json.pending`` note (written atomically), and removes the note after the data is on
disk. :func:`tidy` (run when a recording session starts) finds notes left by a crash and cuts
such a file back to its old size, and removes temporary files of processes that are gone.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
from pathlib import Path

from mockserver.contract.errors import ConfigurationError
from mockserver.recording.cassette import Cassette, dumps_cassette, loads_cassette

SUFFIX = ".json"
PENDING = ".pending"
# How every cassette file ends (cassette.dumps_cassette), where an append goes.
CLOSING = b"\n  ]\n}\n"
_TEMP = re.compile(r"^\..+\.(\d+)\.[0-9a-f]+\.tmp$")
_UNSAFE = re.compile(r"[^A-Za-z0-9._\-\[\]=,+@ ]")


def cassette_name(raw: str) -> str:
    """A cassette name safe as a relative file path: '/' separates folders, nothing escapes."""
    parts = [_UNSAFE.sub("_", part).strip() for part in raw.replace("\\", "/").split("/")]
    parts = [part for part in parts if part and part not in (".", "..")]
    if not parts:
        raise ConfigurationError(f"{raw!r} is not a usable cassette name")
    name = "/".join(parts)
    return name.removesuffix(SUFFIX)


def cassette_path(directory: Path, name: str) -> Path:
    return Path(directory) / f"{cassette_name(name)}{SUFFIX}"


def load_cassette(directory: Path, name: str) -> tuple[Cassette, bool]:
    """The cassette ``name`` and whether its file exists (an empty cassette when it does not)."""
    path = cassette_path(directory, name)
    if not path.exists():
        return Cassette(cassette_name(name)), False
    cassette = read_cassette(path)
    cassette.name = cassette_name(name)
    return cassette, True


def read_cassette(path: Path) -> Cassette:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigurationError(f"cannot read recordings file {path}: {exc.strerror}") from None
    return loads_cassette(raw, str(path))


def cassette_files(directory: Path) -> list[Path]:
    directory = Path(directory)
    if not directory.exists():
        return []
    if not directory.is_dir():
        raise ConfigurationError(f"recordings directory {directory} is a file, not a directory")
    return sorted(
        path
        for path in directory.rglob(f"*{SUFFIX}")
        if not any(part.startswith(".") for part in path.relative_to(directory).parts)
    )


def load_directory(directory: Path) -> list[Cassette]:
    """Every cassette under ``directory`` (recursively), named by relative path, sorted."""
    cassettes = []
    for path in cassette_files(directory):
        cassette = read_cassette(path)
        cassette.name = path.relative_to(directory).with_suffix("").as_posix()
        cassettes.append(cassette)
    return cassettes


def save_cassette(directory: Path, cassette: Cassette) -> Path:
    path = cassette_path(directory, cassette.name)
    write_atomic(path, dumps_cassette(cassette))
    return path


def append_interaction(directory: Path, cassette: Cassette) -> Path:
    """Save ``cassette``, whose last interaction is new and whose others are already in its file:
    appended in place when possible (see the module doc), else written whole."""
    path = cassette_path(directory, cassette.name)
    if len(cassette.interactions) < 2 or not path.is_file():
        write_atomic(path, dumps_cassette(cassette))
        return path
    addition = (",\n    " + cassette.interactions[-1].rendered()).encode("utf-8") + CLOSING
    note = _pending_note(path)
    with open(path, "r+b") as handle:
        size = handle.seek(0, os.SEEK_END)
        start = size - len(CLOSING)
        handle.seek(max(start, 0))
        if start <= 0 or handle.read() != CLOSING:  # not the layout we write: rewrite it
            handle.close()
            write_atomic(path, dumps_cassette(cassette))
            return path
        write_atomic(note, str(size).encode())
        handle.seek(start)
        handle.write(addition)
        handle.flush()
        os.fsync(handle.fileno())
    os.unlink(note)
    return path


def tidy(directory: Path) -> list[Path]:
    """Undo appends a crash interrupted and remove temporary files of dead processes; returns
    what was repaired or removed."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    touched = []
    for note in directory.rglob(f".*{SUFFIX}{PENDING}"):
        target = note.with_name(note.name[1 : -len(PENDING)])
        _finish_or_undo(target, note)
        touched.append(target)
    for temp in directory.rglob(".*.tmp"):
        found = _TEMP.match(temp.name)
        if found is not None and not _alive(int(found.group(1))):
            with contextlib.suppress(OSError):
                temp.unlink()
                touched.append(temp)
    return touched


def _pending_note(path: Path) -> Path:
    return path.with_name(f".{path.name}{PENDING}")


def _finish_or_undo(target: Path, note: Path) -> None:
    try:
        size = int(note.read_text())
    except (OSError, ValueError):
        size = None
    if size is not None and target.is_file() and not _complete(target):
        # The append was cut short: the first `size - len(CLOSING)` bytes are the old file.
        with open(target, "r+b") as handle:
            handle.seek(size - len(CLOSING))
            handle.write(CLOSING)
            handle.truncate()
            handle.flush()
            os.fsync(handle.fileno())
    with contextlib.suppress(OSError):
        note.unlink()


def _complete(path: Path) -> bool:
    try:
        json.loads(path.read_bytes())
    except (OSError, ValueError):
        return False
    return True


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Not mkstemp: its files are private (0600); this one gets the usual umask-based mode.
    temp = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    try:
        with open(temp, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _sync_directory(path.parent)


def _sync_directory(directory: Path) -> None:
    # Make the rename itself durable; not possible (nor needed) on every platform.
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
