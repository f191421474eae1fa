"""The Structured Outputs schema rules of ``strict: true``, as the real API enforces them.

Used for ``text.format`` (``type: json_schema``) and for the ``parameters`` of function tools.
A schema that breaks a rule gets the real 400, worded the real way::

    Invalid schema for response_format '<name>': In context=('properties', 'tags'), 'uniqueItems'
    is not permitted.

``context`` is the path to the offending sub-schema as a Python tuple (``()`` at the root). The
rules and limits are those of the Structured Outputs guide ("Supported schemas"); the wording of
each message is the real one where it was seen in reported 400s, otherwise ours in the same
style (see ``docs/structured-outputs-and-tools.md``, "Schema rules").

The checker is pure and returns the first violation found, walking the schema in document order
(root rules first, then each sub-schema before its children).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# Documented limits (Structured Outputs guide, "Supported schemas").
MAX_NESTING_DEPTH = 10
MAX_OBJECT_PROPERTIES = 5000
MAX_ENUM_VALUES = 1000
MAX_TOTAL_STRING_LENGTH = 120_000
LARGE_ENUM_SIZE = 250
MAX_LARGE_ENUM_STRING_LENGTH = 15_000

SUPPORTED_FORMATS = frozenset(
    {"date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"}
)
TYPES = frozenset({"string", "number", "integer", "boolean", "object", "array", "null"})

# Keywords that only annotate (never constrain); accepted anywhere. `default` is not a supported
# keyword, but api.openai.com tolerates it (the SDK only strips `default: null`).
ANNOTATIONS = frozenset(
    {
        "title",
        "description",
        "default",
        "examples",
        "$comment",
        "deprecated",
        "readOnly",
        "writeOnly",
        "$schema",
        "$id",
    }
)
SUPPORTED_KEYWORDS = ANNOTATIONS | frozenset(
    {
        "type",
        "enum",
        "const",
        "anyOf",
        "$ref",
        "$defs",
        "definitions",
        # string (`minLength`/`maxLength`: real strict requests answered 200 in 2026, issue #12)
        "pattern",
        "format",
        "minLength",
        "maxLength",
        # number / integer
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        # array
        "items",
        "minItems",
        "maxItems",
        # object
        "properties",
        "required",
        "additionalProperties",
    }
)
# Found at the root, these get the "top level" message rather than the per-keyword one.
ROOT_FORBIDDEN = ("oneOf", "anyOf", "enum", "not")

_REF = re.compile(r"^#(?:/(?:\$defs|definitions)/[^/]+)?$")


@dataclass(frozen=True)
class SchemaViolation:
    """Where a schema breaks a rule (``None``: a whole-schema rule) and what the rule says."""

    context: tuple[str, ...] | None
    detail: str

    def message(self, kind: str, name: str) -> str:
        """The real message: ``kind`` is ``response_format`` or ``function``."""
        where = "" if self.context is None else f"In context={self.context!r}, "
        return f"Invalid schema for {kind} '{name}': {where}{self.detail}"


def type_names(node: dict[str, Any]) -> list[str]:
    value = node.get("type")
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [t for t in value if isinstance(t, str)]
    return []


def _matches_type(value: Any, name: str) -> bool:
    if name == "null":
        return value is None
    if name == "boolean":
        return isinstance(value, bool)
    if name == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if name == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if name == "string":
        return isinstance(value, str)
    if name == "array":
        return isinstance(value, list)
    return isinstance(value, dict)


def resolve_ref(root: dict[str, Any], ref: str) -> dict[str, Any] | None:
    """The sub-schema a local ``$ref`` names (``#``, ``#/$defs/X``, ``#/definitions/X``)."""
    if ref == "#":
        return root
    if not _REF.match(ref):
        return None
    _, section, name = ref.split("/", 2)
    name = name.replace("~1", "/").replace("~0", "~")
    target = (root.get(section) or {}).get(name)
    return target if isinstance(target, dict) else None


def _root_violation(schema: dict[str, Any]) -> SchemaViolation | None:
    if "type" not in schema:
        if "$ref" in schema:
            return SchemaViolation(
                None, """schema must be a JSON Schema of 'type: "object"', got 'type: "None"'."""
            )
        return SchemaViolation((), "schema must have a 'type' key.")
    if schema["type"] != "object":
        got = schema["type"]
        return SchemaViolation(
            None, f"""schema must be a JSON Schema of 'type: "object"', got 'type: "{got}"'."""
        )
    for keyword in ROOT_FORBIDDEN:
        if keyword in schema:
            return SchemaViolation(
                None,
                "schema must have type 'object' and not have 'oneOf'/'anyOf'/'allOf'/'enum'/'not' "
                f"at the top level. Found '{keyword}'.",
            )
    return None


def _node_violation(
    node: Any, path: tuple[str, ...], root: dict[str, Any]
) -> SchemaViolation | None:
    """The first rule ``node`` itself breaks (its children are checked by the walk)."""
    if not isinstance(node, dict):
        return SchemaViolation(path, "schema must be a JSON object.")
    for keyword in node:
        if keyword not in SUPPORTED_KEYWORDS:
            return SchemaViolation(path, f"'{keyword}' is not permitted.")
    if "$ref" in node:
        ref = node["$ref"]
        extra = sorted(k for k in node if k != "$ref")
        if not isinstance(ref, str) or resolve_ref(root, ref) is None:
            return SchemaViolation(path, f"reference {ref!r} could not be resolved.")
        if extra:
            return SchemaViolation(
                path, f"'$ref' cannot be combined with other keywords; found {extra!r}."
            )
        return None
    types = type_names(node)
    if "type" not in node and not any(k in node for k in ("anyOf", "enum", "const")):
        return SchemaViolation(path, "schema must have a 'type' key.")
    for name in types:
        if name not in TYPES:
            return SchemaViolation(path, f"type '{name}' is not supported.")
    if "anyOf" in node and (not isinstance(node["anyOf"], list) or not node["anyOf"]):
        return SchemaViolation(path, "'anyOf' must be a non-empty array of schemas.")
    fmt = node.get("format")
    # Only a non-string `format` is refused: the real API answered 200 to strict schemas with
    # formats outside the guide's list (`uint8`, `int64`: shared/wire-2026, mirascope
    # test_structured_output_* cassettes), so an unknown format name is no evidence of a 400.
    if fmt is not None and not isinstance(fmt, str):
        return SchemaViolation(path, f"'{fmt}' is not a valid format.")
    pattern = node.get("pattern")
    if pattern is not None:
        try:
            re.compile(pattern)
        except (re.error, TypeError):
            return SchemaViolation(path, f"{pattern!r} is not a valid regular expression.")
    enum = node.get("enum")
    if enum is not None:
        if not isinstance(enum, list) or not enum:
            return SchemaViolation(path, "'enum' must be a non-empty array.")
        for value in enum:
            if types and not any(_matches_type(value, name) for name in types):
                shown = types[0] if len(types) == 1 else types
                return SchemaViolation(
                    path, f"enum value {value} does not validate against {{'type': {shown!r}}}."
                )
    if "object" in types:
        properties = node.get("properties")
        if not isinstance(properties, dict):
            return SchemaViolation(path, "object schema missing properties.")
        if node.get("additionalProperties", True) is not False:
            return SchemaViolation(
                path, "'additionalProperties' is required to be supplied and to be false."
            )
        required = node.get("required")
        required_list = required if isinstance(required, list) else []
        for key in properties:
            if not isinstance(required, list) or key not in required_list:
                return SchemaViolation(
                    path,
                    "'required' is required to be supplied and to be an array including every "
                    f"key in properties. Missing '{key}'.",
                )
        for key in required_list:
            if key not in properties:
                return SchemaViolation(path, f"Extra required key '{key}' supplied.")
    if "array" in types:
        items = node.get("items")
        if items is None:
            return SchemaViolation(path, "array schema missing items.")
        if not isinstance(items, dict):
            return SchemaViolation(path, "'items' must be a schema object.")
    return None


def children(node: dict[str, Any], path: tuple[str, ...]) -> Iterator[tuple[Any, tuple[str, ...]]]:
    """Direct sub-schemas of ``node`` with their context paths, in document order."""
    for key, value in node.items():
        if key in ("$defs", "definitions", "properties") and isinstance(value, dict):
            for name, sub in value.items():
                yield sub, (*path, key, name)
        elif key == "items" and isinstance(value, dict):
            yield value, (*path, key)
        elif key == "anyOf" and isinstance(value, list):
            for index, sub in enumerate(value):
                yield sub, (*path, key, str(index))


@dataclass
class _Totals:
    properties: int = 0
    enum_values: int = 0
    string_length: int = 0


def _walk(
    node: Any, path: tuple[str, ...], root: dict[str, Any], depth: int, totals: _Totals
) -> SchemaViolation | None:
    problem = _node_violation(node, path, root)
    if problem is not None:
        return problem
    assert isinstance(node, dict)
    if "object" in type_names(node):
        depth += 1
        if depth > MAX_NESTING_DEPTH:
            return SchemaViolation(
                path,
                f"the schema nests objects {depth} levels deep; at most {MAX_NESTING_DEPTH} "
                "levels are supported.",
            )
        totals.properties += len(node["properties"])
        totals.string_length += sum(len(name) for name in node["properties"])
    for section in ("$defs", "definitions"):
        totals.string_length += sum(len(name) for name in node.get(section) or {})
    enum = node.get("enum")
    if isinstance(enum, list):
        totals.enum_values += len(enum)
        strings = [v for v in enum if isinstance(v, str)]
        length = sum(len(v) for v in strings)
        totals.string_length += length
        if len(strings) > LARGE_ENUM_SIZE and length > MAX_LARGE_ENUM_STRING_LENGTH:
            return SchemaViolation(
                path,
                f"enum with {len(strings)} string values has a total string length of {length}, "
                f"which exceeds the limit of {MAX_LARGE_ENUM_STRING_LENGTH} for enums with more "
                f"than {LARGE_ENUM_SIZE} values.",
            )
    if isinstance(node.get("const"), str):
        totals.string_length += len(node["const"])
    for sub, sub_path in children(node, path):
        # `$defs` start their own nesting count: they are reached through `$ref`.
        sub_depth = 0 if sub_path[len(path)] in ("$defs", "definitions") else depth
        problem = _walk(sub, sub_path, root, sub_depth, totals)
        if problem is not None:
            return problem
    return None


def _limit_violation(totals: _Totals) -> SchemaViolation | None:
    if totals.properties > MAX_OBJECT_PROPERTIES:
        return SchemaViolation(
            None,
            f"the schema has {totals.properties} object properties in total; at most "
            f"{MAX_OBJECT_PROPERTIES} are supported.",
        )
    if totals.enum_values > MAX_ENUM_VALUES:
        return SchemaViolation(
            None,
            f"the schema has {totals.enum_values} enum values in total; at most "
            f"{MAX_ENUM_VALUES} are supported.",
        )
    if totals.string_length > MAX_TOTAL_STRING_LENGTH:
        return SchemaViolation(
            None,
            "the total string length of property names, definition names, enum values and "
            f"const values is {totals.string_length}; at most {MAX_TOTAL_STRING_LENGTH} is "
            "supported.",
        )
    return None


def strict_violation(schema: Any) -> SchemaViolation | None:
    """The first Structured Outputs rule ``schema`` breaks, or ``None`` if strict mode takes it."""
    if not isinstance(schema, dict):
        return SchemaViolation(None, "schema must be a JSON object.")
    problem = _root_violation(schema)
    if problem is not None:
        return problem
    totals = _Totals()
    return _walk(schema, (), schema, 0, totals) or _limit_violation(totals)


def is_strict_compatible(schema: Any) -> bool:
    return strict_violation(schema) is None
