"""Background jobs as pure functions of their timestamps and the time now."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver.model.events import plan_events
from mockserver.state.lifecycle import (
    DEFAULT_TIMELINE,
    SERVER_ERROR_MESSAGE,
    BackgroundJob,
    Timeline,
    available,
    cancel,
    context_at,
    due_times,
    failed_response,
    finalize,
    is_finished,
    phase,
    plan,
    schedule,
    view,
)

T0 = 1_767_225_600.0


def final_response(status: str = "completed", text: str = "Hello there, friend.") -> dict[str, Any]:
    return {
        "id": "resp_0123",
        "object": "response",
        "created_at": int(T0),
        "status": status,
        "background": True,
        "completed_at": int(T0) if status == "completed" else None,
        "error": None,
        "incomplete_details": {"reason": "max_output_tokens"} if status == "incomplete" else None,
        "output": [
            {
                "id": "msg_1",
                "type": "message",
                "status": "completed",
                "content": [
                    {"type": "output_text", "annotations": [], "logprobs": [], "text": text}
                ],
                "role": "assistant",
            }
        ],
        "service_tier": "default",
        "usage": {"input_tokens": 5, "output_tokens": 4, "total_tokens": 9},
    }


def test_the_default_timeline_takes_a_few_hundred_milliseconds_tied_to_length() -> None:
    short = schedule(T0, DEFAULT_TIMELINE, 10, "completed")
    long = schedule(T0, DEFAULT_TIMELINE, 100, "completed")
    assert 0.1 < short.done_at - T0 < long.done_at - T0 < 1.0
    assert short.started_at == long.started_at == T0 + DEFAULT_TIMELINE.queued_seconds


def test_phases_follow_the_clock() -> None:
    job = schedule(T0, Timeline(1, 2, 0.5), 4, "completed")
    assert (job.started_at, job.done_at) == (T0 + 1, T0 + 5)
    assert phase(job, T0) == "queued"
    assert phase(job, T0 + 0.999) == "queued"
    assert phase(job, T0 + 1) == "in_progress"
    assert phase(job, T0 + 4.999) == "in_progress"
    assert phase(job, T0 + 5) == "completed"
    assert not is_finished(job, T0 + 2) and is_finished(job, T0 + 5)


@pytest.mark.parametrize("outcome", ["completed", "incomplete", "failed"])
def test_a_job_ends_with_its_outcome(outcome: str) -> None:
    job = schedule(T0, Timeline(0, 1, 0), 0, outcome)
    assert phase(job, T0 + 1) == outcome


def test_unknown_outcomes_and_negative_timelines_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown background outcome 'done'"):
        schedule(T0, DEFAULT_TIMELINE, 1, "done")
    with pytest.raises(ValueError, match="queued_seconds must be a number >= 0, got -1"):
        Timeline(queued_seconds=-1)
    with pytest.raises(ValueError, match="seconds_per_token"):
        Timeline(seconds_per_token=float("nan"))


def test_cancel_while_active_then_idempotent() -> None:
    job = schedule(T0, Timeline(1, 1, 0), 0, "completed")
    cancelled = cancel(job, T0 + 0.5)
    assert cancelled.cancelled_at == T0 + 0.5
    assert phase(cancelled, T0 + 100) == "cancelled"
    assert cancel(cancelled, T0 + 1.5) == cancelled


def test_cancelling_a_finished_job_changes_nothing() -> None:
    job = schedule(T0, Timeline(1, 1, 0), 0, "completed")
    assert cancel(job, T0 + 2) == job
    assert phase(cancel(job, T0 + 2), T0 + 3) == "completed"


def test_view_shows_the_snapshot_until_done_then_the_final_response() -> None:
    job = schedule(T0, Timeline(1, 1, 0), 0, "completed")
    final = finalize(final_response(), job)
    queued = view(final, job, T0)
    assert queued["status"] == "queued"
    assert queued["output"] == [] and queued["usage"] is None and queued["completed_at"] is None
    # Recorded: background responses show `service_tier: "auto"` until they are done.
    assert queued["service_tier"] == "auto"
    assert view(final, job, T0 + 1.5)["status"] == "in_progress"
    done = view(final, job, T0 + 2)
    assert done == final
    assert done["completed_at"] == int(job.done_at) and done["service_tier"] == "default"
    cancelled = view(final, cancel(job, T0 + 1.5), T0 + 10)
    assert cancelled["status"] == "cancelled" and cancelled["output"] == []


def test_failed_jobs_have_the_recorded_failed_shape() -> None:
    job = schedule(T0, Timeline(0, 1, 0), 0, "failed")
    final = finalize(final_response(), job)
    assert final == failed_response(final_response())
    assert final["status"] == "failed"
    assert final["error"] == {"code": "server_error", "message": SERVER_ERROR_MESSAGE}
    assert final["output"] == [] and final["usage"] is None


def test_incomplete_jobs_keep_no_completed_at() -> None:
    job = schedule(T0, Timeline(0, 1, 0), 0, "incomplete")
    assert finalize(final_response("incomplete"), job)["completed_at"] is None


def test_background_streams_start_queued() -> None:
    types = [e["type"] for e in plan(final_response())]
    assert types[:3] == ["response.created", "response.queued", "response.in_progress"]
    assert types[-1] == "response.completed"
    assert plan(final_response())[0]["response"]["status"] == "queued"


def test_due_times_spread_events_over_the_run() -> None:
    job = schedule(T0, Timeline(1, 2, 0), 0, "completed")
    events = plan(final_response())
    times = due_times(events, job)
    assert times[:2] == [T0, T0]
    assert times[2] == job.started_at
    assert times[-1] == job.done_at
    assert times == sorted(times)
    assert len(set(times[2:])) == len(times) - 2  # one event at a time while running


def test_available_counts_what_was_produced_by_now_or_before_a_cancel() -> None:
    job = schedule(T0, Timeline(1, 2, 0), 0, "completed")
    events = plan(final_response())
    assert available(events, job, T0) == 2
    assert available(events, job, T0 + 3) == len(events)
    cancelled = cancel(job, T0 + 2)
    assert 2 < available(events, cancelled, T0 + 100) < len(events)


@given(
    queued=st.floats(0, 5),
    run=st.floats(0, 5),
    per_token=st.floats(0, 0.1),
    words=st.integers(0, 40),
    moments=st.lists(st.floats(0, 20), min_size=2, max_size=6),
)
def test_state_only_moves_forward(
    queued: float, run: float, per_token: float, words: int, moments: list[float]
) -> None:
    events = plan(final_response(text=" ".join(["word"] * words) or "x"))
    job = schedule(T0, Timeline(queued, run, per_token), words, "completed")
    order = ["queued", "in_progress", "completed"]
    seen = [
        (order.index(phase(job, T0 + m)), available(events, job, T0 + m)) for m in sorted(moments)
    ]
    assert seen == sorted(seen)
    times = due_times(events, job)
    assert len(times) == len(events) and times == sorted(times)
    assert available(events, job, job.done_at) == len(events)


def test_context_at_leaves_out_output_until_done() -> None:
    final = final_response()
    context = [{"id": "msg_in", "type": "message", "role": "user"}, *final["output"]]
    job = schedule(T0, Timeline(1, 1, 0), 0, "completed")
    assert context_at(context, final, job, T0) == context[:1]
    assert context_at(context, final, job, T0 + 2) == context
    assert context_at(context, final, None, T0) == context
    assert context_at(context, final, cancel(job, T0), T0 + 5) == context[:1]


def test_plan_is_the_ordinary_planner_with_the_queued_prelude() -> None:
    final = final_response()
    assert plan(final, obfuscate=False) == plan_events(final, obfuscate=False, queued=True)


def test_jobs_are_immutable_records() -> None:
    job = BackgroundJob(T0, T0 + 1, T0 + 2, "completed")
    with pytest.raises(AttributeError):
        job.cancelled_at = T0  # type: ignore[misc]
