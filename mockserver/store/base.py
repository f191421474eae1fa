"""The store interface: a persistent or shared store implements this and nothing else changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass
class StoredResponse:
    response: dict[str, Any]
    input_items: list[dict[str, Any]]
    # The whole chain a `previous_response_id` continues from (inputs and outputs, in order).
    context: list[dict[str, Any]] = field(default_factory=list)
    # The SSE events of this response, for `GET /responses/{id}?stream=true&starting_after=N`.
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.response["id"]


class Store(Protocol):
    def put_response(self, stored: StoredResponse) -> None: ...

    def get_response(self, response_id: str) -> StoredResponse | None: ...

    def delete_response(self, response_id: str) -> bool:
        """Remove a response; False when there was none."""
        ...

    def list_responses(self) -> list[StoredResponse]: ...

    def clear(self) -> None: ...
