"""The facts we rely on, checked against real recorded traffic in ``shared/wire``.

Each test replays a recorded request against the app and compares what we answer with what the
real API answered: the event sequence of a text stream, the top-level key set of a recent
Response, error bodies byte for byte, the id layout, and that every request the real API
accepted passes our validation.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from starlette.testclient import TestClient

from mockserver import ManualClock, ServerConfig, create_app
from mockserver.contract.errors import InvalidRequestError
from mockserver.contract.validation import check_create_request
from mockserver.http.self_check import parse_sse

WIRE = Path(__file__).resolve().parents[2].parent / "shared" / "wire"
DOTNET = WIRE / "openai-dotnet" / "tests" / "SessionRecords"
OTEL_ERROR = (
    WIRE / "opentelemetry-python-contrib" / "instrumentation-genai"
    / "opentelemetry-instrumentation-openai-v2" / "tests" / "cassettes"
    / "test_responses_create_api_error[content_mode0].yaml"
)  # fmt: skip
AUTH = {"authorization": "Bearer sk-test"}
# Since Sep 2025: prefix, 16-hex shard, 00|01, 8-hex unix time, 24 hex (MANIFEST.md quirk 17).
RESP_ID = re.compile(r"^resp_(?P<shard>[0-9a-f]{16})0[01](?P<time>[0-9a-f]{8})[0-9a-f]{24}$")


def recording(path: Path) -> Any:
    if not path.exists():
        pytest.skip(f"real traffic recording {path} is absent (shared/wire is not checked out)")
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return yaml.safe_load(raw) if path.suffix == ".yaml" else json.loads(raw)


def entries(path: Path) -> list[dict[str, Any]]:
    return recording(path)["Entries"]


@pytest.fixture
def client() -> Iterator[TestClient]:
    app = create_app(ServerConfig(self_check=True), clock=ManualClock())
    with TestClient(app, headers=AUTH) as client:
        yield client
    assert app.state.mock.take_failures() == []


def collapse_deltas(types: list[str]) -> list[str]:
    return [
        t for i, t in enumerate(types) if not (i and t.endswith(".delta") and types[i - 1] == t)
    ]


def real_sse(lines: list[str]) -> list[dict[str, Any]]:
    events, problems = parse_sse("".join(lines).encode())
    assert problems == [], problems
    return events


def test_text_stream_has_the_real_event_sequence(client: TestClient) -> None:
    [entry] = entries(DOTNET / "ResponsesTests" / "StreamingResponses.json")
    real = real_sse(entry["ResponseBody"])
    reply = client.post("/v1/responses", json=entry["RequestBody"])
    assert reply.headers["content-type"] == entry["ResponseHeaders"]["Content-Type"]
    ours, problems = parse_sse(reply.content)
    assert problems == []
    real_types = [e["type"] for e in real]
    our_types = [e["type"] for e in ours]
    assert collapse_deltas(our_types) == collapse_deltas(real_types)
    for events in (real, ours):
        assert [e["sequence_number"] for e in events] == list(range(len(events)))
    # Each kind of event carries the same fields (key order varies on the real API too).
    real_keys = {e["type"]: set(e) for e in real}
    our_keys = {e["type"]: set(e) for e in ours}
    assert our_keys == real_keys
    # The empty message and text part that open the output look exactly the same (ids aside).
    for kind, nested in (("response.output_item.added", "item"),
                         ("response.content_part.added", "part")):  # fmt: skip
        [real_event] = [e for e in real if e["type"] == kind]
        [our_event] = [e for e in ours if e["type"] == kind]
        assert {**our_event[nested], "id": None} == {**real_event[nested], "id": None}


def test_response_has_the_real_top_level_keys(client: TestClient) -> None:
    [entry] = entries(DOTNET / "ResponsesTests" / "ResponsesWithPromptCache.json")
    real = entry["ResponseBody"]
    reply = client.post("/v1/responses", json=entry["RequestBody"])
    assert reply.status_code == 200, reply.text
    ours = reply.json()
    missing = sorted(set(real) - set(ours))
    invented = sorted(set(ours) - set(real))
    assert not missing and not invented, (
        f"keys the real API sends that we lack: {missing}; keys we send that it does not: "
        f"{invented}"
    )
    assert list(ours) == list(real), "top-level key order differs from the real Response"
    assert ours["model"] == real["model"] == "gpt-5.5-2026-04-23"
    assert ours["prompt_cache_key"] == real["prompt_cache_key"]
    assert ours["prompt_cache_retention"] == real["prompt_cache_retention"]


def test_not_found_body_is_byte_for_byte_real(client: TestClient) -> None:
    recorded = entries(DOTNET / "ResponsesTests" / "CanDeleteResponse.json")
    [entry] = [e for e in recorded if e["StatusCode"] == 404]
    # The recording keeps the parsed body; the real bytes are its 2-space-indented JSON with no
    # trailing newline, which the recorded Content-Length confirms.
    real_bytes = json.dumps(entry["ResponseBody"], indent=2).encode()
    assert str(len(real_bytes)) == entry["ResponseHeaders"]["Content-Length"]
    response_id = entry["RequestUri"].rsplit("/", 1)[1]
    reply = client.get(f"/v1/responses/{response_id}")
    assert reply.status_code == 404
    assert reply.content == real_bytes
    assert reply.headers["content-type"] == entry["ResponseHeaders"]["Content-Type"]
    assert reply.headers["content-length"] == entry["ResponseHeaders"]["Content-Length"]


def test_model_not_found_body_is_byte_for_byte_real(client: TestClient) -> None:
    [interaction] = recording(OTEL_ERROR)["interactions"]
    request, response = interaction["request"], interaction["response"]
    assert response["status"]["code"] == 400
    reply = client.post("/v1/responses", content=request["body"].encode())
    assert reply.status_code == 400
    assert reply.text == response["body"]["string"]
    assert reply.headers["content-length"] == response["headers"]["Content-Length"][0]


def real_response_ids() -> list[tuple[str, int, list[str]]]:
    found = []
    for path in sorted(DOTNET.rglob("*.json*")):
        for entry in entries(path):
            body = entry.get("ResponseBody")
            if isinstance(body, dict) and body.get("object") == "response":
                item_ids = [item["id"] for item in body.get("output", []) if "id" in item]
                found.append((body["id"], body["created_at"], item_ids))
    return found


def test_response_id_layout_is_the_real_one(client: TestClient) -> None:
    if not DOTNET.exists():
        pytest.skip(f"real traffic recordings {DOTNET} are absent")
    # The 50-hex layout (2025-09 on; older ids are 48 hex, time first).
    real = [r for r in real_response_ids() if len(r[0]) == len("resp_") + 50]
    assert len(real) > 50
    for response_id, created_at, item_ids in real:
        match = RESP_ID.match(response_id)
        assert match, response_id
        # The id is minted when the request arrives: up to a few seconds before `created_at`.
        assert 0 <= created_at - int(match["time"], 16) <= 5, response_id
        assert all(i.split("_", 1)[1].startswith(match["shard"]) for i in item_ids), item_ids
    ours = client.post("/v1/responses", json={"model": "gpt-4o-mini", "input": "hi"}).json()
    match = RESP_ID.match(ours["id"])
    assert match, ours["id"]
    assert int(match["time"], 16) == ours["created_at"]
    assert ours["output"][0]["id"].startswith(f"msg_{match['shard']}")


def real_accepted_requests() -> Iterator[tuple[str, dict[str, Any]]]:
    for path in sorted(DOTNET.rglob("*.json*")):
        for entry in entries(path):
            body = entry.get("RequestBody")
            if (
                entry["RequestMethod"] == "POST"
                and entry["RequestUri"].endswith("/v1/responses")
                and entry["StatusCode"] == 200
                and isinstance(body, dict)
            ):
                yield path.name, body


def test_every_request_the_real_api_accepted_passes_our_validation() -> None:
    if not DOTNET.exists():
        pytest.skip(f"real traffic recordings {DOTNET} are absent")
    rejected = []
    checked = 0
    for name, body in real_accepted_requests():
        if "prompt" in body and "model" not in body:
            # Deliberate: a stored prompt supplies the model on the real API; the mock has no
            # prompt store, so it asks for `model` ("Missing required parameter: 'model'.").
            continue
        checked += 1
        try:
            check_create_request(body)
        except InvalidRequestError as error:
            rejected.append(f"{name}: {error.message}")
    assert checked > 100
    assert rejected == [], "\n".join(rejected)
