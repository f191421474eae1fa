"""``/v1/conversations`` end to end through the ASGI app, every body schema-checked."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from app_client import HELLO, make_client
from starlette.testclient import TestClient

from mockserver.model.tokens import count_context_tokens
from mockserver.state.conversations import MAX_ITEMS_PER_REQUEST

CONV_ID = re.compile(r"^conv_[0-9a-f]{48}$")
ITEM_ID = re.compile(r"^msg_[0-9a-f]{48}$")
RESP_ITEM_ID = re.compile(r"^msg_[0-9a-f]{50}$")


def user(text: str) -> dict[str, Any]:
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


@pytest.fixture
def client() -> Iterator[TestClient]:
    yield from make_client(id_seed=3)


def ok(reply: Any) -> Any:
    assert reply.status_code == 200, reply.text
    if reply.request.url.path.startswith("/v1/conversations"):
        # Recorded conversation replies carry no rate-limit headers.
        assert "x-ratelimit-limit-requests" not in reply.headers
    return reply.json()


def error_of(reply: Any, status: int) -> dict[str, Any]:
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert list(body) == ["error"] and list(body["error"]) == ["message", "type", "param", "code"]
    return body["error"]


def new_conversation(client: TestClient, **body: Any) -> dict[str, Any]:
    return ok(client.post("/v1/conversations", json=body))


def test_create_get_update_delete(client: TestClient) -> None:
    created = new_conversation(client, metadata={"topic": "test"}, items=[user("tell me a joke")])
    assert list(created) == ["id", "object", "created_at", "metadata"]
    assert CONV_ID.match(created["id"]) and created["object"] == "conversation"
    assert created["created_at"] == 1_767_225_600 and created["metadata"] == {"topic": "test"}
    # Real ids: unix time first, the shard last (items made here share both).
    assert created["id"][5:13] == f"{created['created_at']:08x}"
    url = f"/v1/conversations/{created['id']}"
    assert ok(client.get(url)) == created
    updated = ok(client.post(url, json={"metadata": {"topic": "updated", "purpose": "test"}}))
    assert updated == {**created, "metadata": {"topic": "updated", "purpose": "test"}}
    assert ok(client.post(url, json={"metadata": None}))["metadata"] == {}
    assert ok(client.delete(url)) == {
        "id": created["id"],
        "object": "conversation.deleted",
        "deleted": True,
    }
    for reply in (client.get(url), client.delete(url), client.post(url, json={"metadata": {}})):
        assert error_of(reply, 404) == {
            "message": f"Conversation with id '{created['id']}' not found.",
            "type": "invalid_request_error",
            "param": None,
            "code": None,
        }


def test_items_add_list_get_delete(client: TestClient) -> None:
    conversation = new_conversation(client, items=[user("first item")])
    url = f"/v1/conversations/{conversation['id']}/items"
    added = ok(client.post(url, json={"items": [user("second"), user("third")]}))
    assert list(added) == ["object", "data", "first_id", "has_more", "last_id"]
    assert added["object"] == "list" and added["has_more"] is False
    assert [i["content"][0]["text"] for i in added["data"]] == ["second", "third"]
    assert (added["first_id"], added["last_id"]) == (added["data"][0]["id"], added["data"][1]["id"])
    shard = conversation["id"][-16:]
    assert all(ITEM_ID.match(i["id"]) and i["id"].endswith(shard) for i in added["data"])
    listed = ok(client.get(url))
    assert [i["content"][0]["text"] for i in listed["data"]] == ["third", "second", "first item"]
    ascending = ok(client.get(url, params={"order": "asc", "limit": 2}))
    assert [i["content"][0]["text"] for i in ascending["data"]] == ["first item", "second"]
    assert ascending["has_more"] is True
    rest = ok(client.get(url, params={"order": "asc", "after": ascending["last_id"]}))
    assert [i["content"][0]["text"] for i in rest["data"]] == ["third"] and not rest["has_more"]
    one = added["data"][0]
    assert (
        ok(client.get(f"{url}/{one['id']}", params={"include[]": "message.input_image.image_url"}))
        == one
    )
    after_delete = ok(client.delete(f"{url}/{one['id']}"))
    assert after_delete == ok(client.get(f"/v1/conversations/{conversation['id']}"))
    assert len(ok(client.get(url))["data"]) == 2
    assert error_of(client.get(f"{url}/{one['id']}"), 404) == {
        "message": f"Item with id '{one['id']}' not found in conversation.",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }
    assert error_of(client.delete(f"{url}/{one['id']}"), 404)["code"] is None


def test_bad_input_gets_the_real_errors(client: TestClient) -> None:
    conversation = new_conversation(client)
    url = f"/v1/conversations/{conversation['id']}"
    invalid_json = client.post(
        "/v1/conversations",
        content=b'{"metadata": {"test": "invalid"}\n  // comment',
        headers={"content-type": "application/json"},
    )
    assert error_of(invalid_json, 400)["code"] == "invalid_json"
    assert error_of(client.get(f"{url}/items", params={"limit": 1000}), 400) == {
        "message": "Invalid 'limit': integer above maximum value. Expected a value <= 100, but "
        "got 1000 instead.",
        "type": "invalid_request_error",
        "param": "limit",
        "code": "integer_above_max_value",
    }
    assert error_of(client.get(f"{url}/items", params={"order": "up"}), 400)["param"] == "order"
    assert error_of(client.get(f"{url}/items", params={"include[]": "x"}), 400)["code"] == (
        "invalid_value"
    )
    too_many = [user(str(n)) for n in range(MAX_ITEMS_PER_REQUEST + 1)]
    assert error_of(client.post("/v1/conversations", json={"items": too_many}), 400)["code"] == (
        "array_above_max_length"
    )
    assert error_of(client.post(f"{url}/items", json={"items": too_many}), 400)["param"] == "items"
    assert error_of(client.post(f"{url}/items", json={"items": []}), 400)["code"] == "empty_array"
    assert error_of(client.post(f"{url}/items", json={}), 400)["message"] == (
        "Missing required parameter: 'items'."
    )
    metadata = {f"k{n}": "v" for n in range(17)}
    assert error_of(client.post(url, json={"metadata": metadata}), 400)["code"] == (
        "object_above_max_properties"
    )
    assert error_of(client.post(url, json={}), 400)["param"] == "metadata"
    missing_role = {
        "items": [{"type": "message", "content": [{"type": "input_text", "text": "x"}]}]
    }
    assert error_of(client.post("/v1/conversations", json=missing_role), 400)["param"].startswith(
        "items[0]"
    )
    assert error_of(
        client.post("/v1/conversations/conv_nope/items", json={"items": [user("x")]}), 404
    )
    assert error_of(client.get("/v1/conversations"), 404)["message"] == (
        "Invalid URL (GET /v1/conversations)"
    )


def test_a_response_in_a_conversation(client: TestClient) -> None:
    system = {**user("You are a helpful assistant."), "role": "system"}
    conversation = new_conversation(client, items=[system])
    first = ok(
        client.post(
            "/v1/responses",
            json={"model": "gpt-4o-mini", "input": "Remember: my project is called Atlas.",
                  "conversation": conversation["id"]},
        )
    )  # fmt: skip
    # Echoed where the real API puts it; the response shares the conversation's shard.
    keys = list(first)
    assert keys.index("conversation") == keys.index("completed_at") + 1
    assert first["conversation"] == {"id": conversation["id"]}
    assert first["id"][5:21] == conversation["id"][-16:]
    second = ok(
        client.post(
            "/v1/responses",
            json={"model": "gpt-4o-mini", "input": "What did I name the project?",
                  "conversation": {"id": conversation["id"]}},
        )
    )  # fmt: skip
    alone = ok(
        client.post(
            "/v1/responses", json={"model": "gpt-4o-mini", "input": "What did I name the project?"}
        )
    )
    # The first exchange was the second response's context.
    assert (
        second["usage"]["input_tokens"]
        > alone["usage"]["input_tokens"] + (first["usage"]["output_tokens"])
    )
    items = ok(client.get(f"/v1/conversations/{conversation['id']}/items", params={"order": "asc"}))
    roles = [(i["role"], i["content"][0]["text"][:12]) for i in items["data"]]
    assert roles == [
        ("system", "You are a he"),
        ("user", "Remember: my"),
        ("assistant", first["output"][0]["content"][0]["text"][:12]),
        ("user", "What did I n"),
        ("assistant", second["output"][0]["content"][0]["text"][:12]),
    ]
    assert items["data"][2] == first["output"][0]
    assert all(RESP_ITEM_ID.match(i["id"]) for i in items["data"][1:])


def test_streamed_responses_echo_the_conversation_in_every_snapshot(client: TestClient) -> None:
    conversation = new_conversation(client)
    reply = client.post(
        "/v1/responses",
        json={
            "model": "gpt-4o-mini",
            "input": "Hi",
            "stream": True,
            "conversation": conversation["id"],
        },
    )
    events = [json.loads(line[6:]) for line in reply.text.splitlines() if line.startswith("data: ")]
    snapshots = [e["response"] for e in events if "response" in e]
    assert snapshots and all(s["conversation"] == {"id": conversation["id"]} for s in snapshots)
    listed = ok(client.get(f"/v1/conversations/{conversation['id']}/items"))
    assert len(listed["data"]) == 2


def test_conversation_errors_on_create(client: TestClient) -> None:
    previous = ok(client.post("/v1/responses", json={"model": "gpt-4o-mini", "input": "Hi"}))
    conflict = client.post(
        "/v1/responses",
        json={"model": "gpt-4o-mini", "input": "Hi", "conversation": "conv_nonexistent123",
              "previous_response_id": previous["id"]},
    )  # fmt: skip
    assert error_of(conflict, 400) == {
        "message": "Mutually exclusive parameters: ''. Ensure you are only providing one of: "
        "'pre..._id' or 'conversation'.",
        "type": "invalid_request_error",
        "param": None,
        "code": "mutually_exclusive_parameters",
    }
    unknown = client.post(
        "/v1/responses",
        json={"model": "gpt-4o-mini", "input": "Hi", "conversation": "conv_nonexistent123"},
    )
    assert error_of(unknown, 404)["message"] == (
        "Conversation with id 'conv_nonexistent123' not found."
    )
    empty = new_conversation(client)
    no_input = client.post(
        "/v1/responses", json={"model": "gpt-4o-mini", "conversation": empty["id"]}
    )
    # `conversation` counts as a source of context, so `input` may be left out.
    assert ok(no_input)["conversation"] == {"id": empty["id"]}


def test_seeded_conversations(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(
        json.dumps(
            {
                "conversations": [
                    {
                        "id": "conv_demo",
                        "object": "conversation",
                        "created_at": 1_700_000_000,
                        "metadata": {"topic": "demo"},
                        "items": [
                            {"role": "user", "content": "My project is Atlas."},
                            {"id": "msg_readable", "type": "message", "role": "assistant",
                             "content": [{"type": "output_text", "text": "Noted.",
                                          "annotations": []}]},
                        ],
                    }
                ]
            }
        )
    )  # fmt: skip
    for client in make_client(id_seed=3, seed_file=seed):
        assert ok(client.get("/v1/conversations/conv_demo")) == {
            "id": "conv_demo",
            "object": "conversation",
            "created_at": 1_700_000_000,
            "metadata": {"topic": "demo"},
        }
        items = ok(client.get("/v1/conversations/conv_demo/items", params={"order": "asc"}))["data"]
        assert items[1]["id"] == "msg_readable" and items[0]["id"].startswith("msg_")
        answer = ok(
            client.post(
                "/v1/responses",
                json={"model": "gpt-4o-mini", "input": "Name?", "conversation": "conv_demo"},
            )
        )
        assert answer["conversation"] == {"id": "conv_demo"}


def test_input_tokens_count_the_conversation(client: TestClient) -> None:
    conversation = new_conversation(client, items=[user("My project is called Atlas.")])
    body = {"model": "gpt-4o-mini", "input": "Name?", "conversation": conversation["id"]}
    counted = ok(client.post("/v1/responses/input_tokens", json=body))
    answered = ok(client.post("/v1/responses", json=body))
    assert counted["input_tokens"] == answered["usage"]["input_tokens"]
    unknown = client.post("/v1/responses/input_tokens", json={**body, "conversation": "conv_x"})
    assert error_of(unknown, 404)["message"] == "Conversation with id 'conv_x' not found."


def _turn(client: TestClient, conversation: str, text: str) -> dict[str, Any]:
    body = {**HELLO, "input": text, "conversation": conversation}
    return ok(client.post("/v1/responses", json=body))


@pytest.mark.parametrize("backend", ["memory", "sqlite", "redis"])
def test_a_long_conversation_pages_and_counts_whole_in_every_store(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Turns read only a conversation's last items and append their own: paging its items, and
    the usage of a turn (which counts every item before it), still see all of them."""
    if backend == "memory":
        url = "memory://"
    elif backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'state.db'}"
    else:
        url = f"{request.getfixturevalue('redis_url')}?prefix=pages{tmp_path.name[-12:]}"
    for client in make_client(store_url=url):
        conversation = new_conversation(client, items=[user("opening")])["id"]
        replies = [_turn(client, conversation, f"Turn {n}") for n in range(12)]
        items_url = f"/v1/conversations/{conversation}/items"
        ok(client.post(items_url, json={"items": [user("aside")]}))
        everything = ok(client.get(items_url, params={"order": "asc", "limit": 100}))["data"]
        assert len(everything) == 1 + 12 * 2 + 1
        dropped = everything[5]["id"]
        ok(client.delete(f"{items_url}/{dropped}"))
        expected = [item for item in everything if item["id"] != dropped]
        for order, want in (("asc", expected), ("desc", expected[::-1])):
            seen: list[dict[str, Any]] = []
            params: dict[str, Any] = {"order": order, "limit": 7}
            while True:
                page = ok(client.get(items_url, params=params))
                seen.extend(page["data"])
                if not page["has_more"]:
                    break
                params["after"] = page["last_id"]
            assert seen == want
        # Usage counts the whole conversation, before the change and after (recounted).
        assert replies[-1]["usage"]["input_tokens"] == count_context_tokens(everything[:24])
        last = _turn(client, conversation, "And?")
        listed = ok(client.get(items_url, params={"order": "asc", "limit": 100}))["data"]
        assert listed[: len(expected)] == expected
        assert last["usage"]["input_tokens"] == count_context_tokens(listed[: len(expected) + 1])
        client.app.state.mock.store.clear()  # type: ignore[attr-defined]
