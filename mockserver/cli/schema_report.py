"""``mockserver schemas``: regenerate ``schemas/``, check it (gating) or report on it (not).

``--check`` compares content with what the installed SDK generates and fails naming the types
that changed; a different version stamp alone passes. ``--check --against-installed`` prints the
same comparison and always exits 0: run it where a newer SDK is installed (a virtualenv without
the lock) to see what updating the lock would bring.
"""

from __future__ import annotations

import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from mockserver.contract.schema_freshness import SchemaChange, schema_changes, stamped_versions
from mockserver.contract.schemas import write_schemas

REFRESH = "run `mockserver schemas` to regenerate them (docs/schemas.md: with the lock, together)"


def installed_sdk() -> str:
    try:
        return f"openai {version('openai')}"
    except PackageNotFoundError:  # pragma: no cover - openai is a runtime dependency
        return "openai (version unknown)"


def _stamp_note(directory: Path) -> str:
    stamps = stamped_versions(directory)
    current = installed_sdk().removeprefix("openai ")
    if stamps and stamps != [current]:
        return f" (the files say openai {', '.join(stamps)}; only that stamp differs)"
    return ""


def _lines(changes: list[SchemaChange]) -> str:
    return "".join(f"\n  {change.describe()}" for change in changes)


def check_schemas(directory: Path) -> int:
    """Exit status 1, naming the changed types, when ``directory`` is stale in content."""
    changes = schema_changes(directory)
    if changes:
        names = ", ".join(change.name for change in changes)
        print(
            f"stale schemas in {directory}: {names}; against the installed {installed_sdk()}:"
            f"{_lines(changes)}\n{REFRESH}",
            file=sys.stderr,
        )
        return 1
    print(f"{directory} is up to date with the installed openai SDK{_stamp_note(directory)}")
    return 0


def report_schemas(directory: Path) -> int:
    """Print what the installed SDK would change in ``directory``; never fails."""
    changes = schema_changes(directory)
    if not changes:
        print(
            f"report: the installed {installed_sdk()} would change nothing in {directory}"
            f"{_stamp_note(directory)}"
        )
        return 0
    print(
        f"report: the installed {installed_sdk()} would change {len(changes)} schema(s) in "
        f"{directory}:{_lines(changes)}\nTo take it: update the lock (requirements/lock.sh "
        "--upgrade-package openai), reinstall, then `mockserver schemas` (docs/schemas.md)"
    )
    return 0


def write_and_report(directory: Path) -> int:
    changes = schema_changes(directory) if Path(directory).is_dir() else []
    written = write_schemas(directory)
    print(f"wrote {len(written)} schemas to {directory} from the installed {installed_sdk()}")
    if changes:
        print(f"changed in content:{_lines(changes)}")
    return 0
