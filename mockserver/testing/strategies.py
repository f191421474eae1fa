"""Hypothesis strategies for property tests of Structured Outputs and function-calling code.

Public API (``from mockserver import strategies``)::

    strict_schemas()       JSON Schemas the real API accepts with ``strict: true``
    rejected_schemas()     JSON Schemas it rejects with ``strict: true`` (one broken rule each)
    pydantic_models()      Pydantic model classes whose SDK schema (``responses.parse``) it accepts
    function_tools()       strict function tool definitions (``tools=[...]`` entries)
    schema_values(schema)  values valid for a schema, biased to edge cases (what edge mode sends)
    format_names()         names valid for ``text.format.name`` and function names

Every strategy is plain Hypothesis: combine them with ``@given`` as usual. Schemas stay within
the documented limits; sizes are kept small so that examples are fast to send and check.
"""

from __future__ import annotations

import copy
import datetime as dt
import enum
import uuid
from typing import Any, Literal, Optional

from hypothesis import strategies as st

from mockserver.contract.strict_rules import SUPPORTED_FORMATS, strict_violation
from mockserver.model.structured.edge import schema_values

__all__ = [
    "format_names",
    "function_tools",
    "property_names",
    "pydantic_models",
    "rejected_schemas",
    "schema_values",
    "strict_schemas",
]

PATTERNS = (
    r"^[a-z]+$",
    r"^[A-Z]{2,3}-[0-9]{1,4}$",
    r"^\d{3}-\d{4}$",
    r"^(red|green|blue)$",
    r"[a-z]",
    r"^\+?[0-9 ]{6,14}$",
)
STEPS = (1, 2, 5, 0.5, 0.25, 0.1)


def format_names() -> st.SearchStrategy[str]:
    return st.from_regex(r"\A[a-zA-Z0-9_-]{1,64}\Z")


def property_names(identifiers: bool = False) -> st.SearchStrategy[str]:
    """Property names; unless ``identifiers``, sometimes with spaces, symbols and non-ASCII."""
    names = st.from_regex(r"\A[a-z][a-zA-Z0-9_]{0,15}\Z")
    if identifiers:
        return names
    return names | st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=12)


def _annotated(node: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {}, optional={"description": st.text(max_size=30), "title": st.text(max_size=15)}
    ).map(lambda extra: {**node, **extra})


@st.composite
def _numbers(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["integer", "number"]))
    node: dict[str, Any] = {"type": kind}
    low = draw(st.none() | st.integers(-1000, 1000))
    high = None if low is None else low + draw(st.integers(10, 10_000))
    if draw(st.booleans()) and low is None:
        high = draw(st.none() | st.integers(-1000, 1000))
    if low is not None:
        node["exclusiveMinimum" if draw(st.booleans()) else "minimum"] = low
    if high is not None:
        node["exclusiveMaximum" if draw(st.booleans()) else "maximum"] = high
    if draw(st.booleans()):
        steps = [s for s in STEPS if kind == "number" or isinstance(s, int)]
        node["multipleOf"] = draw(st.sampled_from(steps))
    return node


def _leaves() -> st.SearchStrategy[dict[str, Any]]:
    strings = st.one_of(
        st.just({"type": "string"}),
        st.builds(
            lambda f: {"type": "string", "format": f}, st.sampled_from(sorted(SUPPORTED_FORMATS))
        ),
        st.builds(lambda p: {"type": "string", "pattern": p}, st.sampled_from(PATTERNS)),
        st.lists(st.text(max_size=12), min_size=1, max_size=6, unique=True).map(
            lambda values: {"type": "string", "enum": values}
        ),
        st.text(max_size=12).map(lambda value: {"type": "string", "const": value}),
    )
    scalars = st.one_of(
        strings,
        _numbers(),
        st.just({"type": "boolean"}),
        st.just({"type": "null"}),
    )
    nullable = scalars.filter(lambda n: n.get("type") != "null" and "const" not in n).map(
        lambda n: {
            **n,
            "type": [n["type"], "null"],
            **({"enum": [*n["enum"], None]} if "enum" in n else {}),
        }
    )
    return st.one_of(scalars, nullable).flatmap(_annotated)


def _object(children: st.SearchStrategy[dict[str, Any]], identifiers: bool = False) -> Any:
    return st.dictionaries(property_names(identifiers), children, min_size=1, max_size=5).map(
        lambda props: {
            "type": "object",
            "properties": props,
            "required": list(props),
            "additionalProperties": False,
        }
    )


def _array(children: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        node: dict[str, Any] = {"type": "array", "items": draw(children)}
        low = draw(st.none() | st.integers(0, 3))
        if low is not None:
            node["minItems"] = low
        if draw(st.booleans()):
            node["maxItems"] = (low or 0) + draw(st.integers(0, 4))
        return node

    return build()


def _nodes() -> st.SearchStrategy[dict[str, Any]]:
    return st.recursive(
        _leaves(),
        lambda children: st.one_of(
            _object(children),
            _array(children),
            st.lists(children, min_size=2, max_size=3).map(lambda bs: {"anyOf": bs}),
        ),
        max_leaves=12,
    )


def _recursive_schema() -> st.SearchStrategy[dict[str, Any]]:
    """A schema with a recursive ``$defs`` entry (a linked list or a tree) or ``"$ref": "#"``."""

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        value = draw(_leaves())
        if draw(st.booleans()):
            return {
                "type": "object",
                "properties": {
                    "value": value,
                    "next": {"anyOf": [{"$ref": "#"}, {"type": "null"}]},
                },
                "required": ["value", "next"],
                "additionalProperties": False,
            }
        node = {
            "type": "object",
            "properties": {
                "value": value,
                "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
            },
            "required": ["value", "children"],
            "additionalProperties": False,
        }
        return {
            "type": "object",
            "properties": {"root": {"$ref": "#/$defs/node"}},
            "required": ["root"],
            "additionalProperties": False,
            "$defs": {"node": node},
        }

    return build()


def strict_schemas() -> st.SearchStrategy[dict[str, Any]]:
    """Root-object schemas that follow every strict rule (checked: none slips through)."""
    plain = _object(_nodes())
    return st.one_of(plain, plain, _recursive_schema()).filter(
        lambda schema: strict_violation(schema) is None
    )


# ---- rejected schemas -----------------------------------------------------------------------

_UNSUPPORTED = (
    ("minLength", 1),
    ("maxLength", 10),
    ("uniqueItems", True),
    ("allOf", [{"type": "string"}]),
    ("oneOf", [{"type": "string"}]),
    ("not", {"type": "null"}),
    ("patternProperties", {}),
    ("minProperties", 1),
    ("if", {"type": "string"}),
    ("contains", {"type": "string"}),
)


def _objects_in(schema: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "object":
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return found


@st.composite
def _broken(draw: st.DrawFn) -> dict[str, Any]:
    schema = copy.deepcopy(draw(strict_schemas()))
    target = draw(st.sampled_from(_objects_in(schema)))
    rule = draw(
        st.sampled_from(
            [
                "no_additional",
                "open_additional",
                "drop_required",
                "extra_required",
                "keyword",
                "format",
                "no_items",
                "no_properties",
                "root_type",
                "root_anyof",
                "no_type",
                "enum_limit",
                "depth_limit",
            ]
        )
    )
    if rule == "no_additional":
        del target["additionalProperties"]
    elif rule == "open_additional":
        target["additionalProperties"] = draw(st.sampled_from([True, {"type": "string"}]))
    elif rule == "drop_required":
        target["required"] = target["required"][1:]
    elif rule == "extra_required":
        target["required"] = [*target["required"], "\u00a7not-a-property"]
    elif rule == "keyword":
        key, value = draw(st.sampled_from(_UNSUPPORTED))
        target["properties"][next(iter(target["properties"]))] = {"type": "string", key: value}
    elif rule == "format":
        bad = draw(st.sampled_from(["uri", "uri-reference", "iri", "regex", "int32", "binary"]))
        target["properties"]["\u00a7f"] = {"type": "string", "format": bad}
        target["required"].append("\u00a7f")
    elif rule == "no_items":
        target["properties"]["\u00a7a"] = {"type": "array"}
        target["required"].append("\u00a7a")
    elif rule == "no_properties":
        target["properties"]["\u00a7o"] = {"type": "object", "additionalProperties": False}
        target["required"].append("\u00a7o")
    elif rule == "root_type":
        return {"type": draw(st.sampled_from(["array", "string"])), "items": {"type": "string"}}
    elif rule == "root_anyof":
        return {"anyOf": [schema, {"type": "null"}]}
    elif rule == "no_type":
        target["properties"]["\u00a7t"] = {"description": "no type"}
        target["required"].append("\u00a7t")
    elif rule == "enum_limit":
        values = [f"v{i}" for i in range(1001)]
        target["properties"]["\u00a7e"] = {"type": "string", "enum": values}
        target["required"].append("\u00a7e")
    else:
        leaf: dict[str, Any] = {"type": "string"}
        for _ in range(11):
            leaf = {
                "type": "object",
                "properties": {"x": leaf},
                "required": ["x"],
                "additionalProperties": False,
            }
        target["properties"]["\u00a7d"] = leaf
        target["required"].append("\u00a7d")
    return schema


def rejected_schemas() -> st.SearchStrategy[dict[str, Any]]:
    """Schemas that break exactly the kind of rule real users hit (checked: each is rejected)."""
    return _broken().filter(lambda schema: strict_violation(schema) is not None)


# ---- Pydantic models ------------------------------------------------------------------------


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"
    BLUE = "blue"


_FIELD_TYPES: tuple[Any, ...] = (
    str,
    int,
    float,
    bool,
    dt.datetime,
    dt.date,
    uuid.UUID,
    Color,
    Literal["a", "b", "c"],
)


def _field_types(depth: int) -> st.SearchStrategy[Any]:
    scalar = st.sampled_from(_FIELD_TYPES)
    wrapped = st.one_of(
        scalar,
        scalar.map(lambda t: Optional[t]),  # noqa: UP045 - a runtime type, not an annotation
        scalar.map(lambda t: list[t]),  # type: ignore[valid-type]
    )
    if depth <= 0:
        return wrapped
    nested = st.deferred(lambda: pydantic_models(depth - 1))
    return st.one_of(wrapped, nested, nested.map(lambda m: list[m]))  # type: ignore[valid-type]


def pydantic_models(depth: int = 2) -> st.SearchStrategy[type[Any]]:
    """Pydantic model classes, nested up to ``depth``, as ``responses.parse`` takes them."""
    import pydantic

    counter = iter(range(10**9))

    @st.composite
    def build(draw: st.DrawFn) -> type[Any]:
        names = draw(
            st.lists(property_names(identifiers=True), min_size=1, max_size=5, unique=True)
        )
        fields = {name: (draw(_field_types(depth)), ...) for name in names}
        return pydantic.create_model(f"Model{next(counter)}", **fields)  # type: ignore[call-overload]

    return build()


def function_tools() -> st.SearchStrategy[dict[str, Any]]:
    """Strict function tools: ``{"type": "function", "name", "parameters", "strict": True}``."""
    return st.builds(
        lambda name, params, description: {
            "type": "function",
            "name": name,
            "description": description,
            "parameters": params,
            "strict": True,
        },
        format_names(),
        strict_schemas(),
        st.text(max_size=40),
    )
