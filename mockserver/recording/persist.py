"""The one module that writes recordings to disk (and reads them back).

A cassette named ``a/b`` is the file ``<dir>/a/b.json``. Every write goes to a temporary file in
the same directory, is flushed to disk, then renamed over the target (``os.replace``, atomic on
POSIX and Windows): after a crash or Ctrl-C a cassette is either the old file or the new one,
never half of one. Temporary files start with a dot and are ignored when loading.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from pathlib import Path

from mockserver.contract.errors import ConfigurationError
from mockserver.recording.cassette import Cassette, dumps_cassette, loads_cassette

SUFFIX = ".json"
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
