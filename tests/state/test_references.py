"""Item references resolve through the store's item index, in every backend: a reference costs
O(the records holding the item), an unknown one reads no record, whatever the store holds, and a
reference to an item whose record is gone (deleted, expired) is the real 404."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from store_backends import BACKENDS, ListingRefused, opened, store_url

from mockserver import ManualClock, ServerConfig, create_app
from mockserver.state.store import Retention, StoredConversation, StoredResponse

AUTH = {"authorization": "Bearer sk-test"}
MODEL = "gpt-4o-mini"
STORED = 2000  # responses, besides conversations: "thousands", as in the issue


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return store_url(request.param, tmp_path, request)


@pytest.fixture
def store(url: str) -> Iterator[ListingRefused]:
    yield from opened(url)


def client_of(store: Any) -> Iterator[TestClient]:
    app = create_app(ServerConfig(self_check=True, id_seed=5), store=store, clock=ManualClock())
    with TestClient(app, headers=AUTH) as client:
        yield client
    assert app.state.mock.take_failures() == []


@pytest.fixture
def client(store: ListingRefused) -> Iterator[TestClient]:
    yield from client_of(store)


def create(client: TestClient, status: int = 200, **body: Any) -> dict[str, Any]:
    reply = client.post("/v1/responses", json={"model": MODEL, **body})
    assert reply.status_code == status, reply.text
    return json.loads(reply.content)


def not_found(item_id: str) -> dict[str, Any]:
    message = f"Item with id '{item_id}' not found."
    return {"message": message, "type": "invalid_request_error", "param": "input", "code": None}


def fill(
    store: ListingRefused, template: StoredResponse, responses: int, conversations: int
) -> None:
    """``responses`` copies of ``template`` under fresh response and item ids (``_n`` added),
    and conversations holding copies of its items likewise."""

    def renamed(item: dict[str, Any], n: int) -> dict[str, Any]:
        return {**item, "id": f"{item['id']}_{n}"}

    for n in range(responses):
        body = {**template.response, "id": f"resp_fill_{n}"}
        body["output"] = [renamed(item, n) for item in template.response["output"]]
        inputs = [renamed(item, n) for item in template.input_items]
        store.put_response(StoredResponse(body, inputs, context_derived=True))
    for n in range(conversations):
        head = {"id": f"conv_fill_{n}", "object": "conversation", "created_at": 1, "metadata": {}}
        items = [renamed(item, n) for item in template.input_items]
        store.put_conversation(
            StoredConversation(head, [{**i, "id": f"c{i['id']}"} for i in items])
        )


def test_a_reference_reads_only_the_records_holding_it(
    store: ListingRefused, client: TestClient
) -> None:
    first = create(client, input="What is the capital of France?")
    template = store.get_response(first["id"])
    assert template is not None
    fill(store, template, STORED, STORED // 4)
    [answer] = first["output"]
    for unknown in ({"type": "item_reference", "id": "msg_nowhere"}, {"id": "msg_nowhere"}):
        reply = client.post("/v1/responses", json={"model": MODEL, "input": [unknown]})
        assert reply.status_code == 404
        assert json.loads(reply.content)["error"] == not_found("msg_nowhere")
    # An output item of one of the thousands, an input item of another, one only a conversation
    # holds: each resolves to the stored item.
    question = template.input_items[0]
    follow_up = [
        {"type": "item_reference", "id": f"{question['id']}_1234"},
        {"type": "item_reference", "id": f"{answer['id']}_1717"},
        {"id": f"c{question['id']}_321"},
        {"role": "user", "content": "And of Italy?"},
    ]
    second = create(client, input=follow_up)
    items = client.get(f"/v1/responses/{second['id']}/input_items", params={"order": "asc"})
    resolved = json.loads(items.content)["data"]
    assert [i["id"] for i in resolved[:3]] == [
        f"{question['id']}_1234", f"{answer['id']}_1717", f"c{question['id']}_321"
    ]  # fmt: skip
    assert resolved[1]["content"] == answer["content"]


def test_the_memory_store_decodes_no_record_for_an_unknown_reference(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mockserver.state.store import memory

    decoded: list[int] = []
    original = memory.decode_response
    monkeypatch.setattr(memory, "decode_response", lambda b: decoded.append(1) or original(b))
    for found in opened("memory://"):
        for client in client_of(found):
            first = create(client, input="hello")
            template = found.get_response(first["id"])
            assert template is not None
            fill(found, template, STORED, 0)
            decoded.clear()
            create(client, 404, input=[{"type": "item_reference", "id": "msg_nowhere"}])
            assert decoded == []
            create(
                client, input=[{"type": "item_reference", "id": f"{first['output'][0]['id']}_7"}]
            )
            assert len(decoded) == 1  # the one response holding it


def test_a_reference_to_an_item_of_a_deleted_response_is_a_404(client: TestClient) -> None:
    first = create(client, input="Hello")
    answer = first["output"][0]["id"]
    # Resolved; not stored, so no other response holds the item (a stored one would: its input
    # items hold what its references named).
    create(client, input=[{"type": "item_reference", "id": answer}], store=False)
    assert client.delete(f"/v1/responses/{first['id']}").status_code == 200
    error = create(client, 404, input=[{"type": "item_reference", "id": answer}])
    assert error["error"] == not_found(answer)


def test_a_reference_to_an_item_of_an_expired_response_is_a_404(url: str) -> None:
    for store in opened(url, Retention(response_seconds=0.5)):
        for client in client_of(store):
            first = create(client, input="Hello")
            answer = first["output"][0]["id"]
            create(client, input=[{"type": "item_reference", "id": answer}], store=False)
            time.sleep(1.0)
            error = create(client, 404, input=[{"type": "item_reference", "id": answer}])
            assert error["error"] == not_found(answer)
