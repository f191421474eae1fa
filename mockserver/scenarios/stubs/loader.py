"""Stub files: YAML or JSON, one file or a directory of them (``mockserver serve --stubs DIR``).

A file holds a list of stubs, ``{"stubs": [...]}``, or a single stub. A directory is read in
name order, recursively (``*.yaml``, ``*.yml``, ``*.json``). Every problem is a
``ConfigurationError`` naming the file, the rule and what is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mockserver.contract.errors import ConfigurationError
from mockserver.scenarios.stubs.model import Stub, parse_stub

SUFFIXES = (".yaml", ".yml", ".json")


def stub_files(path: Path) -> list[Path]:
    if not path.exists():
        raise ConfigurationError(
            f"stubs path {str(path)!r} does not exist; pass a stub file or a directory of "
            "*.yaml / *.json files"
        )
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)


def parse_document(text: str, source: str, suffix: str) -> Any:
    if suffix == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigurationError(f"{source}: not valid JSON: {exc}") from None
    import yaml  # only when a YAML stub file is read: it adds to every server's start-up

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{source}: not valid YAML: {exc}") from None


def stubs_from_document(document: Any, source: str) -> list[Stub]:
    """The stubs of one parsed document: a list, ``{"stubs": [...]}`` or one stub."""
    if document is None:
        return []
    if isinstance(document, dict) and "stubs" in document:
        if set(document) != {"stubs"}:
            extra = sorted(set(document) - {"stubs"})
            raise ConfigurationError(f"{source}: unknown top-level key(s) {extra}; only 'stubs'")
        document = document["stubs"]
    if isinstance(document, dict):
        document = [document]
    if not isinstance(document, list):
        raise ConfigurationError(
            f"{source}: expected a list of stubs (or {{'stubs': [...]}}), "
            f"got {type(document).__name__}"
        )
    return [parse_stub(item, source=source, index=i) for i, item in enumerate(document, 1)]


def load_stub_file(path: Path) -> list[Stub]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"{path}: cannot read stub file: {exc}") from None
    return stubs_from_document(parse_document(text, str(path), path.suffix.lower()), str(path))


def load_stubs(paths: Iterable[Path]) -> list[Stub]:
    stubs: list[Stub] = []
    for path in paths:
        for file in stub_files(Path(path)):
            stubs.extend(load_stub_file(file))
    return stubs
