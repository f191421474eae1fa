"""The pinned test environment (requirements/test.txt) covers pyproject.toml, and schemas/ was
generated with the openai SDK it pins: the lock and schemas/ move together (docs/schemas.md)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements" / "test.txt"
REGENERATE = "requirements/lock.sh"


def _pins() -> dict[str, list[Requirement]]:
    pins: dict[str, list[Requirement]] = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            requirement = Requirement(line)
            pins.setdefault(canonicalize_name(requirement.name), []).append(requirement)
    return pins


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(dep) for dep in project["dependencies"]] + [
        Requirement(dep) for dep in project["optional-dependencies"]["test"]
    ]


def _pinned_version(requirement: Requirement) -> str:
    (specifier,) = requirement.specifier
    assert specifier.operator == "==", f"{requirement} is not an exact pin"
    return specifier.version


def test_every_lock_line_is_an_exact_pin() -> None:
    pins = _pins()
    assert pins, f"{LOCK} pins nothing"
    for requirements in pins.values():
        for requirement in requirements:
            _pinned_version(requirement)


def test_the_lock_pins_every_declared_dependency_within_its_range() -> None:
    pins = _pins()
    problems = []
    for wanted in _declared():
        if wanted.marker is not None and not wanted.marker.evaluate():
            continue
        locked = pins.get(canonicalize_name(wanted.name))
        if not locked:
            problems.append(f"{wanted.name} is not pinned")
            continue
        versions = [_pinned_version(pin) for pin in locked]
        if not any(wanted.specifier.contains(v, prereleases=True) for v in versions):
            problems.append(f"{wanted} but the lock has {', '.join(versions)}")
    assert not problems, (
        f"{LOCK.relative_to(ROOT)} is out of step with pyproject.toml: {'; '.join(problems)}. "
        f"Run `{REGENERATE}` and commit the result."
    )


def test_the_lock_says_how_to_regenerate_it() -> None:
    assert f"#    {REGENERATE}\n" in LOCK.read_text(encoding="utf-8")
    assert (ROOT / REGENERATE).stat().st_mode & 0o111, f"{REGENERATE} is not executable"


def test_schemas_were_generated_with_the_locked_sdk() -> None:
    (openai,) = _pins()["openai"]
    locked = _pinned_version(openai)
    stamps = {
        json.loads(path.read_text(encoding="utf-8"))["x-generated-from"]["version"]
        for path in (ROOT / "schemas").glob("*.json")
    }
    assert stamps == {locked}, (
        f"schemas/ says openai {sorted(stamps)}, the lock pins {locked}: after changing the "
        "lock's openai, reinstall and run `mockserver schemas` (docs/schemas.md)"
    )
