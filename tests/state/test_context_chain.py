"""Chains and conversations kept incrementally: a continued response stores only its own items,
yet every reader still sees the whole chain, and usage and answers are what the whole chain
gives."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from app_client import make_client
from starlette.testclient import TestClient
from store_backends import BACKENDS, ListingRefused, opened, store_url

from mockserver import ManualClock, ServerConfig, create_app
from mockserver.model.context import TalliedContext, tally_of
from mockserver.model.tokens import count_context_tokens
from mockserver.state.context_chain import (
    CONVERSATION_TAIL,
    chain_context,
    check_continuation,
    conversation_context,
    own_items,
    stored_context,
)
from mockserver.state.mock_state import MockState
from mockserver.state.store import Store

MODEL = "gpt-4o-mini"


@pytest.fixture
def client() -> Iterator[TestClient]:
    yield from make_client()


def state_of(client: TestClient) -> MockState:
    return client.app.state.mock  # type: ignore[attr-defined]


def create(client: TestClient, **body: Any) -> dict[str, Any]:
    reply = client.post("/v1/responses", json={"model": MODEL, **body})
    assert reply.status_code == 200, reply.text
    return reply.json()


def chain_of(client: TestClient, turns: int) -> list[dict[str, Any]]:
    made: list[dict[str, Any]] = []
    for turn in range(turns):
        previous = {"previous_response_id": made[-1]["id"]} if made else {}
        made.append(create(client, input=f"Turn {turn}", **previous))
    return made


def naive_context(client: TestClient, made: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The chain as the input items and outputs of every response, in order."""
    items: list[dict[str, Any]] = []
    for response in made:
        page = client.get(f"/v1/responses/{response['id']}/input_items?order=asc").json()
        items += [*page["data"], *response["output"]]
    return items


def test_a_continued_response_stores_its_own_items_and_the_chain_stays_whole(
    client: TestClient,
) -> None:
    made = chain_of(client, 5)
    store = state_of(client).store
    last = store.get_response(made[-1]["id"])
    assert last is not None
    assert last.context_base == made[-2]["id"]
    # Its input message and its answer, not the history again; and those are not even stored
    # twice: they are its input items and its output.
    assert last.context == [] and last.context_derived
    assert [i["id"] for i in own_items(last)] == [
        *(i["id"] for i in last.input_items),
        *(i["id"] for i in last.response["output"]),
    ]
    whole = naive_context(client, made)
    assert _same_items(stored_context(store, last), whole)
    tallied = chain_context(store, last, 0.0)
    assert isinstance(tallied, TalliedContext) and len(tallied) == len(whole)
    assert tallied.tally == tally_of(whole)


def test_usage_counts_the_whole_chain(client: TestClient) -> None:
    made = chain_of(client, 4)
    whole = naive_context(client, made[:-1])
    page = client.get(f"/v1/responses/{made[-1]['id']}/input_items").json()["data"]
    expected = count_context_tokens([*whole, *page])
    assert made[-1]["usage"]["input_tokens"] == expected


def test_deleting_a_response_in_the_middle_keeps_later_chains_whole(client: TestClient) -> None:
    made = chain_of(client, 4)
    whole = naive_context(client, made)
    assert client.delete(f"/v1/responses/{made[1]['id']}").status_code == 200
    store = state_of(client).store
    last = store.get_response(made[-1]["id"])
    assert last is not None
    assert _same_items(stored_context(store, last), whole)
    after = create(client, input="Still there?", previous_response_id=made[-1]["id"])
    assert after["usage"]["input_tokens"] > made[-1]["usage"]["input_tokens"]


def _context_of(store: Store, conversation_id: str) -> TalliedContext:
    tail = store.conversation_tail(conversation_id, CONVERSATION_TAIL)
    assert tail is not None
    return conversation_context(store, tail)


def test_a_conversation_keeps_its_tally_and_recounts_after_other_changes(
    client: TestClient,
) -> None:
    conversation = client.post("/v1/conversations", json={}).json()["id"]
    for turn in range(3):
        create(client, input=f"Turn {turn}", conversation=conversation)
    store = state_of(client).store
    stored = store.get_conversation(conversation)
    assert stored is not None and stored.tally is not None
    assert _context_of(store, conversation).tally == tally_of(stored.items)
    added = client.post(
        f"/v1/conversations/{conversation}/items",
        json={"items": [{"type": "message", "role": "user", "content": "aside"}]},
    )
    assert added.status_code == 200
    stored = store.get_conversation(conversation)
    # Appended by another writer (Store.append_items): the kept tally no longer covers every
    # item, so the next turn's context counts them all again.
    assert stored is not None and stored.tally is not None
    assert _context_of(store, conversation).tally == tally_of(stored.items)
    reply = create(client, input="And now?", conversation=conversation)
    items = client.get(f"/v1/conversations/{conversation}/items?order=asc&limit=100").json()
    before_turn = items["data"][: -1 - len(reply["output"])]
    assert reply["usage"]["input_tokens"] == count_context_tokens(
        [*before_turn, items["data"][-1 - len(reply["output"])]]
    )
    stored = store.get_conversation(conversation)
    assert stored is not None and stored.tally == tally_of(stored.items).to_json()


def test_tool_output_checks_read_the_whole_chain_only_when_needed(client: TestClient) -> None:
    tools = [{"type": "function", "name": "lookup", "parameters": {"type": "object"}}]
    first = create(client, input="use lookup", tools=tools, tool_choice="required", store=True)
    call = first["output"][-1]
    assert call["type"] == "function_call"
    output = {"type": "function_call_output", "call_id": call["call_id"], "output": "42"}
    second = create(client, input=[output], tools=tools, previous_response_id=first["id"])
    # The same output again answers a call that is already answered: accepted, as before.
    third = create(client, input=[output], tools=tools, previous_response_id=second["id"])
    assert third["status"] == "completed"
    stray = {"type": "function_call_output", "call_id": "call_nope", "output": "1"}
    reply = client.post(
        "/v1/responses",
        json={"model": MODEL, "input": [stray], "previous_response_id": third["id"]},
    )
    assert reply.status_code == 400
    assert reply.json()["error"]["message"] == (
        "No tool call found for function call output with call_id call_nope."
    )
    unanswered = client.post(
        "/v1/responses",
        json={"model": MODEL, "input": "go on", "previous_response_id": first["id"]},
    )
    assert unanswered.status_code == 400
    assert (
        f"No tool output found for function call {call['call_id']}."
        == (unanswered.json()["error"]["message"])
    )


def test_check_continuation_agrees_with_the_whole_check_on_json_mode() -> None:
    prior_items = [{"type": "message", "role": "user", "content": "Answer in JSON"}]
    prior = TalliedContext(prior_items[-1:], tally_of(prior_items))
    params = {"input": "go on", "text": {"format": {"type": "json_object"}}}
    check_continuation(params, prior)  # "json" is in the history: accepted
    plain = [{"type": "message", "role": "user", "content": "hello"}]
    with pytest.raises(Exception, match="must contain the word 'json'"):
        check_continuation(params, TalliedContext(plain, tally_of(plain)))


def _same_items(got: list[dict[str, Any]], expected: list[dict[str, Any]]) -> bool:
    return [i.get("id") for i in got] == [i.get("id") for i in expected]


def test_a_conversation_turn_stores_only_its_own_items(client: TestClient) -> None:
    conversation = client.post("/v1/conversations", json={}).json()["id"]
    made = [create(client, input=f"Turn {turn}", conversation=conversation) for turn in range(3)]
    store = state_of(client).store
    last = store.get_response(made[-1]["id"])
    assert last is not None and last.context_base == made[-2]["id"] and last.context_derived
    items = client.get(f"/v1/conversations/{conversation}/items?order=asc&limit=100").json()
    assert _same_items(stored_context(store, last), items["data"])
    # Continuing the conversation's last response by id sees the whole conversation.
    after = create(client, input="More?", previous_response_id=made[-1]["id"])
    assert after["usage"]["input_tokens"] > made[-1]["usage"]["input_tokens"]
    # Deleting that response: the conversation goes on, its next response stores it all again.
    assert client.delete(f"/v1/responses/{made[-1]['id']}").status_code == 200
    stored = store.get_conversation(conversation)
    assert stored is not None and stored.last_response is None
    again = create(client, input="Still?", conversation=conversation)
    kept = store.get_response(again["id"])
    assert kept is not None and kept.context_base is None
    items = client.get(f"/v1/conversations/{conversation}/items?order=asc&limit=100").json()
    assert _same_items(stored_context(store, kept), items["data"])


@pytest.fixture(params=BACKENDS)
def refusing_client(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestClient]:
    """A client over a store of each backend that fails the test if anything lists it whole."""
    for store in opened(store_url(request.param, tmp_path, request)):
        app = create_app(ServerConfig(self_check=True), store=store, clock=ManualClock())
        with TestClient(app, headers={"authorization": "Bearer sk-test"}) as client:
            yield client
        assert app.state.mock.take_failures() == []


def test_deleting_in_the_middle_of_a_chain_reads_only_what_continues_it(
    refusing_client: TestClient,
) -> None:
    client = refusing_client
    made = chain_of(client, 4)
    branch = create(client, input="A branch", previous_response_id=made[1]["id"])
    whole = naive_context(client, made)
    inputs = {r["id"]: client.get(f"/v1/responses/{r['id']}/input_items").json() for r in made}
    assert client.delete(f"/v1/responses/{made[1]['id']}").status_code == 200
    store = state_of(client).store
    assert isinstance(store, ListingRefused)
    for response in (made[2], branch):  # both continued it: both get its items
        kept = store.get_response(response["id"])
        assert kept is not None and kept.context_base == made[0]["id"]
    last = store.get_response(made[-1]["id"])
    assert last is not None and _same_items(stored_context(store, last), whole)
    for response in (made[0], *made[2:]):
        page = client.get(f"/v1/responses/{response['id']}/input_items").json()
        assert page == inputs[response["id"]]
    after = create(client, input="Still there?", previous_response_id=made[-1]["id"])
    assert after["usage"]["input_tokens"] > made[-1]["usage"]["input_tokens"]


def test_deleting_a_conversation_turn_unanchors_only_its_conversation(
    refusing_client: TestClient,
) -> None:
    client = refusing_client
    conversation = client.post("/v1/conversations", json={}).json()["id"]
    made = [create(client, input=f"Turn {turn}", conversation=conversation) for turn in range(2)]
    store = state_of(client).store
    stored = store.get_conversation(conversation)
    assert stored is not None
    if stored.last_response is None:
        pytest.skip("this backend does not keep a conversation's last_response (not anchored)")
    assert stored.last_response == made[-1]["id"]
    assert client.delete(f"/v1/responses/{made[-1]['id']}").status_code == 200
    stored = store.get_conversation(conversation)
    assert stored is not None and stored.last_response is None
    again = create(client, input="Still?", conversation=conversation)
    items = client.get(f"/v1/conversations/{conversation}/items?order=asc&limit=100").json()
    kept = store.get_response(again["id"])
    assert kept is not None and _same_items(stored_context(store, kept), items["data"])
