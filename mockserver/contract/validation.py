"""Request checks that answer bad input the way the real API does.

Type and shape checks are driven by the JSON Schemas generated from the SDK (``schemas/``), run by
``jsonschema_rs``; what the schemas cannot say (value ranges, metadata limits, parameters a model
does not support) is checked here, with the real limits. The first problem found is reported,
with the real message form (``docs/real-errors.md``).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from typing import Any

import jsonschema_rs

from mockserver.contract.conformance import strict_schema
from mockserver.contract.errors import (
    InvalidRequestError,
    invalid_type,
    invalid_value,
    join_choices,
    missing_parameter,
    no_input,
    out_of_range,
    unknown_parameter,
)
from mockserver.contract.schemas import load_schema
from mockserver.contract.text_format import check_text_format
from mockserver.contract.tool_rules import check_tools

# The mock's own bound (#16): the real API's maximum is not documented or recorded. Every model's
# output limit is far below it; what it stops is 1e30 being taken as an integer (orjson reads
# integer literals past 2**64 as floats) and echoed as `1e+30`. The message has the real API's
# range wording.
MAX_OUTPUT_TOKENS = 2**31 - 1
# param -> (kind in the message, minimum, maximum); the real API's documented ranges.
RANGES: dict[str, tuple[str, float | None, float | None]] = {
    "temperature": ("decimal", 0, 2),
    "top_p": ("decimal", 0, 1),
    "max_output_tokens": ("integer", 16, MAX_OUTPUT_TOKENS),
    "top_logprobs": ("integer", 0, 20),
    "max_tool_calls": ("integer", 1, None),
}
METADATA_MAX_KEYS = 16
METADATA_MAX_KEY_LENGTH = 64
METADATA_MAX_VALUE_LENGTH = 512

_TYPE_WORDS = {
    "string": "a string",
    "integer": "an integer",
    "number": "a decimal",
    "boolean": "a boolean",
    "object": "an object",
    "array": "an array",
    "null": "null",
}


def type_word(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        # What a value is called ("got a decimal number"); what a param expects is "a decimal".
        return "a decimal number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def param_path(path: Sequence[str | int]) -> str:
    """``['input', 0, 'content']`` -> ``input[0].content``, as the real API names params."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


# Properties the SDK types mark required that the real API lets clients leave out (it fills in a
# default): `$defs` name -> property names.
OPTIONAL_ON_THE_WIRE: dict[str, frozenset[str]] = {
    "FunctionToolParam": frozenset({"strict"}),
    # Recorded requests the real API answered 200 (shared/wire, openai-dotnet
    # GetInputItemsWithMultiPartPagination: no `detail`; MessageHistoryWorks: an assistant turn
    # given back as `{"type": "message", "role": "assistant", "content": [output_text]}`).
    "ResponseInputImageParam": frozenset({"detail"}),
    "ResponseOutputMessageParam": frozenset({"id", "status"}),
}

# Properties the SDK's request types lack that the real API accepts: `$defs` name -> names.
EXTRA_ON_THE_WIRE: dict[str, frozenset[str]] = {
    # `POST /responses/compact` returns the kept user messages with ids, and the compaction guide
    # says to pass that output back as `input` as it is ("Do not prune the compact response").
    "Message": frozenset({"id"}),
}


def _relaxed(schema: dict[str, Any]) -> dict[str, Any]:
    defs = dict(schema.get("$defs", {}))
    for name, optional in OPTIONAL_ON_THE_WIRE.items():
        if name in defs and "required" in defs[name]:
            required = [p for p in defs[name]["required"] if p not in optional]
            defs[name] = {**defs[name], "required": required}
    return {**schema, "$defs": defs}


@functools.cache
def _validator(schema_name: str) -> Any:
    # Closed objects: the SDK's request types are open, but the real API rejects unknown nested
    # keys (`Unknown parameter: 'reasoning.max_tokens'.`) just like unknown top-level ones.
    return jsonschema_rs.validator_for(
        strict_schema(_relaxed(load_schema(schema_name)), EXTRA_ON_THE_WIRE)
    )


@functools.cache
def known_parameters(schema_name: str) -> frozenset[str]:
    return frozenset(load_schema(schema_name).get("properties", {}))


def _leaves(error: Any) -> list[Any]:
    """The innermost errors behind an ``anyOf``/``oneOf`` failure."""
    context = getattr(error.kind, "context", None)
    if not context:
        return [error]
    found: list[Any] = []
    for branch in context:
        for sub in branch:
            found.extend(_leaves(sub))
    return found


_KIND_RANK = {"Constant": 0, "Enum": 0, "Required": 1, "AdditionalProperties": 1, "Type": 2}


def _kind(error: Any) -> str:
    return type(error.kind).__name__


def _allowed_values(error: Any) -> list[Any]:
    kind = _kind(error)
    if kind == "Enum":
        return list(error.kind.options)
    if kind == "Constant":
        return [error.kind.expected_value]
    return []


def _depth(error: Any) -> int:
    # A missing or unknown property is a problem one level below the object it is reported on.
    return len(error.instance_path) + (_kind(error) in ("Required", "AdditionalProperties"))


def _best_leaf(error: Any) -> Any:
    """The problem the client most likely made, among the branches of an ``anyOf``.

    The branch that got furthest is the one the client meant: the one whose shallowest problem
    is deepest, then the one with the fewest problems; inside it, the deepest problem.
    """
    context = getattr(error.kind, "context", None)
    if not context:
        return error

    here = list(error.instance_path)

    def score(branch: list[Any]) -> tuple[bool, int, int]:
        leaves = [_best_leaf(sub) for sub in branch]
        # A wrong `type` tag says the client meant another branch, however deep it got.
        wrong_tag = any(
            _kind(leaf) in ("Constant", "Enum") and list(leaf.instance_path) == [*here, "type"]
            for leaf in leaves
        )
        return (wrong_tag, -min(map(_depth, leaves), default=0), len(branch))

    branch = min(context, key=score)
    leaves = [_best_leaf(sub) for sub in branch]
    return min(leaves, key=lambda e: (-_depth(e), _KIND_RANK.get(_kind(e), 3)))


# How the real API words the expected type of some params (docs/real-errors.md, section 4).
EXPECTED_WORDS: dict[str, str] = {
    "model": "a string",
    "input": "one of a string or array of input items",
    "metadata": "a metadata object",
    "tools": "an array of tools",
    "context_management": "an array of objects",
}


def _expected_words(name: str, same_place: list[Any]) -> str:
    if name in EXPECTED_WORDS:
        return EXPECTED_WORDS[name]
    if re.fullmatch(r"input\[\d+\]", name):
        return "an input item"
    types = [t for e in same_place if _kind(e) == "Type" for t in e.kind.types if t != "null"]
    enums = [str(o) for e in same_place for o in _allowed_values(e)]
    if enums and set(types) <= {"string"}:
        return "one of " + join_choices(list(dict.fromkeys(enums)), "or")
    return " or ".join(dict.fromkeys(_TYPE_WORDS.get(t, t) for t in types)) or "null"


def _explain(error: Any) -> InvalidRequestError:
    leaf = _best_leaf(error)
    path = list(leaf.instance_path)
    kind = _kind(leaf)
    name = param_path(path) or "body"
    same_place = [e for e in _leaves(error) if list(e.instance_path) == path]
    if kind == "Type":
        return invalid_type(name, _expected_words(name, same_place), type_word(leaf.instance))
    if kind in ("Enum", "Constant"):
        options = [str(o) for e in same_place for o in _allowed_values(e)]
        return invalid_value(name, leaf.instance, list(dict.fromkeys(options)))
    if kind == "Required":
        return missing_parameter(param_path([*path, leaf.kind.property]))
    if kind == "AdditionalProperties":
        return unknown_parameter(param_path([*path, leaf.kind.unexpected[0]]))
    return InvalidRequestError(f"Invalid value for '{name}'.", param=name, code="invalid_value")


def check_schema(schema_name: str, body: dict[str, Any]) -> None:
    """Raise the real API's 400 for the first unknown parameter or shape error in ``body``."""
    known = known_parameters(schema_name)
    for key in body:
        if key not in known:
            raise unknown_parameter(key)
    validator = _validator(schema_name)
    if validator.is_valid(body):
        return
    raise _explain(next(iter(validator.iter_errors(body))))


def check_ranges(body: dict[str, Any]) -> None:
    for param, (kind, low, high) in RANGES.items():
        value = body.get(param)
        if value is None or isinstance(value, bool):
            continue
        if isinstance(value, float) and not math.isfinite(value):
            raise invalid_type(param, "a decimal", "a string")
        if low is not None and value < low:
            raise out_of_range(param, kind, low, value, above=False)
        if high is not None and value > high:
            raise out_of_range(param, kind, high, value, above=True)


def elide(name: str) -> str:
    """Long names in some real messages are cut to their first and last three characters."""
    return name if len(name) <= 12 else f"{name[:3]}...{name[-3:]}"


def check_metadata(metadata: dict[str, Any] | None, param: str = "metadata") -> None:
    if not metadata:
        return
    if len(metadata) > METADATA_MAX_KEYS:
        raise InvalidRequestError(
            f"Invalid '{param}': too many properties. Expected an object with at most "
            f"{METADATA_MAX_KEYS} properties, but got an object with {len(metadata)} properties "
            "instead.",
            param=param,
            code="object_above_max_properties",
        )
    for key, value in metadata.items():
        if len(key) > METADATA_MAX_KEY_LENGTH:
            raise InvalidRequestError(
                f"Invalid property name in '{param}': '{elide(key)}' is too long. Expected a "
                f"string with maximum length {METADATA_MAX_KEY_LENGTH}, but got a string with "
                f"length {len(key)} instead.",
                param=f"{param}.{key}",
                code="property_name_above_max_length",
            )
        if isinstance(value, str) and len(value) > METADATA_MAX_VALUE_LENGTH:
            raise InvalidRequestError(
                f"Invalid '{param}.{key}': string too long. Expected a string with maximum length "
                f"{METADATA_MAX_VALUE_LENGTH}, but got a string with length {len(value)} instead.",
                param=f"{param}.{key}",
                code="string_above_max_length",
            )


CONTEXT_SOURCES = ("previous_response_id", "prompt", "conversation")


def check_create_request(body: dict[str, Any]) -> None:
    """Every check ``POST /v1/responses`` makes before any state is touched, in the real order."""
    if "model" not in body:
        raise missing_parameter("model")
    if body["model"] is None:
        raise invalid_type("model", "a string", "an object")
    if "input" in body and body["input"] is None:
        raise invalid_type("input", "a string", "an object")  # sic: the real API's wording
    has_other_source = any(body.get(key) is not None for key in CONTEXT_SOURCES)
    if "input" not in body and not has_other_source:
        raise missing_parameter("input")
    check_schema("ResponseCreateParams", body)
    if body.get("input") in ("", []) and not has_other_source:
        raise no_input()
    check_tools(body)
    check_text_format(body)
    check_ranges(body)
    check_metadata(body.get("metadata"))
    if body.get("background") and body.get("store") is False:
        raise InvalidRequestError(
            "Background mode requires 'store' to be true.", param="background", code=None
        )
