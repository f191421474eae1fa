"""The mock server's admin API (``/__mockserver/…``), called through the SDK's own HTTP client.

Only for ``mock_only`` tests: stubs script what the "model" answers, the journal shows what the
client sent. The SDK's ``post``/``get`` take absolute URLs, so no other HTTP library is needed.
"""

from __future__ import annotations

from typing import Any

import openai


def _root(client: openai.OpenAI) -> str:
    return str(client.base_url).rstrip("/").removesuffix("/v1")


def add_stubs(client: openai.OpenAI, *stubs: dict[str, Any]) -> list[dict[str, Any]]:
    """Add stubs (file format); returns their entries (``id``, ``calls``, ``answered``)."""
    reply: Any = client.post(
        f"{_root(client)}/__mockserver/stubs", body=list(stubs), cast_to=object
    )
    return reply["data"]


def stub_entry(client: openai.OpenAI, stub_id: str) -> dict[str, Any]:
    reply: Any = client.get(f"{_root(client)}/__mockserver/stubs/{stub_id}", cast_to=object)
    return reply


def journal(client: openai.OpenAI, path: str = "/v1/responses", method: str = "POST") -> list[Any]:
    """What the server received, oldest first: each entry's ``request_body``, ``status``, ..."""
    reply: Any = client.get(
        f"{_root(client)}/__mockserver/journal",
        options={"params": {"path": path, "method": method}},
        cast_to=object,
    )
    return reply["data"]


def set_scenario(client: openai.OpenAI, scenario: str, state: str) -> None:
    client.put(
        f"{_root(client)}/__mockserver/scenarios/{scenario}", body={"state": state}, cast_to=object
    )
