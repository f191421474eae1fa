"""A create request's plan: the stub answer, the fault and the pacing that apply to it (pure).

``stub_middleware`` decides the plan before the route runs (HTTP faults and stub errors never
reach the route); the route builds the turn under ``plan.answer`` and then lets the plan finish
it: a stub's ``response`` fields overlay the built response, and a ``stream_error`` turns it into
the failed response the real API streams (``created`` → ``in_progress`` → ``error`` →
``response.failed``, HTTP 200, ``output: []``, ``usage: null``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from mockserver.scenarios.faults import Fault, insert_error_event, stream_error_fields
from mockserver.scenarios.pacing import Pacing
from mockserver.scenarios.stubs.answers import StubAnswer

PLAN_KEY = "mockserver.plan"
# Set in the request scope when the reply is a body a stub scripted verbatim: the self-check
# leaves it alone (it is the user's, not the mock's claim about the real API).
VERBATIM_KEY = "mockserver.verbatim"
# Response fields a stub's `response` may not overlay (they identify the response).
PROTECTED_FIELDS = ("id", "object", "created_at", "output")


@dataclass(frozen=True)
class TurnPlan:
    answer: StubAnswer | None = None
    fault: Fault | None = None
    pacing: Pacing | None = None
    # The id of the stub that answered (None: the default model).
    stub_id: str | None = None
    # The model the request asked for (real rate-limit messages name it so).
    model: str | None = None

    @property
    def stub_answer(self) -> StubAnswer | None:
        """What ``respond`` answers with: the stub's answer, carrying an ``incomplete`` fault
        chosen by header or chaos too."""
        if self.fault is not None and self.fault.kind == "incomplete":
            return replace(self.answer or StubAnswer(), fault=self.fault)
        return self.answer

    def adjust(self, turn: Any) -> None:
        """Finish a built turn: overlay the stub's response fields, fail it for a stream error."""
        response = turn.response
        if self.answer is not None and self.answer.response is not None:
            for key, value in self.answer.response.items():
                if key not in PROTECTED_FIELDS:
                    response[key] = value
        if self.fault is not None and self.fault.kind == "stream_error":
            _, error = stream_error_fields(self.fault, model=self.model)
            produced = len(response["output"])
            response.update(
                status="failed",
                error=error,
                output=[],
                usage=None,
                completed_at=None,
                incomplete_details=None,
            )
            if produced:
                turn.context = turn.context[:-produced]

    def finish_events(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The stream of the turn: a stream error goes in right before ``response.failed``."""
        if self.fault is not None and self.fault.kind == "stream_error":
            return insert_error_event(events, self.fault, self.model)
        return events


DEFAULT_PLAN = TurnPlan()
