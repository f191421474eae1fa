"""``response.steer`` on one WebSocket connection: queue user input into the running turn.

What the SDK documents (``ResponsesResponseResource.steer`` and the ``response.steer.*`` event
types), and what the mock does where the real semantics are unknown:

- Input that is not a string or a non-empty list of user messages gets ``response.steer.failed``
  (``invalid_input``, no steering id). A response not produced on this connection gets
  ``response_not_found``; one that already finished (and waits for nothing) gets
  ``response_already_completed``; one bound to a conversation or using ``context_management``
  gets ``steering_not_supported``.
- Otherwise ``response.steer.accepted`` (id ``steer_`` + 32 hex, a layout of ours). The mock
  never interrupts the running response at a "safe output boundary" (``incomplete`` with reason
  ``steered``): it lets it finish, then starts the automatic successor: a ``response.create``
  inheriting the target's settings, ``previous_response_id`` = the target, ``input`` = the queued
  inputs in submission order.
- When the target stops for client-owned tool output (function or custom tool calls), each
  queued submission gets one ``response.steer.pending`` after the terminal event, with the
  ``required_input`` stubs; the next explicit ``response.create`` with that
  ``previous_response_id`` gets the queued input prepended to its own.
- Steering events count their own ``sequence_number`` per connection from 0, so the response's
  stream keeps exactly the numbering SSE gives it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from mockserver.contract.ids import IdFactory
from mockserver.http.socket_events import (
    check_steer_input,
    required_input,
    steer_accepted,
    steer_failed,
    steer_items,
    steer_pending,
)

# Create parameters a successor does not inherit from the response it continues.
NOT_INHERITED = ("input", "previous_response_id", "conversation", "stream", "background")


@dataclass
class _Target:
    response_id: str
    body: dict[str, Any]
    response: dict[str, Any]
    queued: list[tuple[str, Any]] = field(default_factory=list)  # (steer id, input)

    def queued_items(self) -> list[dict[str, Any]]:
        return [item for _, steer_input in self.queued for item in steer_items(steer_input)]


class Steering:
    def __init__(self, ids: IdFactory, send: Callable[..., Awaitable[None]]) -> None:
        self.ids = ids
        self.send = send
        self.active: _Target | None = None
        # Responses stopped for client-owned tool output, with the input queued for them.
        self.pending: dict[str, _Target] = {}
        self.finished_ids: set[str] = set()
        self.number = 0

    def _next_number(self) -> int:
        self.number += 1
        return self.number - 1

    async def steer(self, event: dict[str, Any]) -> None:
        problem = check_steer_input(event)
        if problem is not None:
            await self._fail(event, "invalid_input", problem)
            return
        target_id = event["previous_response_id"]
        target = self.active if self.active and self.active.response_id == target_id else None
        target = target or self.pending.get(target_id)
        if target is None:
            if target_id in self.finished_ids:
                await self._fail(
                    event,
                    "response_already_completed",
                    f"Response '{target_id}' has completed and no longer accepts steering input.",
                )
            else:
                await self._fail(
                    event,
                    "response_not_found",
                    f"Response '{target_id}' is not available on this connection.",
                )
            return
        if target.body.get("conversation") is not None or target.body.get("context_management"):
            await self._fail(
                event,
                "steering_not_supported",
                "Responses bound to a conversation or using automatic compaction do not support "
                "steering.",
            )
            return
        steer_id = f"steer_{self.ids._hex(32)}"
        target.queued.append((steer_id, event["input"]))
        await self.send(steer_accepted(steer_id, target_id, self._next_number()))
        if target_id in self.pending:
            required = required_input(target.response)
            await self.send(steer_pending(steer_id, target_id, required, self._next_number()))

    async def _fail(self, event: dict[str, Any], code: str, message: str) -> None:
        # Invalid input is echoed as the client sent it: its own data, which need not fit the
        # SDK's input type, so the self-check leaves that event alone.
        failed = steer_failed(event, code, message, self._next_number())
        await self.send(failed, verbatim=code == "invalid_input")

    def started(self, response: dict[str, Any], body: dict[str, Any]) -> None:
        self.active = _Target(response["id"], body, response)

    async def finished(self, response: dict[str, Any]) -> tuple[dict[str, Any], bytes] | None:
        """After the terminal event: the automatic successor to run, if steering queued one."""
        target, self.active = self.active, None
        self.finished_ids.add(response["id"])
        if target is None or not target.queued:
            return None
        required = required_input(response)
        if required and response["status"] == "completed":
            self.pending[target.response_id] = target
            for steer_id, _ in target.queued:
                await self.send(
                    steer_pending(steer_id, target.response_id, required, self._next_number())
                )
            return None
        if response["status"] not in ("completed", "incomplete"):
            for steer_id, steer_input in target.queued:
                await self.send(
                    steer_failed(
                        {"input": steer_input, "previous_response_id": target.response_id},
                        "response_not_active",
                        f"Response '{target.response_id}' ended {response['status']}; the "
                        "steering input was not committed.",
                        self._next_number(),
                        steer_id,
                    )
                )
            return None
        inherited = {k: v for k, v in target.body.items() if k not in NOT_INHERITED}
        successor = {
            "type": "response.create",
            **inherited,
            "previous_response_id": target.response_id,
            "input": target.queued_items(),
        }
        return successor, orjson.dumps(successor)

    def apply_pending(self, body: dict[str, Any]) -> _Target | None:
        """Prepend input queued for ``body``'s ``previous_response_id`` (an explicit
        continuation after ``response.steer.pending``) to its input; returns what it took."""
        target = self.pending.pop(body.get("previous_response_id") or "", None)
        if target is None:
            return None
        own = body.get("input")
        own_items = steer_items(own) if isinstance(own, str) else list(own or [])
        body["input"] = [*target.queued_items(), *own_items]
        return target

    def restore(self, taken: _Target | None) -> None:
        """The continuation was rejected: its queued input stays pending."""
        if taken is not None:
            self.pending[taken.response_id] = taken

