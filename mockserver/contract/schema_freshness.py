"""Is ``schemas/`` stale against the installed SDK? A question about content, not version stamps.

Every file records the ``openai`` version it was generated with (``x-generated-from.version``). A
new SDK release that changes no type changes only that stamp, and must not make ``schemas/``
stale; a release that does change a type must, naming the types (the schema's own and its
``$defs``) that were added, removed or changed, so the reader knows where to look.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mockserver.contract.schemas import SCHEMA_SOURCES, generate_schemas

ORIGIN_KEY = "x-generated-from"


@dataclass(frozen=True)
class SchemaChange:
    """How the file of one schema differs from what the installed SDK generates."""

    name: str
    # "missing" (no file), "unexpected" (a file no SDK type generates), "unreadable" (not a JSON
    # object) or "changed" (then ``added``/``removed``/``changed`` name the types).
    kind: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.kind == "missing":
            return f"{self.name}: no file yet"
        if self.kind == "unexpected":
            return f"{self.name}: no SDK type generates this file any more"
        if self.kind == "unreadable":
            return f"{self.name}: the file is not a JSON object"
        parts = [
            f"{label} {', '.join(names)}"
            for label, names in (
                ("changed", self.changed),
                ("added", self.added),
                ("removed", self.removed),
            )
            if names
        ]
        return f"{self.name}: {'; '.join(parts)}"


def without_version_stamp(schema: Mapping[str, Any]) -> dict[str, Any]:
    """``schema`` minus ``x-generated-from.version``: what two generations must agree on."""
    content = dict(schema)
    origin = content.get(ORIGIN_KEY)
    if isinstance(origin, dict):
        content[ORIGIN_KEY] = {key: value for key, value in origin.items() if key != "version"}
    return content


def compare(name: str, checked_in: Mapping[str, Any], fresh: Mapping[str, Any]) -> SchemaChange:
    """The types that differ between two versions of schema ``name``; ``changed`` is empty
    when only the version stamp differs."""
    old, new = without_version_stamp(checked_in), without_version_stamp(fresh)
    old_defs, new_defs = old.pop("$defs", {}) or {}, new.pop("$defs", {}) or {}
    changed = sorted(
        key for key in old_defs.keys() & new_defs.keys() if old_defs[key] != new_defs[key]
    )
    if old != new:
        changed.insert(0, name)
    return SchemaChange(
        name,
        "changed",
        added=tuple(sorted(new_defs.keys() - old_defs.keys())),
        removed=tuple(sorted(old_defs.keys() - new_defs.keys())),
        changed=tuple(changed),
    )


def _read(path: Path) -> dict[str, Any] | None:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return value if isinstance(value, dict) else None


def schema_changes(
    directory: Path, generated: Mapping[str, Mapping[str, Any]] | None = None
) -> list[SchemaChange]:
    """Every difference in content between ``directory`` and a fresh generation, by name."""
    directory = Path(directory)
    fresh = generate_schemas() if generated is None else generated
    changes: list[SchemaChange] = []
    for name, schema in fresh.items():
        path = directory / f"{name}.json"
        if not path.is_file():
            changes.append(SchemaChange(name, "missing"))
            continue
        checked_in = _read(path)
        if checked_in is None:
            changes.append(SchemaChange(name, "unreadable"))
            continue
        change = compare(name, checked_in, schema)
        if change.added or change.removed or change.changed:
            changes.append(change)
    if directory.is_dir():
        changes += [
            SchemaChange(path.stem, "unexpected")
            for path in directory.glob("*.json")
            if path.stem not in SCHEMA_SOURCES
        ]
    return sorted(changes, key=lambda change: change.name)


def stale_schemas(directory: Path) -> list[str]:
    """Names whose content differs from a fresh generation (missing and unexpected included)."""
    return [change.name for change in schema_changes(directory)]


def stamped_versions(directory: Path) -> list[str]:
    """The ``openai`` versions the files in ``directory`` say they were generated with."""
    versions = set()
    for path in Path(directory).glob("*.json"):
        origin = (_read(path) or {}).get(ORIGIN_KEY)
        if isinstance(origin, dict) and isinstance(origin.get("version"), str):
            versions.add(origin["version"])
    return sorted(versions)
