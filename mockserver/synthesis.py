"""What the "model" answers: a deterministic function of the request.

The answer text depends only on the model name, the instructions and the text of the whole
context (previous turns included), hashed with SHA-256: the same request gives the same answer in
every run and process. Its shape::

    Mock reply to "<the last user message, first 60 characters>". <2 to 4 filler sentences>

The filler sentences are drawn from a fixed list with a generator seeded by the hash, so answers
vary in length (about 30 to 70 tokens) like real ones do.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from .models import Model
from .tokens import count_text_tokens, item_text, truncate_to_tokens

SNIPPET_CHARS = 60

SENTENCES: tuple[str, ...] = (
    "This answer comes from an offline mock of the Responses API.",
    "It is deterministic, so the same request always gets the same reply.",
    "No model was called and no tokens were billed.",
    "Point your client at the real API to get a real answer.",
    "Streaming, storage and chaining behave as they do on the real service.",
    "Token counts are approximations made without the real tokenizer.",
    "You can script exact answers with stubs when a test needs them.",
    "Every field follows the shapes the official SDK expects.",
)


def context_digest(model: str, instructions: str | None, context: Sequence[Any]) -> str:
    texts = [item_text(item) for item in context]
    payload = orjson.dumps([model, instructions or "", texts])
    return hashlib.sha256(payload).hexdigest()


def last_user_text(context: Sequence[Any]) -> str:
    for item in reversed(context):
        if isinstance(item, dict) and item.get("type", "message") == "message":
            if item.get("role", "user") == "user":
                return item_text(item)
        elif isinstance(item, str):
            return item
    return ""


def answer_text(model: str, instructions: str | None, context: Sequence[dict[str, Any]]) -> str:
    digest = context_digest(model, instructions, context)
    rng = random.Random(int(digest[:16], 16))
    last = context[-1] if context else None
    if isinstance(last, dict) and last.get("type") == "function_call_output":
        output = " ".join(str(last.get("output", "")).split())
        opening = f'Mock reply using the tool result "{output[:SNIPPET_CHARS]}".'
    else:
        snippet = " ".join(last_user_text(context).split())[:SNIPPET_CHARS]
        opening = f'Mock reply to "{snippet}".' if snippet else "Mock reply."
    filler = rng.sample(SENTENCES, rng.randint(2, 4))
    return " ".join([opening, *filler])


@dataclass
class Answer:
    """What the model produced: finished output items, what they cost, and why it stopped early."""

    items: list[dict[str, Any]]
    output_tokens: int
    incomplete_reason: str | None = None


def message_item(item_id: str, text: str, status: str = "completed") -> dict[str, Any]:
    return {
        "id": item_id,
        "type": "message",
        "status": status,
        "content": [{"type": "output_text", "annotations": [], "logprobs": [], "text": text}],
        "role": "assistant",
    }


def synthesize(
    params: dict[str, Any],
    model: Model,
    context: Sequence[dict[str, Any]],
    new_item_id: Callable[[str], str],
) -> Answer:
    """The default answer to a request: one assistant message, cut at ``max_output_tokens``."""
    text = answer_text(model.requested, params.get("instructions"), context)
    tokens = count_text_tokens(text)
    limit = params.get("max_output_tokens")
    if limit is not None and tokens > limit:
        text = truncate_to_tokens(text, limit)
        item = message_item(new_item_id("msg"), text, "incomplete")
        return Answer([item], count_text_tokens(text), "max_output_tokens")
    return Answer([message_item(new_item_id("msg"), text)], tokens)
