"""``/v1/conversations`` and responses that live in a conversation."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import openai
import pytest

from contract_tests.helpers import assert_api_error

REMEMBER = "Remember: my project is called Atlas."
QUESTION = "What did I name the project?"
MUTUALLY_EXCLUSIVE = (
    "Mutually exclusive parameters: ''. Ensure you are only providing one of: 'pre..._id' or "
    "'conversation'."
)


def user(text: str) -> Any:
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


def texts(items: Any) -> list[str]:
    return [item.content[0].text for item in items]


@pytest.fixture
def conversation(client: openai.OpenAI) -> Iterator[Any]:
    created = client.conversations.create(metadata={"topic": "test"}, items=[user("first item")])
    yield created
    with contextlib.suppress(openai.NotFoundError):
        client.conversations.delete(created.id)


def test_create_retrieve_update_delete(client: openai.OpenAI) -> None:
    created = client.conversations.create(
        metadata={"topic": "test"}, items=[user("tell me a joke")]
    )
    assert created.object == "conversation" and created.id.startswith("conv_")
    assert created.metadata == {"topic": "test"} and created.created_at > 0
    assert client.conversations.retrieve(created.id) == created
    updated = client.conversations.update(
        created.id, metadata={"topic": "updated-test", "purpose": "conversation-test"}
    )
    assert updated.id == created.id
    assert updated.metadata == {"topic": "updated-test", "purpose": "conversation-test"}
    deleted = client.conversations.delete(created.id)
    assert (deleted.id, deleted.object, deleted.deleted) == (
        created.id,
        "conversation.deleted",
        True,
    )
    for call in (client.conversations.retrieve, client.conversations.delete):
        with pytest.raises(openai.NotFoundError) as caught:
            call(created.id)
        assert_api_error(
            caught.value, status=404, message=f"Conversation with id '{created.id}' not found."
        )


def test_items_add_list_retrieve_delete(client: openai.OpenAI, conversation: Any) -> None:
    added = client.conversations.items.create(
        conversation.id, items=[user("second item"), user("third item")]
    )
    assert added.object == "list" and added.has_more is False
    assert texts(added.data) == ["second item", "third item"]
    assert (added.first_id, added.last_id) == (added.data[0].id, added.data[-1].id)
    assert all(item.id.startswith("msg_") for item in added.data)
    newest_first = client.conversations.items.list(conversation.id)
    assert texts(newest_first.data) == ["third item", "second item", "first item"]
    page = client.conversations.items.list(conversation.id, order="asc", limit=2)
    assert texts(page.data) == ["first item", "second item"] and page.has_more is True
    rest = client.conversations.items.list(conversation.id, order="asc", after=page.last_id)
    assert texts(rest.data) == ["third item"] and rest.has_more is False
    everything = list(client.conversations.items.list(conversation.id, order="asc", limit=1))
    assert texts(everything) == ["first item", "second item", "third item"]
    second = added.data[0]
    fetched = client.conversations.items.retrieve(
        second.id, conversation_id=conversation.id, include=["message.input_image.image_url"]
    )
    assert fetched == second
    after_delete = client.conversations.items.delete(second.id, conversation_id=conversation.id)
    assert after_delete.id == conversation.id and after_delete.object == "conversation"
    assert texts(client.conversations.items.list(conversation.id, order="asc").data) == [
        "first item",
        "third item",
    ]
    with pytest.raises(openai.NotFoundError) as caught:
        client.conversations.items.retrieve(second.id, conversation_id=conversation.id)
    assert_api_error(
        caught.value, status=404, message=f"Item with id '{second.id}' not found in conversation."
    )


def test_bad_requests(client: openai.OpenAI, conversation: Any) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.conversations.items.list(conversation.id, limit=1000)
    assert_api_error(
        caught.value,
        status=400,
        param="limit",
        code="integer_above_max_value",
        message="Invalid 'limit': integer above maximum value. Expected a value <= 100, but got "
        "1000 instead.",
    )
    with pytest.raises(openai.BadRequestError) as caught:
        client.conversations.create(items=[user(str(n)) for n in range(21)])
    assert_api_error(caught.value, status=400, param="items", code="array_above_max_length")
    with pytest.raises(openai.BadRequestError) as caught:
        client.conversations.update(conversation.id, metadata={f"k{n}": "v" for n in range(17)})
    assert_api_error(
        caught.value,
        status=400,
        param="metadata",
        code="object_above_max_properties",
        message="Invalid 'metadata': too many properties. Expected an object with at most 16 "
        "properties, but got an object with 17 properties instead.",
    )
    with pytest.raises(openai.NotFoundError) as caught:
        client.conversations.items.create("conv_nonexistent123", items=[user("x")])
    assert_api_error(
        caught.value, status=404, message="Conversation with id 'conv_nonexistent123' not found."
    )


def test_a_conversation_remembers_earlier_turns(
    client: openai.OpenAI, model: str, on_mock: bool
) -> None:
    conversation = client.conversations.create()
    first = client.responses.create(model=model, input=REMEMBER, conversation=conversation.id)
    second = client.responses.create(
        model=model, input=QUESTION, conversation={"id": conversation.id}
    )
    assert first.conversation is not None and first.conversation.id == conversation.id
    assert second.conversation is not None and second.conversation.id == conversation.id
    assert first.usage is not None and second.usage is not None
    # The first exchange (question and answer) is billed again as the second one's context.
    assert second.usage.input_tokens > first.usage.input_tokens + first.usage.output_tokens
    items = client.conversations.items.list(conversation.id, order="asc").data
    assert [(item.type, item.role) for item in items] == [  # type: ignore[union-attr]
        ("message", "user"),
        ("message", "assistant"),
        ("message", "user"),
        ("message", "assistant"),
    ]
    assert items[0].content[0].text == REMEMBER  # type: ignore[union-attr]
    assert items[1].id == first.output[0].id and items[3].id == second.output[0].id
    if not on_mock:
        assert "Atlas" in second.output_text
    client.conversations.delete(conversation.id)


async def test_async_conversation_flow(async_client: openai.AsyncOpenAI, model: str) -> None:
    conversation = await async_client.conversations.create(items=[user(REMEMBER)])
    answer = await async_client.responses.create(
        model=model, input=QUESTION, conversation=conversation.id
    )
    assert answer.status == "completed"
    listed = await async_client.conversations.items.list(conversation.id, order="asc")
    assert [item.type for item in listed.data] == ["message"] * 3
    await async_client.conversations.delete(conversation.id)


def test_conversation_and_previous_response_id_exclude_each_other(
    client: openai.OpenAI, model: str, conversation: Any
) -> None:
    previous = client.responses.create(model=model, input="Hi")
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(
            model=model, input="Hi", conversation=conversation.id, previous_response_id=previous.id
        )
    assert_api_error(
        caught.value, status=400, code="mutually_exclusive_parameters", message=MUTUALLY_EXCLUSIVE
    )


def test_an_unknown_conversation(client: openai.OpenAI, model: str) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        client.responses.create(model=model, input="Hi", conversation="conv_nonexistent123")
    assert_api_error(
        caught.value, status=404, message="Conversation with id 'conv_nonexistent123' not found."
    )
