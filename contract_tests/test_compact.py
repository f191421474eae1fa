"""``POST /v1/responses/compact`` and passing a compacted window back as input."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from contract_tests.helpers import assert_api_error

# Long assistant turns: compaction keeps user messages verbatim, so they are what shrinks.
FILLER = " ".join(["alpha", "beta", "gamma", "delta", "epsilon"] * 300)
HISTORY: list[Any] = [
    {"role": "user", "content": "Remember: the code word is TEAL. Then write a long text."},
    {"role": "assistant", "content": f"[long text] {FILLER}"},
    {"role": "user", "content": "Thanks. Keep it in mind."},
]
QUESTION: Any = {"role": "user", "content": "What is the code word? Answer in one word."}


def as_input(items: Any) -> list[Any]:
    # The SDK types the kept user messages as assistant output: do not warn about it.
    return [item.model_dump(exclude_none=True, warnings=False) for item in items]


def test_compaction_keeps_user_messages_and_adds_one_opaque_item(
    client: openai.OpenAI, model: str
) -> None:
    compacted = client.responses.compact(model=model, input=HISTORY)
    assert compacted.object == "response.compaction" and compacted.id.startswith("resp_")
    *kept, item = compacted.output
    assert [m.content[0].text for m in kept] == [  # type: ignore[union-attr]
        HISTORY[0]["content"],
        HISTORY[2]["content"],
    ]
    assert all(m.type == "message" and m.role == "user" for m in kept)  # type: ignore[union-attr]
    assert all(m.id.startswith("msg_") for m in kept)  # type: ignore[union-attr]
    assert item.type == "compaction" and item.id.startswith("cmp_")
    assert item.encrypted_content  # type: ignore[union-attr]
    assert compacted.usage.input_tokens > 0 and compacted.usage.output_tokens > 0
    assert compacted.usage.total_tokens == (
        compacted.usage.input_tokens + compacted.usage.output_tokens
    )


def test_the_compacted_window_works_as_input_and_costs_less(
    client: openai.OpenAI, model: str
) -> None:
    compacted = client.responses.compact(model=model, input=HISTORY)
    full = client.responses.create(model=model, input=[*HISTORY, QUESTION], max_output_tokens=64)
    smaller = client.responses.create(
        model=model, input=[*as_input(compacted.output), QUESTION], max_output_tokens=64
    )
    assert smaller.status in ("completed", "incomplete")
    assert full.usage is not None and smaller.usage is not None
    assert smaller.usage.input_tokens < full.usage.input_tokens
    following = client.responses.create(
        model=model, input="Say it again.", previous_response_id=smaller.id, max_output_tokens=64
    )
    assert following.status in ("completed", "incomplete")


def test_compaction_from_a_previous_response(client: openai.OpenAI, model: str) -> None:
    first = client.responses.create(model=model, input="Remember: the code word is TEAL.")
    compacted = client.responses.compact(model=model, previous_response_id=first.id)
    assert compacted.output[-1].type == "compaction"
    assert compacted.output[0].content[0].text == "Remember: the code word is TEAL."  # type: ignore[union-attr]


def test_content_the_api_did_not_produce_is_refused(client: openai.OpenAI, model: str) -> None:
    compacted = client.responses.compact(model=model, input=HISTORY)
    item = compacted.output[-1].model_dump(exclude_none=True)
    token = item["encrypted_content"]
    item["encrypted_content"] = token[:-8] + ("A" if token[-8] != "A" else "B") + token[-7:]
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(model=model, input=[item, QUESTION], max_output_tokens=16)
    assert_api_error(
        caught.value,
        status=400,
        code="invalid_encrypted_content",
        message=f"The encrypted content for item {item['id']} could not be verified. Reason: "
        "Encrypted content could not be decrypted or parsed.",
    )


def test_unknown_parameters_are_refused(client: openai.OpenAI, model: str) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.compact(model=model, input="Hi", extra_body={"stream": True})
    assert_api_error(
        caught.value, status=400, param="stream", code="unknown_parameter",
        message="Unknown parameter: 'stream'.",
    )  # fmt: skip
