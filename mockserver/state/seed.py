"""Preload state from a JSON fixture file (``mockserver serve --seed FILE``).

Format: ``{"responses": [<Response objects as the API returns them>]}``. Any id string is
accepted, so fixtures can use readable ids. A seeded response may carry ``"input_items": [...]``
next to its fields (removed from the body); its chaining context is its input items followed by
its output.

Conversations: ``{"conversations": [<Conversation object plus an "items" list>]}``, e.g.
``{"id": "conv_demo", "metadata": {"topic": "demo"}, "items": [{"role": "user", "content":
"Hi"}]}``. ``object`` and ``created_at`` may be left out (``created_at`` is then the server's start
time); items are input items as ``POST /conversations`` takes them, and get ids unless they bring
their own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from mockserver.contract.errors import APIError, ConfigurationError
from mockserver.contract.validation import check_metadata
from mockserver.state.conversations import conversation_object, new_items, shard_of
from mockserver.state.mock_state import MockState
from mockserver.state.store import StoredConversation, StoredResponse

SEED_KEYS = ("responses", "conversations")
CONVERSATION_KEYS = ("id", "object", "created_at", "metadata", "items")


def parse_seed(data: Any, source: str) -> list[StoredResponse]:
    if not isinstance(data, dict):
        raise ConfigurationError(
            f"{source}: a seed file holds a JSON object like "
            '{"responses": [...]}, not ' + type(data).__name__
        )
    unknown = sorted(set(data) - set(SEED_KEYS))
    if unknown:
        raise ConfigurationError(
            f"{source}: unknown top-level key(s) {unknown}; valid keys are {list(SEED_KEYS)}"
        )
    stored: list[StoredResponse] = []
    for index, raw in enumerate(data.get("responses", [])):
        where = f"{source}: responses[{index}]"
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            raise ConfigurationError(f"{where} needs a string 'id'")
        if raw.get("object", "response") != "response":
            raise ConfigurationError(f"{where}: 'object' must be 'response', got {raw['object']!r}")
        response = dict(raw)
        input_items = response.pop("input_items", [])
        response.setdefault("object", "response")
        response.setdefault("status", "completed")
        response.setdefault("output", [])
        response.setdefault("store", True)
        context = [*input_items, *response["output"]]
        stored.append(StoredResponse(response, input_items, context))
    return stored


def parse_conversations(data: Any, source: str, state: MockState) -> list[StoredConversation]:
    """The ``conversations`` of a seed file (ids for items come from ``state.ids``)."""
    entries = data.get("conversations", []) if isinstance(data, dict) else []
    if not isinstance(entries, list):
        raise ConfigurationError(f"{source}: 'conversations' must be a list of conversations")
    now = int(state.clock.now())
    stored: list[StoredConversation] = []
    for index, raw in enumerate(entries):
        where = f"{source}: conversations[{index}]"
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            raise ConfigurationError(f"{where} needs a string 'id'")
        unknown = sorted(set(raw) - set(CONVERSATION_KEYS))
        if unknown:
            raise ConfigurationError(
                f"{where}: unknown key(s) {unknown}; valid keys are {list(CONVERSATION_KEYS)}"
            )
        if raw.get("object", "conversation") != "conversation":
            raise ConfigurationError(
                f"{where}: 'object' must be 'conversation', got {raw['object']!r}"
            )
        created_at = raw.get("created_at", now)
        if not isinstance(created_at, int) or isinstance(created_at, bool):
            raise ConfigurationError(f"{where}: 'created_at' must be a unix time in seconds")
        metadata = raw.get("metadata") or {}
        items = raw.get("items") or []
        if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
            raise ConfigurationError(f"{where}: 'metadata' must map strings to strings")
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise ConfigurationError(f"{where}: 'items' must be a list of item objects")
        try:
            check_metadata(metadata)
        except APIError as exc:
            raise ConfigurationError(f"{where}: {exc.message}") from None
        shard = shard_of(raw["id"]) or state.ids.new_shard()
        conversation = conversation_object(raw["id"], created_at, metadata)

        def new_id(prefix: str, shard: str = shard, created_at: int = created_at) -> str:
            return state.ids.conversation_item_id(prefix, shard, created_at)

        stored.append(StoredConversation(conversation, new_items(items, new_id)))
    return stored


def load_seed(state: MockState, path: Path) -> int:
    try:
        data = orjson.loads(Path(path).read_bytes())
    except FileNotFoundError:
        raise ConfigurationError(f"seed file {path} does not exist") from None
    except orjson.JSONDecodeError as exc:
        raise ConfigurationError(f"seed file {path} is not valid JSON: {exc}") from None
    entries = parse_seed(data, str(path))
    conversations = parse_conversations(data, str(path), state)
    state.seed_responses = entries
    state.seed_conversations = conversations
    state.plant_seed()
    return len(entries) + len(conversations)
