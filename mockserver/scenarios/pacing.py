"""How fast a reply is delivered: time to first event, tokens per second, a flat delay.

Off by default (tests want speed). For frontend work a believable pace is about 300 ms to the
first event and 50 tokens per second (``mockserver serve --first-event-ms 300
--tokens-per-second 50``). Each delta event counts as one token.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

DELTA_SUFFIX = ".delta"
# Bounds, so that a typo or a hostile header cannot park a stream for ever (docs/frontend.md):
# no delay longer than five minutes, no rate slower than one token every ten seconds.
MAX_DELAY_SECONDS = 300.0
MIN_TOKENS_PER_SECOND = 0.1


@dataclass(frozen=True)
class Pacing:
    first_event_seconds: float = 0.0
    tokens_per_second: float | None = None
    # Delay before a non-streaming reply is sent.
    reply_delay_seconds: float = 0.0

    def __post_init__(self) -> None:
        for name, seconds in (
            ("first_event_ms", self.first_event_seconds),
            ("reply_delay_ms", self.reply_delay_seconds),
        ):
            if not 0 <= seconds <= MAX_DELAY_SECONDS:  # (also false for NaN)
                raise ValueError(
                    f"{name} must be between 0 and {MAX_DELAY_SECONDS * 1000:.0f}, "
                    f"got {seconds * 1000:g}"
                )
        tps = self.tokens_per_second
        if tps is not None and not (MIN_TOKENS_PER_SECOND <= tps <= math.inf):
            raise ValueError(
                f"tokens_per_second must be at least {MIN_TOKENS_PER_SECOND}, got {tps}; "
                "leave it unset for no throttling"
            )

    @property
    def is_instant(self) -> bool:
        return (
            self.first_event_seconds == 0
            and self.tokens_per_second is None
            and self.reply_delay_seconds == 0
        )

    def delay_before(self, index: int, event: dict[str, Any]) -> float:
        """Seconds to wait before sending the ``index``-th event of a stream."""
        if index == 0:
            return self.first_event_seconds
        if self.tokens_per_second and event.get("type", "").endswith(DELTA_SUFFIX):
            return 1.0 / self.tokens_per_second
        return 0.0


INSTANT = Pacing()
