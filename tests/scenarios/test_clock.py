"""Clocks: the system clock, and the manual clock tests drive."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from mockserver.scenarios.clock import Clock, ManualClock, SystemClock


def test_system_clock_reads_the_real_time() -> None:
    clock: Clock = SystemClock()
    before = time.time()
    now = clock.now()
    assert before <= now <= time.time()
    first = clock.monotonic()
    assert clock.monotonic() >= first


def test_manual_clock_starts_at_2026_and_stands_still() -> None:
    clock: Clock = ManualClock()
    assert datetime.fromtimestamp(clock.now(), UTC) == datetime(2026, 1, 1, tzinfo=UTC)
    assert clock.now() == clock.now()
    assert clock.monotonic() == 0.0


def test_manual_clock_advances_both_readings() -> None:
    clock = ManualClock(start=1000.0)
    clock.advance(2.5)
    clock.advance(0)
    assert clock.now() == 1002.5
    assert clock.monotonic() == 2.5


def test_manual_clock_refuses_to_go_back() -> None:
    clock = ManualClock(start=10.0)
    with pytest.raises(ValueError, match=r"backwards \(got -1 seconds\)"):
        clock.advance(-1)
    assert clock.now() == 10.0
