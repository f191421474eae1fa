"""Background responses: their timeline, as pure functions of stored timestamps and the time now.

A background create stores the *final* response at once, together with a ``BackgroundJob``: when
the job was created, when it starts running, when it finishes, how it ends, and when (if ever) it
was cancelled. Everything a client can observe later is computed from that record and the clock:

- ``phase(job, now)``: ``queued`` until ``started_at``, ``in_progress`` until ``done_at``, then the
  outcome (``completed``, ``incomplete`` or ``failed``); ``cancelled`` from a cancel on;
- ``view(final, job, now)``: the Response a ``GET /responses/{id}`` shows at ``now``;
- ``due_times(events, job)``: when each stream event becomes available, so a stream resumed with
  ``starting_after`` gets the events produced while its client was away, and waits for the rest.

No thread advances anything, so a ``ManualClock`` drives the whole lifecycle in tests.

The timeline: ``queued_seconds`` in the queue, then ``run_seconds`` plus ``seconds_per_token`` for
each output token in progress (defaults: 0.1 s + 0.1 s + 4 ms per token, about 0.3 to 0.5 s for
the mock's usual answers). Output events are spread evenly over the running time; the terminal
event comes at ``done_at``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from mockserver.model.events import plan_events, snapshot

SERVER_ERROR_MESSAGE = (
    "The server had an error processing your request. Sorry about that! You can retry your "
    "request, or contact us through our help center at help.openai.com if you keep seeing this "
    "error."
)
ACTIVE = ("queued", "in_progress")
OUTCOMES = ("completed", "incomplete", "failed")


@dataclass(frozen=True)
class Timeline:
    """How long background jobs take (all in seconds; configurable per server)."""

    queued_seconds: float = 0.1
    run_seconds: float = 0.1
    seconds_per_token: float = 0.004

    def __post_init__(self) -> None:
        for name in ("queued_seconds", "run_seconds", "seconds_per_token"):
            value = getattr(self, name)
            if not value >= 0:
                raise ValueError(
                    f"background timeline: {name} must be a number >= 0, got {value!r}"
                )

    def running_time(self, output_tokens: int) -> float:
        return self.run_seconds + self.seconds_per_token * max(0, output_tokens)


DEFAULT_TIMELINE = Timeline()


@dataclass(frozen=True)
class BackgroundJob:
    created_at: float
    started_at: float
    done_at: float
    # How the job ends when nobody cancels it: "completed", "incomplete" or "failed".
    outcome: str
    cancelled_at: float | None = None


def schedule(now: float, timeline: Timeline, output_tokens: int, outcome: str) -> BackgroundJob:
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown background outcome {outcome!r}; choose one of {OUTCOMES}")
    started = now + timeline.queued_seconds
    return BackgroundJob(now, started, started + timeline.running_time(output_tokens), outcome)


def phase(job: BackgroundJob, now: float) -> str:
    """The response's ``status`` at ``now``."""
    if job.cancelled_at is not None:
        return "cancelled"
    if now < job.started_at:
        return "queued"
    if now < job.done_at:
        return "in_progress"
    return job.outcome


def is_finished(job: BackgroundJob, now: float) -> bool:
    return phase(job, now) not in ACTIVE


def cancel(job: BackgroundJob, now: float) -> BackgroundJob:
    """The job after ``POST /cancel`` at ``now``: cancelled if still active, else unchanged
    (cancelling twice, or cancelling a finished job, changes nothing)."""
    if phase(job, now) in ACTIVE:
        return replace(job, cancelled_at=now)
    return job


def failed_response(response: dict[str, Any]) -> dict[str, Any]:
    """What a background response that failed on the server looks like (recorded shape: status
    ``failed``, ``error: {code, message}``, no output, no usage)."""
    failed = snapshot(response, "failed")
    failed["error"] = {"code": "server_error", "message": SERVER_ERROR_MESSAGE}
    return failed


def finalize(response: dict[str, Any], job: BackgroundJob) -> dict[str, Any]:
    """The response as it will look once the job is done (``completed_at`` = when it finished)."""
    if job.outcome == "failed":
        return failed_response(response)
    final = dict(response)  # a fresh response from create_turn; only a top-level key changes
    if final.get("status") == "completed":
        final["completed_at"] = int(job.done_at)
    return final


def view(final: dict[str, Any], job: BackgroundJob, now: float) -> dict[str, Any]:
    """The Response ``GET /responses/{id}`` shows at ``now``.

    While queued or running, and once cancelled, it is the early snapshot (no output, no usage,
    ``service_tier: "auto"``), as recorded for real background responses and their cancellation.
    """
    status = phase(job, now)
    if status in ("queued", "in_progress", "cancelled"):
        return snapshot(final, status)
    return final


def plan(final: dict[str, Any], *, obfuscate: bool = True) -> list[dict[str, Any]]:
    """Every event of a background stream: ``created`` (queued), ``queued``, ``in_progress``, the
    output events and the terminal event (``response.failed`` for a failed job)."""
    return plan_events(final, obfuscate=obfuscate, queued=True)


def due_times(events: list[dict[str, Any]], job: BackgroundJob) -> list[float]:
    """When each event of ``events`` (a background stream) becomes available."""
    early = ("response.created", "response.queued")
    first = next((i for i, e in enumerate(events) if e["type"] not in early), len(events))
    times = [job.created_at] * first
    if first == len(events):
        return times
    last = len(events) - 1
    step = (job.done_at - job.started_at) / max(1, last - first)
    times.append(job.started_at)
    times += [job.started_at + step * (i - first) for i in range(first + 1, last)]
    if last > first:
        times.append(job.done_at)
    return times


def available(events: list[dict[str, Any]], job: BackgroundJob, now: float) -> int:
    """How many events a stream can have sent by ``now`` (all of them once the job is done;
    for a cancelled job, those produced before the cancellation)."""
    until = now if job.cancelled_at is None else min(now, job.cancelled_at)
    return sum(1 for at in due_times(events, job) if at <= until)


def context_at(
    context: list[dict[str, Any]], final: dict[str, Any], job: BackgroundJob | None, now: float
) -> list[dict[str, Any]]:
    """What a later ``previous_response_id`` continues from at ``now``: until a background job has
    finished with output, its chain ends with its input (the output does not exist yet)."""
    if job is None or phase(job, now) in ("completed", "incomplete"):
        return context
    produced = len(final.get("output") or [])
    return context[: len(context) - produced] if produced else context
