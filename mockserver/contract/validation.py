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
from dataclasses import dataclass
from typing import Any

import jsonschema_rs

from mockserver.contract.conformance import strict_schema
from mockserver.contract.errors import (
    InvalidRequestError,
    empty_string,
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


# The principle: the schemas generated from the SDK's *parameter types* find what is wrong with a
# request, but those types are stricter than the wire and older than the API. A problem they find
# becomes a 400 only when a rule in REJECTIONS says the real API rejects it, naming the evidence
# (a real 400 in recorded traffic or quoted from it, or the API reference); where recorded
# traffic shows the real API accepting what the types forbid, the schema is relaxed below, again
# naming the recording. Wire sources: `shared/wire` and `shared/wire-2026` (their MANIFEST.md
# files name each folder's public repository); docs/real-errors.md has the messages.

# Properties the SDK types mark required that the real API lets clients leave out (it fills in a
# default): `$defs` name -> property names.
OPTIONAL_ON_THE_WIRE: dict[str, frozenset[str]] = {
    "FunctionToolParam": frozenset({"strict"}),
    # openai/openai-dotnet GetInputItemsWithMultiPartPagination: an image part without `detail`.
    "ResponseInputImageParam": frozenset({"detail"}),
    # openai/openai-dotnet MessageHistoryWorks, CanCompactConversation and 0xPlaygrounds/rig
    # gpt_5_6_reasoning/five_turn_metadata_roundtrip: an assistant turn given back as
    # `{"type": "message", "role": "assistant", "content": [{"type": "output_text", "text"}]}`,
    # without `id`, `status` or `annotations` (also OpenAI's conversation-state guide).
    "ResponseOutputMessageParam": frozenset({"id", "status"}),
    "ResponseOutputTextParam": frozenset({"annotations"}),
    # tidyverse/ellmer and posit-dev/chatlas (`store: false`): reasoning items sent back with
    # only `encrypted_content` and `summary`, no `id`.
    "ResponseReasoningItemParam": frozenset({"id"}),
    # openai/openai-dotnet ImageGenToolInputMask* (an image_generation_call given back without
    # `result`).
    "ImageGenerationCall": frozenset({"result"}),
}

# Properties the SDK's request types lack that the real API accepts: `$defs` name -> names.
EXTRA_ON_THE_WIRE: dict[str, frozenset[str]] = {
    # `POST /responses/compact` returns the kept user messages with ids, and the compaction guide
    # says to pass that output back as `input` as it is ("Do not prune the compact response").
    "Message": frozenset({"id"}),
    # `@ai-sdk/openai` 3.x sends assistant turns as `{"role", "content", "id"}` with
    # `store: false` (braintrust-sdk-javascript ai-sdk-* cassettes, answered 200).
    "EasyInputMessageParam": frozenset({"id", "status"}),
}

# Top-level parameters the SDK's types lack that the real API accepts (answered 200).
EXTRA_PARAMETERS: dict[str, str] = {
    "client_metadata": "braintrustdata/braintrust-sdk-javascript, openai-codex-* cassettes "
    "(Codex sends it on every turn)",
}

# Content part types an assistant message may carry, and the real 400 for any other: quoted from
# real api.openai.com answers in several public projects' notes and tests (docs/real-errors.md §6).
ASSISTANT_PART_TYPES = ("output_text", "refusal")
# What a user/system/developer message may carry (MEASURED-3P, docs/real-errors.md §6).
INPUT_PART_TYPES = ("input_text", "input_image", "input_file", "scoped_content", "input_audio")


@dataclass(frozen=True)
class Rejection:
    """A kind of schema problem the real API answers with a 400, where, and the evidence."""

    kind: str  # the jsonschema error kind: Type, Enum, Constant, Required, AdditionalProperties
    where: re.Pattern[str]  # the `param` path the problem is reported at
    evidence: str


def _rule(kinds: str, where: str, evidence: str) -> list[Rejection]:
    return [Rejection(kind, re.compile(where), evidence) for kind in kinds.split()]


_N = r"\[\d+\]"
REJECTIONS: tuple[Rejection, ...] = tuple(
    [
        *_rule("AdditionalProperties", r"[^.\[]*",
               "unknown top-level parameter: docs/real-errors.md §3 (SEEN, MEASURED-3P)"),
        *_rule("AdditionalProperties", r"(reasoning|stream_options|text|text\.format)\.[^.]*",
               "'reasoning.max_tokens', 'stream_options.include_usage': §3 (SEEN, MEASURED-3P)"),
        *_rule("AdditionalProperties", rf"input{_N}\.[^.\[]*|input{_N}\.action\.[^.]*",
               "'input[3].status', 'input[4].action.query': §3 (SEEN in relayed real 400s)"),
        *_rule("Type", r".+",
               "'Invalid type for ...': §4 (MEASURED-3P for every top-level parameter; SEEN "
               "nested, 'input[61].arguments')"),
        *_rule("Enum Constant",
               r"truncation|service_tier|include\[\d+\]|text\.format(\.type)?|text\.verbosity|"
               r"reasoning\.(effort|summary|context)|tool_choice|prompt_cache_retention|"
               rf"input{_N}|input{_N}\.(type|role)|input{_N}\.content{_N}(\.type)?|"
               rf"tools{_N}(\.type)?",
               "'Invalid value: ... Supported values are: ...': §6 (MEASURED-3P, SEEN)"),
        *_rule("Required",
               rf"model|input|input{_N}\.(content|call_id|output|name|arguments|summary)|"
               rf"input{_N}\.content{_N}\.text|tools{_N}\.name|text\.format\.(name|schema)|"
               r"tool_choice\.name",
               "'Missing required parameter: ...': §8 (MEASURED-3P; SEEN for input[N].summary); "
               "the OpenAPI reference marks call_id, output, name and arguments required"),
    ]
)  # fmt: skip


# The request schemas whose problems pass through REJECTIONS (their param names are the ones the
# rules name); the Conversations schemas keep reporting every problem, as before.
EVIDENCE_GATED = frozenset({"ResponseCreateParams", "InputTokenCountParams"})


# Parameters outside `input` are echoed into every Response, so the SDK's type for them (which
# follows the API reference) is what the API echoes: a problem there is a 400 by that reference.
ECHOED_PARAMETER = Rejection(
    "*", re.compile(r"(?!input\b).*"), "the parameter is echoed; its SDK type follows the reference"
)


def has_evidence(kind: str, param: str) -> Rejection | None:
    """The rule that makes this schema problem a real 400, or None (then it is no 400)."""
    if ECHOED_PARAMETER.where.fullmatch(param):
        return ECHOED_PARAMETER
    for rule in REJECTIONS:
        if rule.kind == kind and rule.where.fullmatch(param):
            return rule
    return None


def _or_null(schema: dict[str, Any]) -> dict[str, Any]:
    if "anyOf" in schema:
        if {"type": "null"} in schema["anyOf"]:
            return schema
        return {**schema, "anyOf": [*schema["anyOf"], {"type": "null"}]}
    return {"anyOf": [schema, {"type": "null"}]}


def _nullable(node: dict[str, Any]) -> dict[str, Any]:
    # docs/real-errors.md §0 (MEASURED-3P): on /v1/responses `null` counts as omitted, so an
    # optional property may be null (`"status": null` on function_call items and
    # `"tool_choice": null` were answered 200, issue #12).
    properties = node.get("properties")
    if not isinstance(properties, dict):
        return node
    required = set(node.get("required", []))
    return {
        **node,
        "properties": {
            name: sub if name in required or not isinstance(sub, dict) else _or_null(sub)
            for name, sub in properties.items()
        },
    }


def _with_output_parts(easy: dict[str, Any]) -> dict[str, Any]:
    """Let an easy message carry output parts (assistant turns given back; see above). Which role
    may carry which part is checked by ``check_message_parts``, with the real messages."""
    content = easy["properties"]["content"]
    branches = []
    for branch in content.get("anyOf", []):
        if branch.get("type") == "array":
            items = branch["items"]
            extra = [{"$ref": "#/$defs/ResponseOutputTextParam"},
                     {"$ref": "#/$defs/ResponseOutputRefusalParam"}]  # fmt: skip
            branch = {**branch, "items": {"anyOf": [*items.get("anyOf", [items]), *extra]}}
        branches.append(branch)
    return {**easy, "properties": {**easy["properties"], "content": {**content, "anyOf": branches}}}


def _relaxed(schema: dict[str, Any]) -> dict[str, Any]:
    defs = dict(schema.get("$defs", {}))
    for name, optional in OPTIONAL_ON_THE_WIRE.items():
        if name in defs and "required" in defs[name]:
            required = [p for p in defs[name]["required"] if p not in optional]
            defs[name] = {**defs[name], "required": required}
    if "EasyInputMessageParam" in defs:
        defs["EasyInputMessageParam"] = _with_output_parts(defs["EasyInputMessageParam"])
    defs = {name: _nullable(sub) for name, sub in defs.items()}
    properties = dict(schema.get("properties", {}))
    for name in EXTRA_PARAMETERS:
        properties.setdefault(name, {})
    top = _nullable({**schema, "properties": properties})
    top["properties"]["model"] = properties.get("model", {})
    top["properties"]["input"] = properties.get("input", {})
    return {**top, "$defs": defs}


@functools.cache
def _validator(schema_name: str) -> Any:
    # Closed objects: the SDK's request types are open, but the real API rejects unknown nested
    # keys (`Unknown parameter: 'reasoning.max_tokens'.`) just like unknown top-level ones.
    return jsonschema_rs.validator_for(
        strict_schema(_relaxed(load_schema(schema_name)), EXTRA_ON_THE_WIRE)
    )


@functools.cache
def known_parameters(schema_name: str) -> frozenset[str]:
    return frozenset(load_schema(schema_name).get("properties", {})) | frozenset(EXTRA_PARAMETERS)


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


def _explain(error: Any) -> tuple[str, InvalidRequestError]:
    """The real message for a schema problem, with the problem's kind."""
    leaf = _best_leaf(error)
    kind = _kind(leaf)
    return kind, _message(leaf, error)


def _message(leaf: Any, error: Any) -> InvalidRequestError:
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


MOVED_TO_INPUT = (
    "Unsupported parameter: 'messages'. In the Responses API, this parameter has moved to "
    "'input'. Try again with the new parameter. See the API documentation for more information: "
    "https://platform.openai.com/docs/api-reference/responses/create."
)
RESPONSES_SCHEMAS = ("ResponseCreateParams", "InputTokenCountParams")
MAX_HINT_DISTANCE = 2
MAX_HINTS = 2


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions)."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]


def did_you_mean(key: str, known: frozenset[str], present: set[str]) -> list[str]:
    """Known names within edit distance 2 of ``key`` that the body does not already have,
    nearest first, ties alphabetical (docs/real-errors.md §3, MEASURED-3P)."""
    near = sorted(
        (distance, name)
        for name in known - present
        if (distance := edit_distance(key, name)) <= MAX_HINT_DISTANCE
    )
    return [name for _, name in near[:MAX_HINTS]]


def unknown_top_level(schema_name: str, key: str, body: dict[str, Any]) -> InvalidRequestError:
    if key == "messages" and schema_name in RESPONSES_SCHEMAS:
        return InvalidRequestError(MOVED_TO_INPUT, param=None, code="unsupported_parameter")
    error = unknown_parameter(key)
    hints = did_you_mean(key, known_parameters(schema_name), set(body))
    if hints:
        error.message = f"{error.message} Did you mean {join_choices(hints, 'or')}?"
    return error


def check_message_parts(items: Any) -> None:
    """Which content parts a message of each role may carry, with the real API's messages."""
    if not isinstance(items, list):
        return
    for index, item in enumerate(items):
        if not isinstance(item, dict) or item.get("type", "message") != "message":
            continue
        content = item.get("content")
        if not isinstance(content, list):
            continue
        allowed = ASSISTANT_PART_TYPES if item.get("role") == "assistant" else INPUT_PART_TYPES
        for part_index, part in enumerate(content):
            part_type = part.get("type") if isinstance(part, dict) else None
            if part_type in allowed or not isinstance(part_type, str):
                continue
            if part_type not in ASSISTANT_PART_TYPES + INPUT_PART_TYPES:
                continue  # an unknown part type: the schema check words that one
            raise invalid_value(f"input[{index}].content[{part_index}]", part_type, list(allowed))


def check_schema(schema_name: str, body: dict[str, Any]) -> None:
    """Raise the real API's 400 for the first unknown parameter or shape error in ``body``."""
    known = known_parameters(schema_name)
    for key in body:
        if key not in known:
            raise unknown_top_level(schema_name, key, body)
    validator = _validator(schema_name)
    if validator.is_valid(body):
        return
    for error in validator.iter_errors(body):
        kind, problem = _explain(error)
        if schema_name not in EVIDENCE_GATED or has_evidence(kind, problem.param or ""):
            raise problem
    # Problems the SDK's types see but no evidence says the real API rejects: accepted.


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


def check_items_are_objects(items: Any) -> None:
    """Every ``input`` item is an object. The schema check usually says so first, but when an
    item after it has a problem no evidence rejects, the validator may report only that one: an
    item that is not an object still gets the real 400 (docs/real-errors.md §4), never a 500."""
    if not isinstance(items, list):
        return
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise invalid_type(f"input[{index}]", "an input item", type_word(item))


def check_item_ids(items: Any) -> None:
    """An empty item id is refused with the real template for empty strings (SEEN for
    ``input[N].call_id`` and ``input[N].name``; docs/real-errors.md §5)."""
    if not isinstance(items, list):
        return
    for index, item in enumerate(items):
        if isinstance(item, dict) and item.get("id") == "":
            raise empty_string(f"input[{index}].id")


def check_create_request(body: dict[str, Any]) -> None:
    """Every check ``POST /v1/responses`` makes before any state is touched, in the real order."""
    if "model" not in body and body.get("prompt") is None:
        # With a stored prompt the real API takes the prompt's model (openai-dotnet
        # MultipleResponseInstructions, answered 200); the mock uses PROMPT_DEFAULT_MODEL.
        raise missing_parameter("model")
    if "model" in body and body["model"] is None:
        raise invalid_type("model", "a string", "an object")
    if "input" in body and body["input"] is None:
        raise invalid_type("input", "a string", "an object")  # sic: the real API's wording
    has_other_source = any(body.get(key) is not None for key in CONTEXT_SOURCES)
    if "messages" in body:
        # Chat Completions' parameter: its own answer, before the missing `input` it implies.
        raise unknown_top_level("ResponseCreateParams", "messages", body)
    if "input" not in body and not has_other_source:
        raise missing_parameter("input")
    check_schema("ResponseCreateParams", body)
    check_items_are_objects(body.get("input"))
    check_message_parts(body.get("input"))
    check_item_ids(body.get("input"))
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
