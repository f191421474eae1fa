"""``responses.input_items.list``: order, pages, cursors, SDK auto-pagination, limits."""

from __future__ import annotations

from typing import Any

import openai
import pytest

TEXTS = [f"Message number {n}. Just acknowledge it." for n in range(1, 6)]


@pytest.fixture
def response_id(client: openai.OpenAI, model: str) -> str:
    created = client.responses.create(
        model=model, input=[{"role": "user", "content": text} for text in TEXTS]
    )
    return created.id


def texts_of(items: list[Any]) -> list[str]:
    out = []
    for item in items:
        assert item.type == "message"
        assert item.role == "user"
        assert item.id.startswith("msg_")
        out.append("".join(part.text for part in item.content))
    return out


def test_default_order_is_newest_first(client: openai.OpenAI, response_id: str) -> None:
    page = client.responses.input_items.list(response_id)
    assert page.object == "list"
    assert texts_of(page.data) == TEXTS[::-1]
    assert page.first_id == page.data[0].id
    assert page.last_id == page.data[-1].id
    assert page.has_more is False


def test_ascending_order(client: openai.OpenAI, response_id: str) -> None:
    page = client.responses.input_items.list(response_id, order="asc")
    assert texts_of(page.data) == TEXTS
    assert page.has_more is False


def test_limit_and_after_cursor(client: openai.OpenAI, response_id: str) -> None:
    all_ids = [item.id for item in client.responses.input_items.list(response_id).data]
    seen: list[str] = []
    after: str | None = None
    pages = 0
    while True:
        page = (
            client.responses.input_items.list(response_id, limit=2, after=after)
            if after
            else client.responses.input_items.list(response_id, limit=2)
        )
        pages += 1
        assert len(page.data) == min(2, len(all_ids) - len(seen))
        assert page.first_id == page.data[0].id
        assert page.last_id == page.data[-1].id
        seen += [item.id for item in page.data]
        assert page.has_more is (len(seen) < len(all_ids))
        if not page.has_more:
            break
        after = page.last_id
    assert seen == all_ids
    assert pages == 3


def test_sdk_auto_pagination(client: openai.OpenAI, response_id: str) -> None:
    items = list(client.responses.input_items.list(response_id, limit=2))
    assert texts_of(items) == TEXTS[::-1]


async def test_async_auto_pagination(async_client: openai.AsyncOpenAI, response_id: str) -> None:
    items = [item async for item in async_client.responses.input_items.list(response_id, limit=2)]
    assert texts_of(items) == TEXTS[::-1]


@pytest.mark.parametrize("limit", [0, 101])
def test_limit_out_of_range(client: openai.OpenAI, response_id: str, limit: int) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.input_items.list(response_id, limit=limit)
    body: Any = caught.value.body
    assert caught.value.status_code == 400
    assert body["type"] == "invalid_request_error"
    assert body["param"] == "limit"
    assert caught.value.request_id and caught.value.request_id.startswith("req_")


def test_unknown_response_is_not_found(client: openai.OpenAI) -> None:
    missing = "resp_" + "0" * 50
    with pytest.raises(openai.NotFoundError) as caught:
        client.responses.input_items.list(missing)
    # The message is known for retrieve; for input_items only the status is certain.
    assert caught.value.status_code == 404
    assert caught.value.request_id and caught.value.request_id.startswith("req_")
