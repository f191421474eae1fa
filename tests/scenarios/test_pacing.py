"""Pacing is bounded (#16: ``first_event_ms=1e308`` meant a stream never started)."""

from __future__ import annotations

import math

import pytest

from mockserver.scenarios.pacing import MAX_DELAY_SECONDS, MIN_TOKENS_PER_SECOND, Pacing


@pytest.mark.parametrize(
    "fields",
    [
        {"first_event_seconds": 1e305},
        {"first_event_seconds": MAX_DELAY_SECONDS + 1},
        {"first_event_seconds": math.nan},
        {"first_event_seconds": -1},
        {"reply_delay_seconds": math.inf},
        {"tokens_per_second": 0},
        {"tokens_per_second": 1e-300},
        {"tokens_per_second": math.nan},
    ],
)
def test_pacing_out_of_bounds_is_refused(fields: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Pacing(**fields)


def test_pacing_at_the_bounds_is_fine() -> None:
    pacing = Pacing(MAX_DELAY_SECONDS, MIN_TOKENS_PER_SECOND, MAX_DELAY_SECONDS)
    assert pacing.delay_before(1, {"type": "response.output_text.delta"}) == 10.0
    assert Pacing(tokens_per_second=math.inf).delay_before(1, {"type": "x.delta"}) == 0.0
