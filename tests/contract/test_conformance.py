"""Strict/non-strict conformance checks; the schemas and allowlist against recorded traffic."""

from __future__ import annotations

import copy
import functools
import gzip
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from mockserver.contract.conformance import UNMODELLED_KEYS, Conformance
from mockserver.contract.schemas import SCHEMA_SOURCES, load_schema

try:  # `tests` is a package or a rootdir-less test directory, depending on the layout
    from tests import openapi_spec
except ImportError:
    import openapi_spec

WIRE = Path(__file__).resolve().parents[2].parent / "shared" / "wire"


@pytest.fixture(scope="module")
def conformance() -> Conformance:
    return Conformance()


def _response(**extra: Any) -> dict[str, Any]:
    body = {
        "id": "resp_0123",
        "object": "response",
        "created_at": 1_786_000_000,
        "status": "completed",
        "model": "gpt-4o-mini-2024-07-18",
        "output": [
            {
                "id": "msg_0123",
                "type": "message",
                "role": "assistant",
                "status": "completed",
                "content": [
                    {"type": "output_text", "text": "Hi", "annotations": [], "logprobs": []}
                ],
            }
        ],
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "usage": {
            "input_tokens": 5,
            "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
            "output_tokens": 1,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": 6,
        },
    }
    return body | extra


def _delta(**extra: Any) -> dict[str, Any]:
    event = {
        "type": "response.output_text.delta",
        "sequence_number": 4,
        "item_id": "msg_0123",
        "output_index": 0,
        "content_index": 0,
        "delta": "Hi",
        "logprobs": [],
    }
    return event | extra


# -- strict / non-strict behaviour ------------------------------------------------------------


def test_valid_objects_pass_strictly(conformance: Conformance) -> None:
    assert conformance.errors("Response", _response()) == []
    assert conformance.event_errors(_delta()) == []
    conformance.assert_valid("ErrorBody", {"error": {"message": "x", "type": "t"}})


def test_strict_rejects_invented_key_on_response(conformance: Conformance) -> None:
    errors = conformance.errors("Response", _response(invented="x"))
    assert len(errors) == 1
    assert errors[0].startswith("$: Additional properties are not allowed ('invented'")
    with pytest.raises(AssertionError, match="invented"):
        conformance.assert_valid("Response", _response(invented="x"))


def test_strict_reports_nested_invented_key_with_its_path(conformance: Conformance) -> None:
    body = _response()
    body["output"][0]["content"][0]["invented"] = 1
    errors = conformance.errors("Response", body)
    assert len(errors) == 1
    assert errors[0].startswith("$.output[0].content[0]: Additional properties")
    assert "#/$defs/ResponseOutputText" in errors[0]


def test_strict_rejects_invented_key_on_stream_event(conformance: Conformance) -> None:
    errors = conformance.event_errors(_delta(invented="x"))
    assert len(errors) == 1 and "'invented' was unexpected" in errors[0]
    created = {"type": "response.created", "sequence_number": 0, "response": _response()}
    created["response"]["invented"] = True
    assert any("$.response:" in e for e in conformance.event_errors(created))
    with pytest.raises(AssertionError, match=r"response\.output_text\.delta"):
        conformance.assert_valid_event(_delta(invented="x"))


def test_strict_accepts_allowlisted_keys(conformance: Conformance) -> None:
    body = _response(
        store=True,
        billing={"payer": "developer"},
        frequency_penalty=0.0,
        presence_penalty=0.0,
    )
    assert conformance.errors("Response", body) == []
    assert conformance.event_errors(_delta(obfuscation="Zq3")) == []
    # The allowlist is per type: `obfuscation` is not a Response key.
    assert conformance.errors("Response", _response(obfuscation="Zq3")) != []


def test_non_strict_accepts_unknown_keys(conformance: Conformance) -> None:
    assert conformance.errors("Response", _response(invented="x"), strict=False) == []
    assert conformance.event_errors(_delta(invented="x"), strict=False) == []


def test_non_strict_still_checks_types_and_required(conformance: Conformance) -> None:
    body = _response(created_at="yesterday")
    del body["id"]
    errors = conformance.errors("Response", body, strict=False)
    assert any('"id" is a required property' in e for e in errors)
    assert any(e.startswith("$.created_at:") for e in errors)


def test_unknown_event_type_is_reported(conformance: Conformance) -> None:
    errors = conformance.event_errors(_delta(type="response.output_text.teleported"))
    assert len(errors) == 1
    assert "unknown stream event type 'response.output_text.teleported'" in errors[0]
    assert conformance.event_errors(["not", "an", "event"]) != []
    assert "response.output_text.delta" in conformance.event_types
    assert "response.completed" in conformance.event_types


def test_conformance_reads_another_schema_directory(tmp_path: Path) -> None:
    schema = copy.deepcopy(load_schema("Conversation"))
    (tmp_path / "Conversation.json").write_text(json.dumps(schema))
    checker = Conformance(tmp_path)
    conv = {"id": "conv_1", "object": "conversation", "created_at": 1, "metadata": {}}
    assert checker.errors("Conversation", conv) == []
    assert checker.errors("Conversation", conv | {"x": 1}) != []


def test_allowlist_names_real_defs_and_keys_the_sdk_lacks() -> None:
    defs: dict[str, list[dict]] = defaultdict(list)
    for name in SCHEMA_SOURCES:
        schema = load_schema(name)
        defs[name].append(schema)
        for def_name, definition in schema.get("$defs", {}).items():
            defs[def_name].append(definition)
    for def_name, keys in UNMODELLED_KEYS.items():
        assert def_name in defs, f"UNMODELLED_KEYS[{def_name!r}]: no such schema/$defs name"
        for definition in defs[def_name]:
            modelled = keys & definition.get("properties", {}).keys()
            assert not modelled, f"the SDK now models {def_name}.{sorted(modelled)}: drop them"


# -- real traffic (../shared/wire) --------------------------------------------------------------


@dataclass(frozen=True)
class Recorded:
    source: str  # path under wire/
    uri: str | None
    body: Any  # a JSON body, or the list of SSE event payloads


def _sse(lines: list[str]) -> list[Any]:
    return [json.loads(line[5:]) for line in lines if line.startswith("data:") and line[5:].strip()]


def _vcr_body(body: str | bytes) -> str:
    return gzip.decompress(body).decode() if isinstance(body, bytes) else body


@functools.cache
def _recordings() -> tuple[Recorded, ...]:
    out: list[Recorded] = []
    for path in sorted((WIRE / "openai-dotnet").rglob("*.json*")):
        with (gzip.open if path.suffix == ".gz" else open)(path, "rt", encoding="utf-8") as f:
            entries = json.load(f)["Entries"]
        for entry in entries:
            body = entry["ResponseBody"]
            if isinstance(body, list):
                body = _sse("".join(body).splitlines())
            out.append(Recorded(str(path.relative_to(WIRE)), entry["RequestUri"], body))
    for path in sorted(WIRE.glob("vercel-ai/**/*.chunks.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        out.append(Recorded(str(path.relative_to(WIRE)), None, [json.loads(x) for x in lines if x]))
    for path in sorted(WIRE.glob("vercel-ai/**/__fixtures__/*.json")):
        out.append(Recorded(str(path.relative_to(WIRE)), None, json.loads(path.read_text())))
    for path in sorted(WIRE.glob("agent-framework/**/ConformanceTraces/**/*response*.*")):
        text = path.read_text(encoding="utf-8")
        body = _sse(text.splitlines()) if path.suffix == ".txt" else json.loads(text)
        out.append(Recorded(str(path.relative_to(WIRE)), None, body))
    for path in sorted(WIRE.glob("*/**/cassettes/**/*.yaml")):
        cassette = yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        for interaction in cassette["interactions"]:
            text = _vcr_body(interaction["response"]["body"]["string"])
            is_sse = text.startswith(("event:", "data:"))
            body = _sse(text.splitlines()) if is_sse else json.loads(text)
            out.append(Recorded(str(path.relative_to(WIRE)), interaction["request"]["uri"], body))
    return tuple(out)


def recordings() -> tuple[Recorded, ...]:
    if not WIRE.is_dir():
        pytest.skip(f"real-traffic recordings not available ({WIRE} is absent)")
    return _recordings()


_BY_OBJECT = {
    "response": "Response",
    "response.compaction": "CompactedResponse",
    "response.input_tokens": "InputTokenCountResponse",
    "conversation": "Conversation",
    "conversation.deleted": "ConversationDeletedResource",
}


def instances(rec: Recorded) -> list[tuple[str | None, Any]]:
    """(schema name, instance) pairs of one recording; schema None means "a stream event"."""
    body = rec.body
    if isinstance(body, list):
        return [(None, event) for event in body]
    if not isinstance(body, dict):
        return []
    if set(body) == {"error"}:
        return [("ErrorBody", body)]
    if body.get("object") in _BY_OBJECT:
        return [(_BY_OBJECT[body["object"]], body)]
    in_conversation = "/conversations/" in (rec.uri or "") or "/Conversations/" in rec.source
    if body.get("object") == "list" and "/input_items" in (rec.uri or ""):
        return [("ResponseItemList", body)]
    if body.get("object") == "list" and in_conversation:
        return [("ConversationItemList", body)]
    if "object" not in body and "type" in body and in_conversation:
        return [("ConversationItem", body)]
    return []


def _recorded_at(response: dict[str, Any]) -> datetime:
    return datetime.fromtimestamp(response["created_at"], UTC)


# Where openai (the SDK these schemas come from) disagrees with what the live API sent. Tolerated
# by the wire tests only, each with its reason; our own output is checked without them.
@dataclass(frozen=True)
class KnownGap:
    pattern: re.Pattern[str]
    reason: str
    before: datetime | None = None  # tolerated only in recordings older than this


KNOWN_SDK_GAPS = (
    KnownGap(
        re.compile(r'\.input_tokens_details: "cache_write_tokens" is a required property$'),
        "the SDK requires usage.input_tokens_details.cache_write_tokens; the API sends it since"
        " 2026-07",
        before=datetime(2026, 7, 1, tzinfo=UTC),
    ),
    KnownGap(
        re.compile(r'\.action\.sources\[\d+\](\.type: "url" was expected|: "url" is a required)'),
        'web_search_call sources include {"type": "api", "name": ...}; the SDK knows only url',
    ),
)


def _unexplained(errors: list[str], response: dict[str, Any]) -> list[str]:
    def explained(error: str) -> bool:
        return any(
            gap.pattern.search(error)
            and (gap.before is None or _recorded_at(response) < gap.before)
            for gap in KNOWN_SDK_GAPS
        )

    return [error for error in errors if not explained(error)]


def test_recorded_dotnet_responses_validate_non_strictly(conformance: Conformance) -> None:
    since = datetime(2025, 9, 1, tzinfo=UTC)
    checked, failures = 0, []
    for rec in recordings():
        if not rec.source.startswith("openai-dotnet/"):
            continue
        for name, body in instances(rec):
            if name != "Response" or _recorded_at(body) < since:
                continue
            checked += 1
            errors = _unexplained(conformance.errors("Response", body, strict=False), body)
            failures += [f"{rec.source}: {error}" for error in errors]
    assert checked > 100, f"only {checked} recorded Response bodies found"
    assert not failures, "\n".join(failures)


def test_known_sdk_gaps_still_occur(conformance: Conformance) -> None:
    """A gap the SDK has closed must leave KNOWN_SDK_GAPS (keeps the tolerance list honest)."""
    seen = set()
    for rec in recordings():
        for name, body in instances(rec):
            if name == "Response":
                for error in conformance.errors("Response", body, strict=False):
                    seen |= {gap.reason for gap in KNOWN_SDK_GAPS if gap.pattern.search(error)}
    assert seen == {gap.reason for gap in KNOWN_SDK_GAPS}


_UNEXPECTED = re.compile(r"Additional properties are not allowed \((.*)\) \[schema (#[^ :]*)")


def test_every_allowlisted_key_occurs_in_real_traffic() -> None:
    """UNMODELLED_KEYS never invents keys: each one was sent by the real (non-Azure) API."""
    closed = Conformance(unmodelled_keys={})
    seen: dict[tuple[str, str], str] = {}
    for rec in recordings():
        if "/azure/" in rec.source:
            continue
        for name, instance in instances(rec):
            errors = (
                closed.event_errors(instance) if name is None else closed.errors(name, instance)
            )
            for match in filter(None, map(_UNEXPECTED.search, errors)):
                def_name = match.group(2).removeprefix("#/$defs/").removeprefix("#") or name
                for key in re.findall(r"'([^']+)'", match.group(1)):
                    seen.setdefault((str(def_name), key), rec.source)
    missing = [
        f"{def_name}.{key}"
        for def_name, keys in UNMODELLED_KEYS.items()
        for key in sorted(keys)
        if (def_name, key) not in seen and not _in_2026_answers(key)
    ]
    assert not missing, f"allowlisted but never seen in a real recording: {missing}"


def _in_2026_answers(key: str) -> bool:
    """Whether a real answer in shared/wire-2026 carries ``key`` (read by tests/wire_corpus.py)."""
    import json

    import wire_corpus

    needle = f'"{key}"'
    return any(
        needle in json.dumps(e.response if e.response is not None else e.events)
        for e in wire_corpus.exchanges()
        if e.file.startswith("wire-2026/") and (e.response is not None or e.events)
    )


def test_recent_recorded_response_validates_against_openapi_spec() -> None:
    if not openapi_spec.spec_available():
        pytest.skip(f"OpenAPI spec not available ({openapi_spec.SPEC_PATH} is absent)")
    # The spec (like the SDK) requires cache_write_tokens, which the API sends since 2026-07.
    recent = [
        (rec.source, body)
        for rec in recordings()
        for name, body in instances(rec)
        if name == "Response" and _recorded_at(body) >= datetime(2026, 7, 1, tzinfo=UTC)
    ]
    assert recent, "no Response recorded since 2026-07"
    for source, body in recent:
        assert body.get("user", "") is None  # the documented spec disagreement is exercised
        try:
            openapi_spec.validate_against_spec("Response", body)
        except AssertionError as error:
            raise AssertionError(f"{source}: {error}") from None


def test_recent_recorded_created_events_validate_against_openapi_spec() -> None:
    """Exercises the spec helper's `usage: null` widening on created/in_progress events."""
    if not openapi_spec.spec_available():
        pytest.skip(f"OpenAPI spec not available ({openapi_spec.SPEC_PATH} is absent)")
    components = {
        "response.created": "ResponseCreatedEvent",
        "response.in_progress": "ResponseInProgressEvent",
    }
    checked = 0
    for rec in recordings():
        for name, event in instances(rec):
            if name is not None or event.get("type") not in components:
                continue
            if _recorded_at(event["response"]) < datetime(2026, 7, 1, tzinfo=UTC):
                continue
            assert event["response"]["usage"] is None
            openapi_spec.validate_against_spec(components[event["type"]], event)
            checked += 1
    assert checked, "no created/in_progress event recorded since 2026-07"
