"""MockState's failures buffer is bounded (#16: every 500 kept ~38 KB, never drained under
``mockserver serve``: 6,000 failing requests took RSS from 58 to 290 MB)."""

from __future__ import annotations

import gc
import tracemalloc

from mockserver.state.config import ServerConfig
from mockserver.state.mock_state import MockState


def failing_handler() -> None:
    request_state = bytearray(200_000)  # what a handler's frames hold on to  # noqa: F841
    raise RuntimeError("bug")


def fail(state: MockState) -> None:
    try:
        failing_handler()
    except RuntimeError as exc:
        state.record_failure(exc)


def test_only_the_first_failures_are_kept_and_the_rest_counted() -> None:
    state = MockState(config=ServerConfig(max_failures=3))
    for _ in range(10):
        fail(state)
    assert len(state.failures) == 3 and state.failures_dropped == 7
    taken = state.take_failures()
    assert len(taken) == 3 and state.failures == [] and state.failures_dropped == 0


def test_kept_failures_keep_their_traceback_but_not_their_frames_locals() -> None:
    state = MockState()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(6000):
            fail(state)
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    print(f"failures buffer after 6000 failures: {held / 1024:.0f} KiB held")
    assert len(state.failures) == ServerConfig().max_failures
    assert held < 1_000_000  # 20 kept, each without its 200 KB of locals
    [first, *_] = state.take_failures()
    assert first.__traceback__ is not None
    assert first.__traceback__.tb_next is not None
    assert first.__traceback__.tb_next.tb_frame.f_code.co_name == "failing_handler"
