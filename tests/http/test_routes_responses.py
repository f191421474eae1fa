"""``/v1/responses`` end to end through the ASGI app, with every emitted body schema-checked."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from app_client import HELLO, make_client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.testclient import TestClient

from mockserver.contract.validation import known_parameters
from mockserver.http.render import RATE_LIMIT_HEADERS
from mockserver.http.self_check import parse_sse
from mockserver.model.tokens import REQUEST_OVERHEAD


@pytest.fixture
def client() -> Iterator[TestClient]:
    yield from make_client()


def app_of(client: TestClient) -> Starlette:
    return client.app  # type: ignore[return-value]


def create(client: TestClient, **body: Any) -> dict[str, Any]:
    reply = client.post("/v1/responses", json={**HELLO, **body})
    assert reply.status_code == 200, reply.text
    return reply.json()


def error_of(reply: Any, status: int) -> dict[str, Any]:
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"] == "application/json"
    body = reply.json()
    assert list(body) == ["error"]
    assert list(body["error"]) == ["message", "type", "param", "code"]
    return body["error"]


def stream_events(reply: Any) -> list[dict[str, Any]]:
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"] == "text/event-stream; charset=utf-8"
    events, problems = parse_sse(reply.content)
    assert problems == []
    return events


# --- create -------------------------------------------------------------------------------


def test_create_returns_the_response_as_the_real_api_writes_it(client: TestClient) -> None:
    reply = client.post("/v1/responses", json=HELLO)
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/json"
    for name, value in RATE_LIMIT_HEADERS.items():
        assert reply.headers[name] == value
    body = reply.json()
    # 2-space indented, no trailing newline, keys in order.
    assert reply.text == json.dumps(body, indent=2, ensure_ascii=False)
    assert body["object"] == "response" and body["status"] == "completed"
    assert body["usage"]["input_tokens"] == 11
    assert body["output"][0]["content"][0]["text"].startswith('Mock reply to "Hello, world!".')


def test_create_then_retrieve_gives_the_same_body(client: TestClient) -> None:
    reply = client.post("/v1/responses", json=HELLO)
    again = client.get(f"/v1/responses/{reply.json()['id']}")
    assert again.status_code == 200
    assert again.content == reply.content
    assert not any(name in again.headers for name in RATE_LIMIT_HEADERS)


def test_stream_carries_the_whole_response(client: TestClient) -> None:
    reply = client.post("/v1/responses", json={**HELLO, "stream": True})
    assert reply.headers["cache-control"] == "no-cache"
    assert b"[DONE]" not in reply.content
    events = stream_events(reply)
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    assert events[0]["type"] == "response.created"
    assert events[-1]["type"] == "response.completed"
    final = events[-1]["response"]
    text = "".join(e["delta"] for e in events if e["type"] == "response.output_text.delta")
    assert text == final["output"][0]["content"][0]["text"]
    assert all("obfuscation" in e for e in events if e["type"].endswith(".delta"))
    stored = client.get(f"/v1/responses/{final['id']}").json()
    assert stored == final


def test_stream_without_obfuscation(client: TestClient) -> None:
    reply = client.post(
        "/v1/responses",
        json={**HELLO, "stream": True, "stream_options": {"include_obfuscation": False}},
    )
    deltas = [e for e in stream_events(reply) if e["type"].endswith(".delta")]
    assert deltas and not any("obfuscation" in e for e in deltas)


def test_max_output_tokens_streams_an_incomplete_response(client: TestClient) -> None:
    events = stream_events(
        client.post("/v1/responses", json={**HELLO, "stream": True, "max_output_tokens": 16})
    )
    assert events[-1]["type"] == "response.incomplete"
    assert events[-1]["response"]["incomplete_details"] == {"reason": "max_output_tokens"}


def test_store_false_is_not_kept(client: TestClient) -> None:
    body = create(client, store=False)
    assert body["store"] is False
    error = error_of(client.get(f"/v1/responses/{body['id']}"), 404)
    assert error["message"] == f"Response with id '{body['id']}' not found."
    chained = client.post("/v1/responses", json={**HELLO, "previous_response_id": body["id"]})
    assert error_of(chained, 400)["code"] == "previous_response_not_found"


def test_previous_response_id_continues_the_chain(client: TestClient) -> None:
    first = create(client, input="My name is Bob.")
    second = create(client, input="What is my name?", previous_response_id=first["id"])
    assert second["previous_response_id"] == first["id"]
    assert second["usage"]["input_tokens"] > first["usage"]["input_tokens"]
    # Only the new turn's input is listed on the follow-up.
    items = client.get(f"/v1/responses/{second['id']}/input_items").json()["data"]
    assert [i["content"][0]["text"] for i in items] == ["What is my name?"]


def test_unknown_previous_response(client: TestClient) -> None:
    reply = client.post("/v1/responses", json={**HELLO, "previous_response_id": "resp_nope"})
    assert error_of(reply, 400) == {
        "message": "Previous response with id 'resp_nope' not found.",
        "type": "invalid_request_error",
        "param": "previous_response_id",
        "code": "previous_response_not_found",
    }


def test_model_checks(client: TestClient) -> None:
    unknown = client.post("/v1/responses", json={**HELLO, "model": "gpt-imaginary"})
    assert error_of(unknown, 400) == {
        "message": "The requested model 'gpt-imaginary' does not exist.",
        "type": "invalid_request_error",
        "param": "model",
        "code": "model_not_found",
    }
    hot = client.post("/v1/responses", json={**HELLO, "model": "o3", "temperature": 0.5})
    # Verbatim from recorded traffic (vercel-ai reasoning-model-temperature-error.json).
    assert error_of(hot, 400) == {
        "message": "Unsupported parameter: 'temperature' is not supported with this model.",
        "type": "invalid_request_error",
        "param": "temperature",
        "code": None,
    }
    logprobs = client.post("/v1/responses", json={**HELLO, "model": "o3", "top_logprobs": 2})
    assert error_of(logprobs, 400)["param"] == "top_logprobs"
    assert create(client, model="o3")["reasoning"]["effort"] == "medium"


def test_include_values_are_checked(client: TestClient) -> None:
    ok = create(client, include=["message.output_text.logprobs"])
    assert ok["status"] == "completed"
    error = error_of(client.post("/v1/responses", json={**HELLO, "include": ["nope"]}), 400)
    assert error["message"].startswith("Invalid value: 'nope'. Supported values are: ")
    assert error["param"] == "include[0]"  # as the real API names it (docs/real-errors.md)


def test_function_tools_and_tool_results(client: TestClient) -> None:
    parameters = {"type": "object", "properties": {}, "additionalProperties": False}
    tool = {"type": "function", "name": "get_weather", "parameters": parameters}
    call = {"type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": "{}"}
    result = {"type": "function_call_output", "call_id": "call_1", "output": "sunny"}
    body = create(
        client, tools=[tool], input=[{"role": "user", "content": "Weather?"}, call, result]
    )
    assert body["tools"][0]["strict"] is True
    text = body["output"][0]["content"][0]["text"]
    assert text.startswith('Mock reply using the tool result "sunny".')
    items = client.get(f"/v1/responses/{body['id']}/input_items", params={"order": "asc"})
    assert [i["type"] for i in items.json()["data"]] == [
        "message",
        "function_call",
        "function_call_output",
    ]


# --- retrieve / stream resume -------------------------------------------------------------


def test_retrieve_stream_replays_the_same_events(client: TestClient) -> None:
    events = stream_events(client.post("/v1/responses", json={**HELLO, "stream": True}))
    response_id = events[-1]["response"]["id"]
    replay = stream_events(client.get(f"/v1/responses/{response_id}?stream=true"))
    assert replay == events
    resumed = stream_events(
        client.get(f"/v1/responses/{response_id}", params={"stream": "true", "starting_after": 3})
    )
    assert resumed == events[4:]
    assert resumed[0]["type"] != "response.created"


def test_retrieve_stream_of_a_non_streamed_response(client: TestClient) -> None:
    body = create(client)
    events = stream_events(
        client.get(f"/v1/responses/{body['id']}?stream=true&include_obfuscation=false")
    )
    assert events[-1]["response"] == body
    assert not any("obfuscation" in e for e in events)


@pytest.mark.parametrize(
    ("query", "param", "expected"),
    [
        ("stream=true&starting_after=x", "starting_after", "an integer"),
        ("stream=maybe", "stream", "a boolean"),
    ],
)
def test_retrieve_query_errors(client: TestClient, query: str, param: str, expected: str) -> None:
    body = create(client)
    error = error_of(client.get(f"/v1/responses/{body['id']}?{query}"), 400)
    assert error["message"] == (
        f"Invalid type for '{param}': expected {expected}, but got a string instead."
    )
    assert (error["param"], error["code"]) == (param, "invalid_type")


# --- delete -------------------------------------------------------------------------------


def test_delete_then_404(client: TestClient) -> None:
    response_id = create(client)["id"]
    deleted = client.delete(f"/v1/responses/{response_id}")
    assert deleted.status_code == 200
    assert deleted.json() == {"id": response_id, "object": "response.deleted", "deleted": True}
    assert list(deleted.json()) == ["id", "object", "deleted"]
    for reply in (
        client.get(f"/v1/responses/{response_id}"),
        client.delete(f"/v1/responses/{response_id}"),
        client.get(f"/v1/responses/{response_id}/input_items"),
    ):
        assert error_of(reply, 404) == {
            "message": f"Response with id '{response_id}' not found.",
            "type": "invalid_request_error",
            "param": None,
            "code": None,
        }


# --- input items --------------------------------------------------------------------------


def test_input_items_pages(client: TestClient) -> None:
    texts = [f"Item {n}" for n in range(5)]
    body = create(client, input=[{"role": "user", "content": t} for t in texts])
    url = f"/v1/responses/{body['id']}/input_items"
    newest_first = client.get(url).json()
    assert newest_first["object"] == "list" and newest_first["has_more"] is False
    listed = [i["content"][0]["text"] for i in newest_first["data"]]
    assert listed == texts[::-1]
    page = client.get(url, params={"limit": 2, "order": "asc"}).json()
    assert [i["content"][0]["text"] for i in page["data"]] == texts[:2]
    assert page["has_more"] is True
    rest = client.get(url, params={"order": "asc", "after": page["last_id"]}).json()
    assert [i["content"][0]["text"] for i in rest["data"]] == texts[2:]
    shard = body["id"][5:21]
    assert all(i["id"].startswith(f"msg_{shard}") for i in newest_first["data"])


@pytest.mark.parametrize(
    ("params", "param", "code"),
    [
        ({"limit": 0}, "limit", "integer_below_min_value"),
        ({"limit": 1000}, "limit", "integer_above_max_value"),
        ({"limit": "ten"}, "limit", "invalid_type"),
        ({"order": "up"}, "order", "invalid_value"),
        ({"after": "msg_unknown"}, "after", "invalid_value"),
        ({"include[]": "nope"}, "include", "invalid_value"),
    ],
)
def test_input_items_query_errors(
    client: TestClient, params: dict[str, Any], param: str, code: str
) -> None:
    body = create(client)
    error = error_of(client.get(f"/v1/responses/{body['id']}/input_items", params=params), 400)
    assert (error["param"], error["code"]) == (param, code)


# --- input tokens -------------------------------------------------------------------------


def test_input_tokens_agree_with_usage(client: TestClient) -> None:
    request = {
        "model": "gpt-4o-mini",
        "instructions": "Be brief.",
        "input": [{"role": "user", "content": "How many tokens is this?"}],
    }
    usage = create(client, **request)["usage"]
    reply = client.post("/v1/responses/input_tokens", json=request)
    assert reply.status_code == 200
    assert reply.json() == {
        "object": "response.input_tokens",
        "input_tokens": usage["input_tokens"],
    }
    assert not any(name in reply.headers for name in RATE_LIMIT_HEADERS)


def test_input_tokens_of_a_chain(client: TestClient) -> None:
    first = create(client, input="First turn.")
    follow_up = {"model": "gpt-4o-mini", "input": "Second.", "previous_response_id": first["id"]}
    expected = create(client, **follow_up)["usage"]["input_tokens"]
    counted = client.post("/v1/responses/input_tokens", json=follow_up).json()["input_tokens"]
    assert counted == expected
    only_chain = client.post(
        "/v1/responses/input_tokens", json={"previous_response_id": first["id"]}
    ).json()["input_tokens"]
    assert REQUEST_OVERHEAD < only_chain < counted


def test_input_tokens_errors(client: TestClient) -> None:
    empty = client.post("/v1/responses/input_tokens", json={"model": "gpt-4o-mini", "input": []})
    # Seen on the real endpoint (docs/real-errors.md, section 15).
    assert error_of(empty, 400) == {
        "message": """One of "input" or "previous_response_id" or 'prompt' or 'conversation' """
        "must be provided.",
        "type": "invalid_request_error",
        "param": None,
        "code": "missing_required_parameter",
    }
    unknown_model = client.post("/v1/responses/input_tokens", json={"model": "nope", "input": "x"})
    assert error_of(unknown_model, 400)["code"] == "model_not_found"
    unknown_param = client.post("/v1/responses/input_tokens", json={"input": "x", "stream": True})
    assert error_of(unknown_param, 400)["message"] == "Unknown parameter: 'stream'."


# --- routing and body errors --------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/nope"),
        ("GET", "/v1/responses"),
        ("PUT", "/v1/responses"),
        ("PATCH", "/v1/responses/resp_1"),
        ("POST", "/v1/responses/resp_1/input_items"),
        ("GET", "/v1/responses/input_tokens/extra/parts"),
        ("GET", "/"),
        ("POST", "/v2/responses"),
    ],
)
def test_unknown_routes_and_methods(client: TestClient, method: str, path: str) -> None:
    assert error_of(client.request(method, path), 404) == {
        "message": f"Invalid URL ({method} {path})",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }


def test_malformed_and_non_object_bodies(client: TestClient) -> None:
    for path in ("/v1/responses", "/v1/responses/input_tokens"):
        broken = error_of(client.post(path, content=b'{"model": "gpt-4o-mini",}'), 400)
        assert broken["message"].startswith("Invalid body: failed to parse JSON value.")
        assert broken["code"] == "invalid_json"
        array = error_of(client.post(path, content=b"[1, 2]"), 400)
        assert (
            array["message"]
            == "Invalid type for 'body': expected an object, but got an array instead."
        )
        empty = error_of(client.post(path, content=b""), 400)
        assert empty["type"] == "invalid_request_error"


def test_request_too_large() -> None:
    for client in make_client(max_body_bytes=100):
        big = {"model": "gpt-4o-mini", "input": "x" * 200}
        declared = error_of(client.post("/v1/responses", json=big), 413)
        assert declared["code"] == "request_too_large"
        assert "exceeds the limit of 100 bytes" in declared["message"]
        assert "--max-body-bytes" in declared["message"]

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted while reading
            yield b'{"model": "gpt-4o-mini", "input": "'
            yield b"y" * 200
            yield b'"}'

        assert error_of(client.post("/v1/responses", content=chunks()), 413)["code"] == (
            "request_too_large"
        )
        assert (
            client.post("/v1/responses", json={"model": "gpt-4o-mini", "input": "ok"}).status_code
            == 200
        )


BAD_BODIES = [
    b"", b" ", b"null", b"true", b"1", b'"text"', b"[]", b"{", b"}", b"\xff\xfe\x00",
    b'{"model": 1e999}', b"[" * 5000 + b"]" * 5000, b'{"model": "gpt-4o-mini", "input": "\\ud800"}',
    b'{"model": "gpt-4o-mini", "input": "x", "max_output_tokens": 99999999999999999999999}',
    b'{"model": "gpt-4o-mini", "input": [{"role": "user", "content": [{"type": "input_image"}]}]}',
    b'{"model": "gpt-4o-mini", "input": [{"type": "function_call_output"}]}',
    b'{"model": "gpt-4o-mini", "input": [{"type": "item_reference", "id": "msg_x"}]}',
    b'{"model": "gpt-4o-mini", "input": "x", "text": {"format": {"type": "json_schema"}}}',
    b'{"model": "gpt-4o-mini", "input": "x", "tools": [{"type": "function"}]}',
    b'{"model": "gpt-4o-mini", "input": "x", "tool_choice": {"type": "function"}}',
    b'{"model": "gpt-4o-mini", "input": "x", "metadata": {"": ""}}',
    b'{"model": "gpt-4o-mini", "input": "x", "temperature": true}',
    b'{"model": "gpt-4o-mini", "input": "x", "stream": "yes"}',
    b'{"model": "gpt-4o-mini", "input": "x", "previous_response_id": ""}',
    b'{"model": "gpt-4o-mini", "input": "x", "conversation": "conv_missing"}',
    b'{"model": "", "input": "x"}',
    b'{"model": "gpt-4o-mini", "input": {"role": "user"}}',
    b'{"model": "gpt-4o-mini", "input": [[]]}',
    b'{"model": "gpt-4o-mini", "input": "x", "include": "reasoning.encrypted_content"}',
    b'{"model": "gpt-4o-mini", "input": "x", "reasoning": {"effort": "extreme"}}',
]  # fmt: skip


@pytest.mark.parametrize("raw", BAD_BODIES, ids=range(len(BAD_BODIES)))
@pytest.mark.parametrize("path", ["/v1/responses", "/v1/responses/input_tokens"])
def test_bad_bodies_never_give_a_500(client: TestClient, path: str, raw: bytes) -> None:
    reply = client.post(path, content=raw, headers={"content-type": "application/json"})
    assert reply.status_code < 500, reply.text
    if reply.status_code != 200:
        assert error_of(reply, reply.status_code)["type"] == "invalid_request_error"


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(exclude_categories=("Cs",)), max_size=6),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.dictionaries(
        st.sampled_from(sorted(known_parameters("ResponseCreateParams"))), json_values, max_size=4
    ),
    st.sampled_from(["gpt-4o-mini", "o3", None]),
    st.booleans(),
)
def test_random_json_never_gives_a_500(
    client: TestClient, body: dict[str, Any], model: str | None, with_input: bool
) -> None:
    if model:
        body["model"] = model
    if with_input:
        body.setdefault("input", "hi")
    reply = client.post("/v1/responses", json=body)
    assert reply.status_code in (200, 400, 404), reply.text
    failures = app_of(client).state.mock.take_failures()
    assert failures == [], failures


@pytest.mark.parametrize("path", ["/v1/responses", "/v1/responses/input_tokens"])
def test_a_null_input_item_next_to_an_incomplete_one_is_a_400(
    client: TestClient, path: str
) -> None:
    reply = client.post(path, json={"model": "gpt-4o-mini", "input": [None, {}]})
    assert reply.status_code == 400, reply.text
    assert reply.json()["error"]["param"] == "input[0]"
