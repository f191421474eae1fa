"""What the "model" answers: a deterministic function of the request (and of its directives).

``synthesize`` picks the kind of answer, in this order:

1. a refusal (``x-mockserver-refusal``): one message with a ``refusal`` content part;
2. tool calls, when ``decision.function_tools`` says so (the table is there): ``function_call``
   items whose ``arguments`` are JSON valid for the tool's ``parameters``, filled from the last
   user message where they can be (``function_calls.function_arguments``), or
   ``custom_tool_call`` items;
3. by ``text.format``: ``json_schema`` -> JSON valid for the schema (``structured``),
   ``json_object`` -> JSON valid for the schema or example object the instructions or input
   show (``structured/prompted.py``), else ``{"reply": <prose>}``; ``text`` -> prose (below).

Prose depends only on the model name, the instructions and the text of the whole context
(previous turns included), hashed with SHA-256: the same request gives the same answer in every
run and process. Its shape::

    Mock reply to "<the last user message, first 60 characters>". <2 to 4 filler sentences>

or, after tool outputs, ``Mock reply using the tool results "<output>"; "<output>".``. The filler
sentences are drawn from a fixed list with a generator seeded by the hash, so answers vary in
length (about 30 to 70 tokens) like real ones do. JSON answers are seeded by the same hash; in
edge mode by the client's seed mixed with it. Every answer is cut at ``max_output_tokens``
(the response is then ``incomplete``, and cut JSON is invalid, as on the real API).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from mockserver.contract.inputs import last_user_text
from mockserver.contract.models import Model
from mockserver.contract.text_format import text_format
from mockserver.contract.tool_rules import parameters_of
from mockserver.model.context import rolled_digest
from mockserver.model.function_calls import (
    call_item,
    function_arguments,
    tool_outputs_text,
    tools_to_call,
)
from mockserver.model.structured import (
    derive_seed,
    dumps,
    json_answer,
    json_object_answer,
    text_answer,
)
from mockserver.model.structured.prompted import prompted_schema
from mockserver.model.tokens import count_text_tokens, truncate_to_tokens
from mockserver.scenarios.directives import Directives

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
    # The items' text enters through a rolling hash (`context.fold`), which a stored chain carries
    # forward, so a turn deep in a long session does not rehash its whole history.
    payload = orjson.dumps([model, instructions or "", rolled_digest(context)])
    return hashlib.sha256(payload).hexdigest()


def answer_text(
    model: str,
    instructions: str | None,
    context: Sequence[dict[str, Any]],
    digest: str | None = None,
) -> str:
    """The prose answer; ``digest`` is ``context_digest`` of the same arguments, when at hand."""
    digest = digest or context_digest(model, instructions, context)
    rng = random.Random(int(digest[:16], 16))
    outputs = tool_outputs_text(context)
    if outputs:
        quoted = "; ".join(f'"{" ".join(o.split())[:SNIPPET_CHARS]}"' for o in outputs)
        noun = "result" if len(outputs) == 1 else "results"
        opening = f"Mock reply using the tool {noun} {quoted}."
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


def refusal_item(item_id: str, refusal: str) -> dict[str, Any]:
    return {
        "id": item_id,
        "type": "message",
        "status": "completed",
        "content": [{"type": "refusal", "refusal": refusal}],
        "role": "assistant",
    }


@dataclass(frozen=True)
class _Seeds:
    """Where every JSON value of one answer comes from."""

    base: int
    edge: bool

    def for_part(self, index: int) -> int:
        return derive_seed(self.base, index)


def _seeds(digest: str, directives: Directives) -> _Seeds:
    if directives.edge_cases and directives.seed is not None:
        return _Seeds(derive_seed(directives.seed, digest), True)
    return _Seeds(int(digest[:8], 16), False)


def _tool_payload(tool: dict[str, Any], seeds: _Seeds, index: int, question: str) -> str:
    seed = seeds.for_part(index)
    if tool.get("type") == "function":
        schema = parameters_of(tool)
        return dumps(function_arguments(schema, question, seed=seed, edge=seeds.edge))
    fmt = tool.get("format") or {}
    pattern = fmt.get("definition") if fmt.get("syntax") == "regex" else None
    fallback = f"Mock input for {tool.get('name')}."
    return text_answer(fallback, pattern=pattern, seed=seed, edge=seeds.edge)


def _tool_calls(
    tools: list[dict[str, Any]],
    question: str,
    seeds: _Seeds,
    limit: int | None,
    new_item_id: Callable[[str], str],
    new_call_id: Callable[[], str],
) -> Answer:
    items: list[dict[str, Any]] = []
    used = 0
    for index, tool in enumerate(tools):
        payload = _tool_payload(tool, seeds, index, question)
        cost = count_text_tokens(payload)
        if limit is not None and used + cost > limit:
            payload = truncate_to_tokens(payload, limit - used)
            item = call_item(tool, payload, new_item_id, new_call_id)
            if item["type"] == "function_call":
                item["status"] = "incomplete"
            items.append(item)
            return Answer(items, used + count_text_tokens(payload), "max_output_tokens")
        items.append(call_item(tool, payload, new_item_id, new_call_id))
        used += cost
    return Answer(items, used)


def _reply_text(
    params: dict[str, Any],
    model: Model,
    context: Sequence[dict[str, Any]],
    seeds: _Seeds,
    digest: str,
) -> str:
    prose = answer_text(model.requested, params.get("instructions"), context, digest)
    fmt = text_format(params)
    if fmt.get("type") == "json_schema" and isinstance(fmt.get("schema"), dict):
        return dumps(json_answer(fmt["schema"], seed=seeds.for_part(0), edge=seeds.edge))
    if fmt.get("type") == "json_object":
        schema = None if seeds.edge else prompted_schema(params.get("instructions"), context)
        if schema is not None:
            return dumps(json_answer(schema, seed=seeds.for_part(0), edge=False))
        return dumps(json_object_answer(prose, seed=seeds.for_part(0), edge=seeds.edge))
    return prose


def synthesize(
    params: dict[str, Any],
    model: Model,
    context: Sequence[dict[str, Any]],
    new_item_id: Callable[[str], str],
    directives: Directives | None = None,
    new_call_id: Callable[[], str] | None = None,
    digest: str | None = None,
) -> Answer:
    """The answer to a request, cut at ``max_output_tokens``; ``digest`` is ``context_digest`` of
    this request and context, when the caller has it already."""
    directives = directives or Directives()
    limit = params.get("max_output_tokens")
    if directives.refusal is not None:
        item = refusal_item(new_item_id("msg"), directives.refusal)
        return Answer([item], count_text_tokens(directives.refusal))
    digest = digest or context_digest(model.requested, params.get("instructions"), context)
    seeds = _seeds(digest, directives)
    tools = tools_to_call(params, context, directives)
    if tools:
        calls = new_call_id or (lambda: new_item_id("call"))
        return _tool_calls(tools, last_user_text(context), seeds, limit, new_item_id, calls)
    text = _reply_text(params, model, context, seeds, digest)
    tokens = count_text_tokens(text)
    if limit is not None and tokens > limit:
        text = truncate_to_tokens(text, limit)
        item = message_item(new_item_id("msg"), text, "incomplete")
        return Answer([item], count_text_tokens(text), "max_output_tokens")
    return Answer([message_item(new_item_id("msg"), text)], tokens)
