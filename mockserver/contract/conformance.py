"""Check what our server emits against the SDK-generated schemas in ``schemas/``.

The SDK models accept unknown keys (``extra="allow"``), so validating against them as-is would let
the mock invent fields the real API never sends. Strict mode therefore closes every object schema
(``additionalProperties: false``), re-opening only the keys in :data:`UNMODELLED_KEYS`: keys the
real API is seen sending (in the recordings under ``shared/wire``) that the SDK does not model.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import jsonschema_rs
import orjson

from mockserver.contract.schemas import load_schema, schema_dir

# Schema `$defs` name (or top-level title) -> keys the real API sends that the SDK type lacks.
# Every key must occur in a real recording (tests/test_conformance.py checks it) and must not be
# modelled by the SDK already (then the entry is obsolete and the test says so).
# Evidence: shared/wire (openai-dotnet SessionRecords unless noted); Azure-only keys such as
# Response.content_filters are deliberately absent: we mock api.openai.com.
UNMODELLED_KEYS: dict[str, frozenset[str]] = {
    # On Responses since the oldest recordings, 2025-03 (`store`), since 2025-09 (`billing`) and
    # 2026-01 (the penalties).
    "Response": frozenset({"billing", "frequency_penalty", "presence_penalty", "store"}),
    # Random padding on delta events (stream_options.include_obfuscation, default on).
    "ResponseTextDeltaEvent": frozenset({"obfuscation"}),
    "ResponseFunctionCallArgumentsDeltaEvent": frozenset({"obfuscation"}),
    "ResponseMcpCallArgumentsDeltaEvent": frozenset({"obfuscation"}),
    "ResponseReasoningSummaryTextDeltaEvent": frozenset({"obfuscation"}),
    "ResponseCodeInterpreterCallCodeDeltaEvent": frozenset({"obfuscation"}),
    # The real error event nests {type, code, message, param} under `error`
    # (vercel-ai openai-error.1.chunks.txt); the SDK models only the flat fields.
    "ResponseErrorEvent": frozenset({"error"}),
    # Image generation tool config echoes `n` (vercel-ai openai-image-generation-tool.1.json).
    "ImageGeneration": frozenset({"n"}),
    # The web_search tool echo since 2026 (shared/wire-2026: braintrust-sdk-javascript
    # openai-codex-* cassettes, tidyverse/ellmer inst/_vcr, posit-dev/chatlas tests/_vcr).
    "WebSearchTool": frozenset({"return_token_budget", "search_content_types"}),
    # Token `bytes` on streamed logprobs (TokenLogProbabilitiesStreaming(True).json); the SDK has
    # it only on output_text logprobs. pydantic qualifies these $defs names: "Logprob" collides.
    "openai__types__responses__response_text_delta_event__Logprob": frozenset({"bytes"}),
    "openai__types__responses__response_text_delta_event__LogprobTopLogprob": frozenset({"bytes"}),
    "openai__types__responses__response_text_done_event__Logprob": frozenset({"bytes"}),
    "openai__types__responses__response_text_done_event__LogprobTopLogprob": frozenset({"bytes"}),
}

# Schema `$defs` name -> {property: enum values the real API sends that the SDK's enum lacks}.
UNMODELLED_VALUES: dict[str, dict[str, tuple[str, ...]]] = {
    # `response.failed` after an in-stream quota error (vercel-ai openai-error.1.chunks.txt).
    "ResponseError": {"code": ("insufficient_quota",)},
}

STREAM_EVENT_SCHEMA = "ResponseStreamEvent"
SERVER_EVENT_SCHEMA = "ResponsesServerEvent"
# Event types only a WebSocket sends (its `error` differs from the SSE one: details nested).
SOCKET_ONLY_EVENTS = (
    "error",
    "response.steer.accepted",
    "response.steer.failed",
    "response.steer.pending",
)


# Keywords whose values are subschemas; anything else (const, default, enum, ...) is instance data.
_SCHEMA_MAPS = ("properties", "patternProperties", "dependentSchemas")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_ONE = ("items", "additionalProperties", "not", "if", "then", "else", "contains")


_NO_KEYS: frozenset[str] = frozenset()


def _close_objects(node: Any, extra_keys: frozenset[str]) -> None:
    """Recursively set ``additionalProperties: false`` on object schemas that list properties.
    (Plain loops, no generator: this walks every node of the request schema when the first
    request is validated, i.e. in every server's start-up.)"""
    if not isinstance(node, dict):
        return
    for key in _SCHEMA_MAPS:
        children = node.get(key)
        if children:
            for child in children.values():
                _close_objects(child, _NO_KEYS)
    for key in _SCHEMA_LISTS:
        children = node.get(key)
        if children:
            for child in children:
                _close_objects(child, _NO_KEYS)
    for key in _SCHEMA_ONE:
        child = node.get(key)
        if child is not None:
            _close_objects(child, _NO_KEYS)
    properties = node.get("properties")
    # Only schemas that are open by default: a typed `additionalProperties` (a dict) is kept.
    if isinstance(properties, dict) and node.get("additionalProperties", True) is True:
        for extra in sorted(extra_keys - properties.keys()):
            properties[extra] = {"description": "Sent by the real API; not modelled by the SDK."}
        node["additionalProperties"] = False


def strict_schema(
    schema: Mapping[str, Any], unmodelled_keys: Mapping[str, frozenset[str]] = UNMODELLED_KEYS
) -> dict[str, Any]:
    """A copy of ``schema`` with closed objects, except for the ``unmodelled_keys`` allowlist."""
    strict = orjson.loads(orjson.dumps(schema))  # a deep copy (JSON data), in C
    for name, definition in strict.get("$defs", {}).items():
        _close_objects(definition, unmodelled_keys.get(name, frozenset()))
        for prop, values in UNMODELLED_VALUES.get(name, {}).items():
            enum = definition.get("properties", {}).get(prop, {}).get("enum")
            if isinstance(enum, list):
                enum.extend(v for v in values if v not in enum)
    top = {key: value for key, value in strict.items() if key != "$defs"}
    _close_objects(top, unmodelled_keys.get(str(strict.get("title")), frozenset()))
    strict.update(top)
    return strict


def _json_path(path: Iterable[str | int]) -> str:
    out = "$"
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.isidentifier():
            out += f".{part}"
        else:
            out += f"[{json.dumps(part)}]"
    return out


def _kind(error: jsonschema_rs.ValidationError) -> str:
    return type(error.kind).__name__


def _rejected_branch(branch: list[jsonschema_rs.ValidationError], at: list[str | int]) -> bool:
    """Whether an anyOf branch is evidently not the one meant: wrong JSON type or `type` tag."""
    for error in branch:
        path = list(error.instance_path)
        if _kind(error) == "Type" and path == at:
            return True
        if _kind(error) in ("Constant", "Enum") and path == [*at, "type"]:
            return True
    return False


def _leaf_errors(error: jsonschema_rs.ValidationError) -> list[jsonschema_rs.ValidationError]:
    """Replace an anyOf failure by the errors of the branch the instance was evidently aiming at.

    The SDK's unions (output items, content parts, `X | None`) become plain ``anyOf``; the bare
    "not valid under any of the schemas" message hides the one useful error inside.
    """
    if _kind(error) != "AnyOf":
        return [error]
    at = list(error.instance_path)
    context = getattr(error.kind, "context", None) or []
    branches = [b for b in context if b and not _rejected_branch(b, at)]
    if not branches:
        return [error]
    best = min(branches, key=len)
    return [leaf for inner in best for leaf in _leaf_errors(inner)]


def _format(error: jsonschema_rs.ValidationError) -> str:
    message = f"{_json_path(error.instance_path)}: {error.message}"
    if _kind(error) == "AdditionalProperties":
        where = "/".join(["#", *map(str, error.schema_path[:-1])])
        message += (
            f" [schema {where}: not modelled by the SDK; if the real API sends it, add it to"
            " UNMODELLED_KEYS with evidence]"
        )
    return message


class Conformance:
    """Validators over one schema directory, compiled on first use."""

    def __init__(
        self,
        directory: Path | None = None,
        *,
        unmodelled_keys: Mapping[str, frozenset[str]] = UNMODELLED_KEYS,
    ) -> None:
        self.directory = Path(directory) if directory is not None else schema_dir()
        self.unmodelled_keys = unmodelled_keys
        self._raw: dict[str, dict[str, Any]] = {}
        self._strict: dict[str, dict[str, Any]] = {}
        self._validators: dict[tuple[str, str, bool], jsonschema_rs.Validator] = {}
        self._event_defs: dict[str, str] | None = None
        self._socket_defs: dict[str, str] | None = None

    def schema(self, name: str, *, strict: bool = True) -> dict[str, Any]:
        """The schema ``name`` as validated: strict (closed objects) or as generated."""
        if name not in self._raw:
            if self.directory == schema_dir():
                self._raw[name] = load_schema(name)
            else:
                path = self.directory / f"{name}.json"
                self._raw[name] = json.loads(path.read_text(encoding="utf-8"))
        if not strict:
            return self._raw[name]
        if name not in self._strict:
            self._strict[name] = strict_schema(self._raw[name], self.unmodelled_keys)
        return self._strict[name]

    def _validator(self, name: str, ref: str, strict: bool) -> jsonschema_rs.Validator:
        cache_key = (name, ref, strict)
        if cache_key not in self._validators:
            schema = self.schema(name, strict=strict)
            if ref:
                schema = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": ref}
            self._validators[cache_key] = jsonschema_rs.validator_for(schema)
        return self._validators[cache_key]

    def _errors(self, name: str, ref: str, instance: Any, strict: bool) -> list[str]:
        validator = self._validator(name, ref, strict)
        errors = validator.iter_errors(instance)
        return [_format(leaf) for error in errors for leaf in _leaf_errors(error)]

    def errors(self, name: str, instance: Any, *, strict: bool = True) -> list[str]:
        """Human-readable problems of ``instance`` against schema ``name`` (empty: valid)."""
        return self._errors(name, "", instance, strict)

    @property
    def event_types(self) -> dict[str, str]:
        """Every event ``type`` the SDK's ResponseStreamEvent union knows -> its ``$defs`` name."""
        if self._event_defs is None:
            self._event_defs = self._union_members(STREAM_EVENT_SCHEMA)
        return self._event_defs

    def _union_members(self, name: str) -> dict[str, str]:
        union = self.schema(name, strict=False)
        mapping: dict[str, str] = {}
        for branch in union["anyOf"]:
            def_name = branch["$ref"].removeprefix("#/$defs/")
            mapping[union["$defs"][def_name]["properties"]["type"]["const"]] = def_name
        return mapping

    def socket_event_errors(self, event: Any, *, strict: bool = True) -> list[str]:
        """Problems of one event a WebSocket sends: its own ``error`` and ``response.steer.*``
        events against the SDK's ResponsesServerEvent union; every other event is a stream
        event (the socket variants add only ``stream_id``, a string)."""
        if not isinstance(event, dict):
            return [f"$: a socket event must be a JSON object, got {type(event).__name__}"]
        if event.get("type") in SOCKET_ONLY_EVENTS:
            if self._socket_defs is None:
                self._socket_defs = self._union_members(SERVER_EVENT_SCHEMA)
            def_name = self._socket_defs[event["type"]]
            return self._errors(SERVER_EVENT_SCHEMA, f"#/$defs/{def_name}", event, strict)
        problems = []
        if "stream_id" in event and not isinstance(event["stream_id"], str):
            problems.append(f"$.stream_id: {event['stream_id']!r} is not a string")
        rest = {key: value for key, value in event.items() if key != "stream_id"}
        return problems + self.event_errors(rest, strict=strict)

    def event_errors(self, event: Any, *, strict: bool = True) -> list[str]:
        """Problems of one stream event; validated against the union member its ``type`` names."""
        if not isinstance(event, dict):
            return [f"$: a stream event must be a JSON object, got {type(event).__name__}"]
        event_type = event.get("type")
        if event_type not in self.event_types:
            return [
                f"$.type: unknown stream event type {event_type!r}: not one of the"
                f" {len(self.event_types)} types of the SDK's ResponseStreamEvent union"
            ]
        def_name = self.event_types[event_type]
        return self._errors(STREAM_EVENT_SCHEMA, f"#/$defs/{def_name}", event, strict)

    def assert_valid(self, name: str, instance: Any, *, strict: bool = True) -> None:
        """Raise AssertionError listing every problem of ``instance`` against ``name``."""
        _raise_if(self.errors(name, instance, strict=strict), name)

    def assert_valid_event(self, event: Any, *, strict: bool = True) -> None:
        """Raise AssertionError listing every problem of one stream event."""
        label = f"stream event {event.get('type')!r}" if isinstance(event, dict) else "stream event"
        _raise_if(self.event_errors(event, strict=strict), label)


def _raise_if(errors: list[str], label: str) -> None:
    if errors:
        lines = "\n".join(f"  - {error}" for error in errors)
        raise AssertionError(f"{label} does not conform ({len(errors)} problems):\n{lines}")
