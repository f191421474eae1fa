"""Preload state from a JSON fixture file (``mockserver serve --seed FILE``).

Format: ``{"responses": [<Response objects as the API returns them>]}``. Any id string is
accepted, so fixtures can use readable ids. A seeded response may carry ``"input_items": [...]``
next to its fields (removed from the body); its chaining context is its input items followed by
its output.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from .errors import ConfigurationError
from .state import MockState
from .store import StoredResponse

SEED_KEYS = ("responses",)


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


def load_seed(state: MockState, path: Path) -> int:
    try:
        data = orjson.loads(Path(path).read_bytes())
    except FileNotFoundError:
        raise ConfigurationError(f"seed file {path} does not exist") from None
    except orjson.JSONDecodeError as exc:
        raise ConfigurationError(f"seed file {path} is not valid JSON: {exc}") from None
    entries = parse_seed(data, str(path))
    for entry in entries:
        state.store.put_response(entry)
    return len(entries)
