"""``POST /v1/responses/compact`` and compaction items on create, through the ASGI app."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from typing import Any

import pytest
from app_client import make_client
from starlette.testclient import TestClient

from mockserver.contract.conformance import Conformance
from mockserver.model.tokens import COMPACTION_ITEM_TOKENS

MODEL = "gpt-4o-mini"
HISTORY: list[dict[str, Any]] = [
    {"role": "user", "content": "Create a simple landing page for a dog petting café."},
    {"role": "assistant", "content": "Sure! Here is a landing page. " * 40},
    {"role": "user", "content": "Make the header yellow."},
    {"role": "assistant", "content": "Done: the header is now yellow. " * 20},
]
QUESTION = {"role": "user", "content": "What colour is the header?"}


@pytest.fixture
def client() -> Iterator[TestClient]:
    yield from make_client(id_seed=9)


def post(client: TestClient, path: str, body: dict[str, Any], status: int = 200) -> Any:
    reply = client.post(path, json=body)
    assert reply.status_code == status, reply.text
    return reply.json()


def compact(client: TestClient, **body: Any) -> dict[str, Any]:
    return post(client, "/v1/responses/compact", {"model": MODEL, **body})


def create(client: TestClient, **body: Any) -> dict[str, Any]:
    return post(client, "/v1/responses", {"model": MODEL, **body})


def answer(response: dict[str, Any]) -> str:
    return next(i for i in response["output"] if i["type"] == "message")["content"][0]["text"]


def test_the_compaction_object_has_the_recorded_shape(client: TestClient) -> None:
    reply = client.post("/v1/responses/compact", json={"model": MODEL, "input": HISTORY})
    assert reply.status_code == 200
    assert "x-ratelimit-limit-requests" in reply.headers  # recorded: like any model call
    body = reply.json()
    assert list(body) == ["id", "object", "created_at", "output", "usage"]
    assert (
        re.fullmatch(r"resp_[0-9a-f]{50}", body["id"]) and body["object"] == "response.compaction"
    )
    *kept, item = body["output"]
    assert [m["content"][0]["text"] for m in kept] == [HISTORY[0]["content"], HISTORY[2]["content"]]
    for message in kept:
        assert list(message) == ["id", "type", "status", "content", "role"]
        assert message["role"] == "user" and message["status"] == "completed"
        assert re.fullmatch(r"msg_[0-9a-f]{50}", message["id"])
        assert message["id"][4:20] == body["id"][5:21]  # the response's shard
    assert list(item) == ["id", "type", "encrypted_content"]
    assert item["id"].startswith("cmp_") and item["encrypted_content"].startswith("gAAAAAB")
    assert body["usage"]["output_tokens"] == COMPACTION_ITEM_TOKENS
    # The SDK cannot type the kept user messages (so self_check skips this route); check the
    # rest against the SDK's schemas here: the object without them, and each as an item.
    conformance = Conformance()
    assert conformance.errors("CompactedResponse", {**body, "output": [item]}) == []
    assert all(conformance.errors("ConversationItem", message) == [] for message in kept)


def test_the_compacted_window_answers_like_the_full_one_for_fewer_tokens(
    client: TestClient,
) -> None:
    window = compact(client, input=HISTORY)["output"]
    full = create(client, input=[*HISTORY, QUESTION])
    compacted = create(client, input=[*window, QUESTION])
    assert answer(compacted) == answer(full)
    assert compacted["usage"]["input_tokens"] < full["usage"]["input_tokens"]
    counted = post(
        client, "/v1/responses/input_tokens", {"model": MODEL, "input": [*window, QUESTION]}
    )
    assert counted["input_tokens"] == compacted["usage"]["input_tokens"]
    # Chaining continues from the compacted turn with the same answers.
    follow_full = create(client, input="And the footer?", previous_response_id=full["id"])
    follow = create(client, input="And the footer?", previous_response_id=compacted["id"])
    assert answer(follow) == answer(follow_full)
    assert follow["usage"]["input_tokens"] < follow_full["usage"]["input_tokens"]
    items = client.get(f"/v1/responses/{compacted['id']}/input_items", params={"order": "asc"})
    assert [i["id"] for i in items.json()["data"][: len(window)]] == [i["id"] for i in window]


def test_compact_from_a_previous_response(client: TestClient) -> None:
    first = create(client, input=HISTORY)
    body = compact(client, previous_response_id=first["id"], input=[QUESTION])
    texts = [m["content"][0]["text"] for m in body["output"][:-1]]
    assert texts == [HISTORY[0]["content"], HISTORY[2]["content"], QUESTION["content"]]


def test_tampered_or_foreign_content_is_refused(client: TestClient) -> None:
    item = compact(client, input=HISTORY)["output"][-1]
    content = item["encrypted_content"]
    tampered = {
        **item,
        "encrypted_content": content[:-8] + ("A" if content[-8] != "A" else "B") + content[-7:],
    }
    error = post(client, "/v1/responses", {"model": MODEL, "input": [tampered, QUESTION]}, 400)
    assert error["error"] == {
        "message": f"The encrypted content for item {item['id']} could not be verified. Reason: "
        "Encrypted content could not be decrypted or parsed.",
        "type": "invalid_request_error",
        "param": None,
        "code": "invalid_encrypted_content",
    }
    anonymous = {"type": "compaction", "encrypted_content": "garbage"}
    error = post(client, "/v1/responses", {"model": MODEL, "input": [anonymous, QUESTION]}, 400)
    assert error["error"]["message"].startswith("The encrypted content garb...bage could not")
    # Another server's item (another key) cannot be read but is accepted as opaque, like the
    # real API's (issue #12: replayed real windows must work).
    for other in make_client(id_seed=9):
        post(other, "/v1/responses", {"model": MODEL, "input": [item, QUESTION]}, 200)
        post(other, "/v1/responses/input_tokens", {"model": MODEL, "input": [item]}, 200)


def test_a_compaction_item_from_the_real_api_is_accepted(client: TestClient) -> None:
    # A Fernet token as the real API makes them (version 0x80, time, random IV, ..., HMAC).
    real_token = base64.urlsafe_b64encode(b"\x80" + bytes(range(8)) + bytes(range(16, 32))
                                          + b"x" * 48 + b"t" * 32).decode()  # fmt: skip
    item = {"id": "cmp_real", "type": "compaction", "encrypted_content": real_token}
    reply = post(client, "/v1/responses", {"model": MODEL, "input": [item, QUESTION]}, 200)
    assert reply["status"] == "completed"


def test_a_shared_key_lets_servers_read_each_others_items() -> None:
    for first in make_client(id_seed=9, compaction_key="team-secret"):
        item = compact(first, input=HISTORY)["output"][-1]
    for second in make_client(id_seed=9, compaction_key="team-secret"):
        assert create(second, input=[item, QUESTION])["status"] == "completed"


def test_compact_errors(client: TestClient) -> None:
    missing = post(client, "/v1/responses/compact", {"input": "x"}, 400)["error"]
    assert missing["message"] == "Missing required parameter: 'model'."
    unknown = post(client, "/v1/responses/compact", {"model": "nope", "input": "x"}, 400)
    assert unknown["error"]["code"] == "model_not_found"
    extra = post(
        client, "/v1/responses/compact", {"model": MODEL, "input": "x", "stream": True}, 400
    )
    assert extra["error"]["message"] == "Unknown parameter: 'stream'."
    empty = post(client, "/v1/responses/compact", {"model": MODEL}, 400)["error"]
    assert empty["code"] == "missing_required_parameter"
    gone = post(
        client, "/v1/responses/compact", {"model": MODEL, "previous_response_id": "resp_x"}, 400
    )
    assert gone["error"]["code"] == "previous_response_not_found"
    assert client.get("/v1/responses/compact").status_code == 404


def test_server_side_compaction_through_context_management(client: TestClient) -> None:
    cm = [{"type": "compaction", "compact_threshold": 1000}]
    long_history = [*HISTORY, {"role": "assistant", "content": "More detail. " * 400}]
    first = create(client, input=[*long_history, QUESTION], context_management=cm)
    assert [i["type"] for i in first["output"]] == ["compaction", "message"]
    plain = create(client, input=[*long_history, QUESTION])
    assert answer(first) == answer(plain)
    following = create(client, input="And the footer?", previous_response_id=first["id"])
    assert following["usage"]["input_tokens"] * 3 < first["usage"]["input_tokens"]
    # Sent back by hand, the item supersedes what came before it: the same count either way.
    with_history = create(client, input=[*long_history, QUESTION, *first["output"], QUESTION])
    alone = create(client, input=[*first["output"], QUESTION])
    assert with_history["usage"]["input_tokens"] == alone["usage"]["input_tokens"]
    bad = post(
        client,
        "/v1/responses",
        {"model": MODEL, "input": "Hi", "context_management": [{"type": "foo"}]},
        400,
    )
    assert bad["error"]["message"] == "Unsupported context_management type: 'foo'."
