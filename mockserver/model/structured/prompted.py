"""JSON mode (``text.format: {"type": "json_object"}``): the shape the prompt asks for.

Clients that use JSON mode put the shape they want in the instructions or the input, either as a
JSON Schema (pydantic-ai's ``PromptedOutput``, LangChain's ``json_mode`` prompts, hand-written
prompts) or as an example object. ``prompted_schema`` finds it: of every JSON object written in
the instructions and the user, system and developer messages, the last one that looks like a
schema (an object with ``properties``, or ``"type": "object"``, or ``$schema``); failing that,
the last other object, read as an example (its keys required, each value's JSON type kept).
``None``: the prompt shows no shape, and JSON mode answers as before.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from mockserver.contract.inputs import item_text

# Scan at most this many opening braces per text (instructions can be long: agent prompts).
MAX_OBJECTS = 200
_DECODER = json.JSONDecoder()
_TYPES: tuple[tuple[type, str], ...] = (
    (bool, "boolean"),
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (list, "array"),
    (dict, "object"),
)


def _objects(text: str) -> Iterator[dict[str, Any]]:
    """Every top-level JSON object written in ``text``, in order."""
    start = text.find("{")
    tries = 0
    while start != -1 and tries < MAX_OBJECTS:
        tries += 1
        try:
            value, end = _DECODER.raw_decode(text, start)
        except ValueError:
            start = text.find("{", start + 1)
            continue
        if isinstance(value, dict) and value:
            yield value
        start = text.find("{", end)


def looks_like_schema(value: Mapping[str, Any]) -> bool:
    return (
        isinstance(value.get("properties"), Mapping)
        or value.get("type") == "object"
        or "$schema" in value
    )


def _type_of(value: Any) -> str | None:
    if value is None:
        return "null"
    return next((name for kind, name in _TYPES if isinstance(value, kind)), None)


def schema_of_example(example: Mapping[str, Any]) -> dict[str, Any]:
    """A schema for objects shaped like ``example``: the same keys, each of its value's type."""
    properties: dict[str, Any] = {}
    for key, value in example.items():
        if isinstance(value, dict) and value:
            properties[key] = schema_of_example(value)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            properties[key] = {"type": "array", "items": schema_of_example(value[0])}
        else:
            kind = _type_of(value)
            properties[key] = {"type": kind} if kind else {}
    return {"type": "object", "properties": properties, "required": list(properties)}


def prompted_schema(instructions: Any, context: Sequence[Any]) -> dict[str, Any] | None:
    """The JSON Schema the prompt asks JSON mode to follow (see the module docstring)."""
    texts = [instructions] if isinstance(instructions, str) else []
    texts += [
        item_text(item)
        for item in context
        if isinstance(item, str)
        or (isinstance(item, Mapping) and item.get("role") in ("user", "system", "developer"))
    ]
    schema: dict[str, Any] | None = None
    example: dict[str, Any] | None = None
    for text in texts:
        for value in _objects(text):
            if looks_like_schema(value):
                schema = value
            else:
                example = value
    if schema is not None:
        return schema
    return schema_of_example(example) if example is not None else None
