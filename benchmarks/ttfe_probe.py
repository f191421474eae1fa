"""Time-to-first-event probe for streaming create (httpx based).

No installable load generator reports the time until the first *SSE event* arrives:
wrk only times whole responses, and tools that report "time to first byte" (hey's
``resp wait``, k6's ``http_req_waiting``, h2load's per-connection "time to 1st byte")
stop the clock at the status line/headers, which uvicorn writes before the app yields
its first event. So this probe does it, with httpx as the client:

* one keep-alive connection, requests one after another (so the probe never queues
  behind its own work and its client overhead stays out of the figure);
* clock starts just before the request is sent, TTFE is when the bytes received so far
  contain the first complete frame (the first ``\\n\\n``), TTFB when the headers are in;
* the rest of the stream is read to the end and must contain ``response.completed``.

At concurrency 32, run.py keeps 31 other streams in flight with wrk while this probe
is the 32nd connection. Every loop here is bounded in both count and time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import httpx


@dataclass
class ProbeResult:
    """Per-request timings in milliseconds."""

    ttfe_ms: list[float] = field(default_factory=list)
    ttfb_ms: list[float] = field(default_factory=list)
    total_ms: list[float] = field(default_factory=list)
    errors: int = 0
    incomplete: int = 0

    def extend(self, other: ProbeResult) -> None:
        """Pool another round's samples into this one."""
        self.ttfe_ms += other.ttfe_ms
        self.ttfb_ms += other.ttfb_ms
        self.total_ms += other.total_ms
        self.errors += other.errors
        self.incomplete += other.incomplete

    def summary(self) -> dict[str, float | int | None]:
        return {
            "samples": len(self.ttfe_ms),
            "errors": self.errors,
            "incomplete_streams": self.incomplete,
            "ttfe_p50_ms": percentile(self.ttfe_ms, 50),
            "ttfe_p99_ms": percentile(self.ttfe_ms, 99),
            "ttfe_max_ms": max(self.ttfe_ms) if self.ttfe_ms else None,
            "ttfb_p50_ms": percentile(self.ttfb_ms, 50),
            "ttfb_p99_ms": percentile(self.ttfb_ms, 99),
            "total_p50_ms": percentile(self.total_ms, 50),
            "total_p99_ms": percentile(self.total_ms, 99),
        }


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile; None for no samples."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-pct * len(ordered) // 100))))
    return ordered[rank - 1]


def probe(
    url: str,
    body: bytes,
    *,
    max_requests: int,
    max_seconds: float,
    auth: str = "Bearer sk-test",
    request_timeout_s: float = 10.0,
) -> ProbeResult:
    """Send up to ``max_requests`` streaming requests, for at most ``max_seconds``."""
    result = ProbeResult()
    headers = {"Authorization": auth, "Content-Type": "application/json"}
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    deadline = time.perf_counter() + max_seconds
    with httpx.Client(timeout=request_timeout_s, limits=limits) as client:
        for _ in range(max_requests):
            if time.perf_counter() >= deadline:
                break
            t0 = time.perf_counter()
            ttfe: float | None = None
            received = bytearray()
            try:
                with client.stream("POST", url, content=body, headers=headers) as resp:
                    t_headers = time.perf_counter()
                    if resp.status_code != 200:
                        resp.read()
                        result.errors += 1
                        continue
                    for chunk in resp.iter_raw():
                        received += chunk
                        if ttfe is None and b"\n\n" in received:
                            ttfe = time.perf_counter()
                t_end = time.perf_counter()
            except httpx.HTTPError:
                result.errors += 1
                continue
            if ttfe is None or b"response.completed" not in received:
                result.incomplete += 1
                continue
            result.ttfb_ms.append((t_headers - t0) * 1000)
            result.ttfe_ms.append((ttfe - t0) * 1000)
            result.total_ms.append((t_end - t0) * 1000)
    return result
