"""Structured Outputs: the strict schema rules, ``text.format`` checks and echo, and JSON answers
(deterministic by default, Hypothesis-drawn edge cases on request).

Hypothesis is imported on first use (a ``pattern`` to fill or an edge-case answer), so serving
plain requests does not pay for it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from mockserver.contract.schema_cache import CACHE, SchemaCache
from mockserver.contract.strict_rules import SchemaViolation, is_strict_compatible, strict_violation
from mockserver.contract.text_format import (
    check_json_mode,
    check_text_format,
    echo_text,
    text_format,
)
from mockserver.model.structured.json_answers import default_answer, validator

EDGE_RETRIES = 4

__all__ = [
    "CACHE",
    "SchemaCache",
    "SchemaViolation",
    "check_json_mode",
    "check_text_format",
    "derive_seed",
    "dumps",
    "echo_text",
    "is_strict_compatible",
    "json_answer",
    "json_object_answer",
    "pattern_example",
    "strict_violation",
    "text_answer",
    "text_format",
]


def derive_seed(*parts: object) -> int:
    """A 32-bit seed from anything printable (stable across processes, unlike ``hash``)."""
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:4], "big")


def dumps(value: Any) -> str:
    """JSON as a model writes it: compact, non-ASCII kept as is."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def pattern_example(pattern: str) -> str:
    from mockserver.model.structured.edge import pattern_example as example

    return example(pattern)


def json_answer(schema: dict[str, Any], *, seed: int, edge: bool) -> Any:
    """A value for ``schema``: deterministic by default, an edge-case draw in edge mode."""
    if not edge:
        return default_answer(schema, seed, pattern_example)
    from mockserver.model.structured.edge import draw, schema_values

    strategy = schema_values(schema)
    check = validator(schema)
    first = draw(strategy, seed)
    value = first
    for attempt in range(1, EDGE_RETRIES + 1):
        if check is None or check.is_valid(value):
            return value
        value = draw(strategy, derive_seed(seed, attempt))
    return first


def json_object_answer(reply: str, *, seed: int, edge: bool) -> dict[str, Any]:
    """JSON mode: any object. By default the plain reply wrapped as ``{"reply": ...}``."""
    if not edge:
        return {"reply": reply}
    from mockserver.model.structured.edge import draw, json_objects

    return draw(json_objects(), seed)


def text_answer(fallback: str, *, pattern: str | None, seed: int, edge: bool) -> str:
    """Free text (custom tool input): ``pattern`` constrains it when given."""
    if pattern is None and not edge:
        return fallback
    from mockserver.model.structured.edge import draw, pattern_strings, texts

    if pattern is not None:
        return draw(pattern_strings(pattern), seed) if edge else pattern_example(pattern)
    return draw(texts(), seed) if edge else fallback
