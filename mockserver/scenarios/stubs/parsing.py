"""Checks shared by stub parsing: typed fields, known keys, and errors that say where."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mockserver.contract.errors import ConfigurationError, join_choices


class Where:
    """Builds error messages: ``<source>: stub #<n> '<name>': <path>: <problem>``."""

    def __init__(self, source: str, index: int, name: str | None) -> None:
        label = f"stub #{index}" + (f" {name!r}" if name else "")
        self.prefix = f"{source}: {label}"

    def error(self, path: str, problem: str) -> ConfigurationError:
        return ConfigurationError(
            f"{self.prefix}: {path}: {problem}" if path else f"{self.prefix}: {problem}"
        )


def check_keys(where: Where, path: str, data: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    for key in data:
        if key not in allowed:
            raise where.error(
                path or str(key),
                f"unknown key {key!r}"
                + (f" in {path}" if path else "")
                + f"; valid keys are {join_choices(list(allowed))}",
            )


def as_int(where: Where, path: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise where.error(path, f"expected a whole number, got {value!r}")
    return value


def as_str(where: Where, path: str, value: Any) -> str:
    if not isinstance(value, str):
        raise where.error(path, f"expected a string, got {type(value).__name__}")
    return value


def as_mapping(where: Where, path: str, value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise where.error(path, f"expected a mapping, got {type(value).__name__}")
    return value


def as_str_list(where: Where, path: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise where.error(path, "expected a string or a list of strings")
    return tuple(value)
