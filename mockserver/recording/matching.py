"""Which recording answers a request: canonical request keys, field paths, and readable diffs.

Pure. A request matches a recording when method, path, query parameters (in any order) and the
canonical JSON body are equal, after the ignored fields are removed from both sides. The
canonical body sorts object keys and treats ``1`` and ``1.0`` alike, so key order and number
spelling never cause a miss. When nothing matches, :func:`nearest` ranks the recordings by how
few fields differ and :func:`differences` says what differed, field by field.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import orjson

from mockserver.contract.errors import ConfigurationError

FieldPath = tuple[str, ...]
WILDCARD = "*"
QUERY_PREFIX = "query."


def parse_paths(specs: Iterable[str]) -> tuple[FieldPath, ...]:
    """Dotted field paths (``metadata.run_id``, ``input.*.id``; ``*`` is any key or index)."""
    paths = []
    for spec in specs:
        parts = tuple(spec.strip().split("."))
        if not spec.strip() or any(not part for part in parts):
            raise ConfigurationError(
                f"{spec!r} is not a field path; write dotted keys like 'metadata.run_id' or "
                "'input.*.id' ('*' matches any key or list index)"
            )
        paths.append(parts)
    return tuple(paths)


def _children(value: Any, part: str) -> list[tuple[str | int, Any]]:
    if isinstance(value, dict):
        if part == WILDCARD:
            return list(value.items())
        return [(part, value[part])] if part in value else []
    if isinstance(value, list):
        if part == WILDCARD:
            return list(enumerate(value))
        if part.isdigit() and int(part) < len(value):
            return [(int(part), value[int(part)])]
    return []


def _rewrite(value: Any, path: FieldPath, leaf: Callable[[Any, str | int], None]) -> None:
    if not path:
        return
    head, rest = path[0], path[1:]
    for key, child in _children(value, head):
        if rest:
            _rewrite(child, rest, leaf)
        else:
            leaf(value, key)


def remove_fields(value: Any, paths: Iterable[FieldPath]) -> Any:
    """A copy of ``value`` without the fields at ``paths``."""
    copy = orjson.loads(orjson.dumps(value)) if isinstance(value, dict | list) else value

    def drop(container: Any, key: str | int) -> None:
        if isinstance(container, dict):
            container.pop(key, None)
        else:
            container[key] = None  # keep list positions stable

    for path in paths:
        _rewrite(copy, path, drop)
    return copy


def replace_fields(value: Any, paths: Iterable[FieldPath], replacement: Any) -> Any:
    """A copy of ``value`` with the fields at ``paths`` set to ``replacement``."""
    copy = orjson.loads(orjson.dumps(value)) if isinstance(value, dict | list) else value

    def put(container: Any, key: str | int) -> None:
        container[key] = replacement

    for path in paths:
        _rewrite(copy, path, put)
    return copy


def canonical(value: Any) -> Any:
    """Integral floats as ints (``1.0`` == ``1``); everything else as is."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: canonical(item) for key, item in value.items()}
    if isinstance(value, list):
        return [canonical(item) for item in value]
    return value


@dataclass(frozen=True)
class MatchRules:
    """What to ignore when matching: body fields, and query parameters as ``query.NAME``."""

    ignore: tuple[str, ...] = ()

    @property
    def body_paths(self) -> tuple[FieldPath, ...]:
        return parse_paths(p for p in self.ignore if not p.startswith(QUERY_PREFIX))

    @property
    def query_names(self) -> frozenset[str]:
        return frozenset(p[len(QUERY_PREFIX) :] for p in self.ignore if p.startswith(QUERY_PREFIX))

    def validate(self) -> MatchRules:
        self.body_paths  # noqa: B018 -- raises ConfigurationError on a malformed path
        return self


@dataclass(frozen=True)
class RequestView:
    """A request reduced to what matching compares."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    # Canonical JSON body, or {"$text": ...} for a body that is not JSON, or None when empty.
    body: Any

    def key(self) -> tuple[str, str, tuple[tuple[str, str], ...], str]:
        return (self.method, self.path, self.query, json.dumps(self.body, sort_keys=True))

    def describe(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in self.query)
        return f"{self.method} {self.path}{'?' + query if query else ''}"


def view(method: str, path: str, query: str, body: bytes, rules: MatchRules) -> RequestView:
    pairs = [
        (name, value)
        for name, value in parse_qsl(query, keep_blank_values=True)
        if name not in rules.query_names
    ]
    parsed: Any = None
    if body.strip():
        try:
            parsed = canonical(remove_fields(orjson.loads(body), rules.body_paths))
        except orjson.JSONDecodeError:
            parsed = {"$text": body.decode("utf-8", "replace")}
    return RequestView(method.upper(), path.rstrip("/") or "/", tuple(sorted(pairs)), parsed)


# --- Differences --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    field: str  # JSON path: "$.input[0].content", or "?name" for a query parameter
    recorded: Any
    requested: Any
    # "changed", "missing" (in the request, not the recording) or "extra" (the reverse).
    kind: str = "changed"

    def describe(self) -> str:
        if self.kind == "extra":
            return f"{self.field}: not in the recording, requested {_short(self.requested)}"
        if self.kind == "missing":
            return f"{self.field}: recorded {_short(self.recorded)}, not in the request"
        return f"{self.field}: recorded {_short(self.recorded)}, requested {_short(self.requested)}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "kind": self.kind,
            "recorded": self.recorded,
            "requested": self.requested,
        }


def _short(value: Any, limit: int = 80) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _join(base: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{base}[{key}]"
    return f"{base}.{key}" if key.isidentifier() else f"{base}[{json.dumps(key)}]"


def differences(recorded: Any, requested: Any, at: str = "$") -> list[Difference]:
    """Every leaf where two JSON values differ, with its path."""
    if isinstance(recorded, dict) and isinstance(requested, dict):
        found: list[Difference] = []
        for key in [*recorded, *(k for k in requested if k not in recorded)]:
            where = _join(at, key)
            if key not in requested:
                found.append(Difference(where, recorded[key], None, "missing"))
            elif key not in recorded:
                found.append(Difference(where, None, requested[key], "extra"))
            else:
                found += differences(recorded[key], requested[key], where)
        return found
    if isinstance(recorded, list) and isinstance(requested, list):
        found = []
        for index in range(max(len(recorded), len(requested))):
            where = _join(at, index)
            if index >= len(requested):
                found.append(Difference(where, recorded[index], None, "missing"))
            elif index >= len(recorded):
                found.append(Difference(where, None, requested[index], "extra"))
            else:
                found += differences(recorded[index], requested[index], where)
        return found
    if recorded == requested and type(recorded) is type(requested):
        return []
    return [Difference(at, recorded, requested)]


def request_differences(recorded: RequestView, requested: RequestView) -> list[Difference]:
    found: list[Difference] = []
    if recorded.method != requested.method:
        found.append(Difference("method", recorded.method, requested.method))
    if recorded.path != requested.path:
        found.append(Difference("path", recorded.path, requested.path))
    rec_query, req_query = dict(recorded.query), dict(requested.query)
    for name in sorted(rec_query.keys() | req_query.keys()):
        if rec_query.get(name) != req_query.get(name):
            kind = (
                "missing"
                if name not in req_query
                else "extra"
                if name not in rec_query
                else ("changed")
            )
            found.append(Difference(f"?{name}", rec_query.get(name), req_query.get(name), kind))
    return found + differences(recorded.body, requested.body)


def nearest(
    requested: RequestView, candidates: Sequence[RequestView], limit: int = 3
) -> list[tuple[int, list[Difference]]]:
    """Indexes of the ``limit`` candidates closest to ``requested``, with their differences.

    Same method and path rank first; then fewer differing fields.
    """
    scored = []
    for index, candidate in enumerate(candidates):
        diffs = request_differences(candidate, requested)
        route = (candidate.method != requested.method) + (candidate.path != requested.path)
        scored.append((route, len(diffs), index, diffs))
    scored.sort(key=lambda item: item[:3])
    return [(index, diffs) for _, _, index, diffs in scored[:limit]]
