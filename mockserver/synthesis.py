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
from collections.abc import Sequence
from typing import Any

import orjson

from .tokens import item_text

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
