"""What a replayed (or recorded) interaction does to the mock's store.

Replay answers from recordings first. So that a test can still ``GET``, ``DELETE``, list
``input_items`` of, or read the stream of a replayed response beyond what was recorded, every
response that a replay hands out is also put into the mock's store (its input items rebuilt from
the recorded request, its stream events from the recorded stream), and a replayed ``DELETE``
removes it. Requests with no recording left then fall back to the mock, which answers from that
store exactly as it answers for responses it made itself.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from mockserver.contract.ids import IdFactory
from mockserver.contract.inputs import normalize_input
from mockserver.recording.cassette import Interaction
from mockserver.state.context_chain import stored_context
from mockserver.state.store import Store, StoredResponse

RESPONSE_PATH = re.compile(r"^/v1/responses/(?P<id>[^/]+)$")
INPUT_ITEMS_PATH = re.compile(r"^/v1/responses/(?P<id>[^/]+)/input_items$")


def replayed_response(interaction: Interaction) -> tuple[dict[str, Any] | None, list[dict]]:
    """The Response object an interaction handed out (JSON body or final stream event), and the
    stream's events (empty when they cannot be resumed: no sequence numbers)."""
    response = interaction.response
    if response.events is None:
        body = response.json()
        if isinstance(body, dict) and body.get("object") == "response":
            return body, []
        return None, []
    events = [event.data() for event in response.events]
    events = [event for event in events if isinstance(event, dict)]
    final = None
    for event in events:
        if isinstance(event.get("response"), dict) and event["response"].get("id"):
            final = event["response"]
    resumable = all(isinstance(event.get("sequence_number"), int) for event in events)
    return final, events if resumable else []


def response_id(interaction: Interaction) -> str | None:
    """The id of the response an interaction handed out or deleted (None when none)."""
    if interaction.response.status >= 300:
        return None
    match = RESPONSE_PATH.match(interaction.request.path)
    if interaction.request.method == "DELETE" and match:
        return match["id"]
    body, _ = replayed_response(interaction)
    return str(body["id"]) if body is not None else None


def apply(store: Store, ids: IdFactory, interaction: Interaction) -> str | None:
    """Update ``store`` after ``interaction`` was replayed or recorded; the id of the response
    it concerned (None when none)."""
    request, response = interaction.request, interaction.response
    if response.status >= 300:
        return None
    if request.method == "DELETE" and (match := RESPONSE_PATH.match(request.path)):
        store.delete_response(match["id"])
        return match["id"]
    body, events = replayed_response(interaction)
    if body is None or body.get("store") is False:
        return None
    existing = store.get_response(body["id"])
    if request.method == "POST" and request.path == "/v1/responses":
        params = request.json() if isinstance(request.json(), dict) else {}
        created = int(body.get("created_at") or 0)
        shard = ids.new_shard()
        input_items = normalize_input(
            params.get("input"), lambda prefix: ids.item_id(prefix, shard, created)
        )
        prior: list[dict[str, Any]] = []
        previous = store.get_response(params.get("previous_response_id") or "")
        if previous is not None:
            prior = stored_context(store, previous)
        context = [*prior, *input_items, *body.get("output", [])]
        store.put_response(StoredResponse(body, input_items, context, events))
    elif existing is not None:
        # A later GET shows the response's newer state (a finished background response).
        store.put_response(dataclasses.replace(existing, response=body))
    elif request.method == "GET" and RESPONSE_PATH.match(request.path):
        store.put_response(StoredResponse(body, [], list(body.get("output", [])), events))
    return str(body["id"])


def falls_back_to_store(known: set[str], method: str, path: str) -> bool:
    """Whether the mock answers this request from its store: it is about a response that a
    replay handed out (``known``), which the store holds, or held until a DELETE."""
    match = RESPONSE_PATH.match(path) if method in ("GET", "DELETE") else None
    if method == "GET" and match is None:
        match = INPUT_ITEMS_PATH.match(path)
    return match is not None and match["id"] in known
