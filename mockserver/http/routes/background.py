"""Background responses at the edge: starting a job, polling it, streaming and resuming it over
the clock, cancelling it, and appending finished jobs to their conversations.

The state of a job is a pure function of its stored timestamps and the clock (``lifecycle.py``);
nothing runs in the background. Streams wait for events that are not due yet: on a
``SystemClock`` by sleeping until they are, on any other clock (``ManualClock`` in tests) by
checking it every few milliseconds of real time, so a test moves a stream on by advancing its
clock, and a stream nobody advances never holds up the suite for long (``MANUAL_WAIT_LIMIT``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from mockserver.contract.errors import InvalidRequestError, response_not_found
from mockserver.http.render import SSE_MEDIA_TYPE, json_response
from mockserver.http.routes.common import mock_state, query_bool, query_int
from mockserver.model.events import encode_event
from mockserver.model.turn import Turn
from mockserver.scenarios.clock import Clock, SystemClock
from mockserver.state.lifecycle import Timeline, due_times, finalize, phase, plan, schedule, view
from mockserver.state.lifecycle import cancel as cancel_job
from mockserver.state.mock_state import MockState
from mockserver.state.store import StoredConversation, StoredResponse

OUTCOME_HEADER = "x-mockserver-background-outcome"
OUTCOME_CHOICES = ("failed", "completed")
# Per-request running time (ms) of a background job, instead of the configured timeline's.
RUN_MS_HEADER = "x-mockserver-background-run-ms"
# Real seconds between looks at a clock that is not the system clock.
POLL_SECONDS = 0.005
# Real seconds between looks at the store for a cancellation while a background stream runs.
CANCEL_CHECK_SECONDS = 0.05
# Real seconds a stream waits on such a clock before it gives up and ends (without the rest).
MANUAL_WAIT_LIMIT = 30.0


def cannot_cancel_synchronous() -> InvalidRequestError:
    # The text vLLM and sglang use; no real capture of api.openai.com's wording was found.
    return InvalidRequestError("Cannot cancel a synchronous response.")


def stream_expired(ttl: float) -> InvalidRequestError:
    minutes, rest = divmod(ttl, 60)
    if rest == 0 and minutes >= 1:
        age = f"{int(minutes)} minute{'s' if minutes != 1 else ''}"
    else:
        age = f"{ttl:g} second{'s' if ttl != 1 else ''}"
    return InvalidRequestError(
        f"This response can no longer be streamed because it is more than {age} old."
    )


def _outcome(request: Request, state: MockState, natural: str) -> str:
    asked = request.headers.get(OUTCOME_HEADER)
    if asked is not None and asked not in OUTCOME_CHOICES:
        raise InvalidRequestError(
            f"Invalid {OUTCOME_HEADER} header {asked!r} (a mock server option): use "
            f"'failed' to make this background job fail, or 'completed' for the normal outcome.",
        )
    if asked == "failed" or (asked is None and state.config.fail_background_jobs):
        return "failed"
    return natural


def _timeline(request: Request, state: MockState) -> Timeline:
    timeline = state.config.background_timeline
    asked = request.headers.get(RUN_MS_HEADER)
    if asked is None:
        return timeline
    try:
        run_ms = float(asked)
    except ValueError:
        run_ms = -1.0
    if not 0 <= run_ms <= 86_400_000:
        raise InvalidRequestError(
            f"Invalid {RUN_MS_HEADER} header {asked!r} (a mock server option): give the running "
            "time of this background job in milliseconds, from 0 to 86400000.",
        )
    return replace(timeline, run_seconds=run_ms / 1000, seconds_per_token=0.0)


async def wait_until(clock: Clock, deadline: float, stop: Callable[[], bool]) -> bool:
    """Wait until the clock reaches ``deadline``; False if ``stop()`` came true first (or, on a
    clock that is not the system clock, after ``MANUAL_WAIT_LIMIT`` real seconds)."""
    give_up = time.monotonic() + MANUAL_WAIT_LIMIT
    while True:
        if stop():
            return False
        now = clock.now()
        if now >= deadline:
            return True
        if isinstance(clock, SystemClock):
            await asyncio.sleep(min(deadline - now, 0.05))
        elif time.monotonic() > give_up:
            return False
        else:
            await asyncio.sleep(POLL_SECONDS)


async def job_events(
    state: MockState, response_id: str, starting_after: int | None, obfuscate: bool
) -> AsyncIterator[dict[str, Any]]:
    """The events of a background stream after ``starting_after``, each when it is due."""
    looked_at = state.clock.now()
    stored = state.store.get_response(response_id)
    if stored is None or stored.job is None:
        return
    events = stored.events
    # What the store said of the job at clock time `clock` (another replica may cancel or delete
    # it). A cancel made after that look has a later `cancelled_at`, so events due by then are
    # safe to send without looking again; while waiting for a later one, look at most every
    # CANCEL_CHECK_SECONDS, and once more when it is due: each look fetches the whole record.
    seen: dict[str, Any] = {
        "clock": looked_at,
        "real": time.monotonic(),
        "gone": False,
        "cancelled": stored.job.cancelled_at,
    }

    def look() -> None:
        now = state.clock.now()
        current = state.store.get_response(response_id)
        seen.update(clock=now, real=time.monotonic(), gone=current is None)
        seen["cancelled"] = current.job.cancelled_at if current and current.job else None

    def stop(due: float) -> bool:
        unsure = not seen["gone"] and seen["cancelled"] is None and due > seen["clock"]
        due_now = state.clock.now() >= due
        if unsure and (due_now or time.monotonic() - seen["real"] >= CANCEL_CHECK_SECONDS):
            look()
        cancelled = seen["cancelled"]
        return seen["gone"] or (cancelled is not None and cancelled < due)

    for event, at in zip(events, due_times(events, stored.job), strict=True):
        if starting_after is not None and event["sequence_number"] <= starting_after:
            continue

        if not await wait_until(state.clock, at, lambda due=at: stop(due)):
            return
        if not obfuscate and "obfuscation" in event:
            event = {k: v for k, v in event.items() if k != "obfuscation"}
        yield event


def sse(events: AsyncIterator[dict[str, Any]]) -> StreamingResponse:
    async def frames() -> AsyncIterator[bytes]:
        async for event in events:
            yield encode_event(event)

    return StreamingResponse(
        frames(), media_type=SSE_MEDIA_TYPE, headers={"cache-control": "no-cache"}
    )


def start(
    request: Request,
    state: MockState,
    body: dict[str, Any],
    turn: Turn,
    conversation_id: str | None,
) -> Response:
    """Store a background job for a built turn; answer ``queued`` (or its stream)."""
    now = state.clock.now()
    response = turn.response
    outcome = _outcome(request, state, response["status"])
    output_tokens = (response.get("usage") or {}).get("output_tokens", 0)
    job = schedule(now, _timeline(request, state), output_tokens, outcome)
    final = finalize(response, job)
    context = list(turn.context)  # stored whole: what it continues from depends on the time
    if outcome == "failed" and response["output"]:
        context = context[: len(context) - len(response["output"])]
    obfuscate = (body.get("stream_options") or {}).get("include_obfuscation", True) is not False
    stored = StoredResponse(
        final, turn.input_items, context, plan(final, obfuscate=obfuscate), job, conversation_id
    )
    state.store.put_response(stored)
    if conversation_id is not None:
        state.store.update_conversation(
            conversation_id, lambda conversation: conversation.pending.append(final["id"])
        )
    if body.get("stream"):
        return sse(job_events(state, final["id"], None, True))
    # Recorded background creates carry no rate-limit headers.
    return json_response(view(final, job, now))


async def retrieve(request: Request, state: MockState, stored: StoredResponse) -> Response:
    """``GET /responses/{id}`` of a background response: its state now, or its stream."""
    now = state.clock.now()
    if not query_bool(request, "stream"):
        return json_response(view(stored.response, stored.job, now))
    starting_after = query_int(request, "starting_after")
    if now - stored.job.created_at > state.config.stream_resume_ttl:
        raise stream_expired(state.config.stream_resume_ttl)
    obfuscate = query_bool(request, "include_obfuscation") is not False
    return sse(job_events(state, stored.id, starting_after, obfuscate))


async def cancel(request: Request) -> Response:
    """``POST /responses/{id}/cancel``: a queued or running job becomes ``cancelled``; cancelling
    again, or cancelling a finished job, returns it as it is (the docs: "Cancelling twice is
    idempotent - subsequent calls simply return the final Response object")."""
    state = mock_state(request)
    response_id = request.path_params["response_id"]
    stored = state.store.get_response(response_id)
    if stored is None:
        raise response_not_found(response_id)
    if stored.job is None:
        raise cannot_cancel_synchronous()
    now = state.clock.now()
    updated = state.store.update_response(
        response_id, lambda current: replace(current, job=cancel_job(current.job, now))
    )
    if updated is None:
        raise response_not_found(response_id)
    return json_response(view(updated.response, updated.job, now))


def settle_conversation(state: MockState, conversation_id: str) -> bool:
    """Append the items of this conversation's finished background responses (input items, then
    output), in the order the jobs finished; failed and cancelled ones add nothing. Whether
    any job was settled (only then is the whole conversation read)."""
    conversation = state.store.conversation_tail(conversation_id, 0)
    if conversation is None or not conversation.pending:
        return False
    now = state.clock.now()
    finished: list[tuple[float, str, list[dict[str, Any]]]] = []
    for response_id in conversation.pending:
        stored = state.store.get_response(response_id)
        if stored is None or stored.job is None:
            finished.append((now, response_id, []))
            continue
        status = phase(stored.job, now)
        if status in ("queued", "in_progress"):
            continue
        items: list[dict[str, Any]] = []
        if status in ("completed", "incomplete"):
            items = [*stored.input_items, *stored.response["output"]]
        finished.append((stored.job.done_at, response_id, items))
    if not finished:
        return False
    finished.sort(key=lambda entry: entry[0])

    def apply(current: StoredConversation) -> None:
        for _, response_id, items in finished:
            # Another request may have settled it meanwhile: append each job exactly once.
            if response_id in current.pending:
                current.pending.remove(response_id)
                current.items.extend(items)
                current.tally = None  # counted again by the next turn
                current.last_response = None

    state.store.update_conversation(conversation_id, apply)
    return True


routes = [Route("/v1/responses/{response_id}/cancel", cancel, methods=["POST"])]
