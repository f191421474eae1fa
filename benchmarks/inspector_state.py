"""The inspector's state view against the store's size (issue #16: with 187k stored responses
``/__mockserver/inspector/state`` took 9-14 s). For each backend, the view (``store_view``,
limit 50) is timed on a small and on a large store, in the same run, and reported as a ratio
large/small: a view whose cost does not grow with the store stays near 1x. The view as it was
before (every record listed, then sorted) is timed alongside as the baseline.

Records are stored through the store itself (one in ten a background job); a real redis-server
is started on a free loopback port.

    .venv/bin/python benchmarks/inspector_state.py [--small 1000] [--large 50000]
        [--stores memory,sqlite,redis] [--repeat 5]

Nothing is asserted; the JSON summary goes to stdout.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from store_kinds import opened_store

from mockserver.http.inspector import store_view
from mockserver.state.lifecycle import BackgroundJob
from mockserver.state.store import Store, StoredConversation, StoredResponse

JOB = BackgroundJob(created_at=1.0, started_at=1.0, done_at=2.0, outcome="completed")
LIMIT = 50


def listed_view(store: Store, limit: int = LIMIT) -> int:
    """The view before #16's last item: every response and conversation read, then sorted."""
    stored = store.list_responses()
    stored.reverse()
    stored.sort(key=lambda s: s.response.get("created_at", 0), reverse=True)
    jobs = [s for s in stored if s.job is not None]
    found = store.list_conversations()
    found.sort(key=lambda c: c.conversation.get("created_at", 0), reverse=True)
    return len(stored[:limit]) + len(jobs[:limit]) + len(found[:limit])


def fill(store: Store, start: int, end: int) -> None:
    for n in range(start, end):
        body = {
            "id": f"resp_{n:07}",
            "object": "response",
            "created_at": n,
            "status": "completed",
            "model": "gpt-4o-mini",
            "output": [{"type": "message", "content": [{"type": "output_text", "text": "hi"}]}],
        }
        job = JOB if n % 10 == 0 else None
        store.put_response(StoredResponse(body, [{"type": "message", "content": "hello"}], job=job))
        if n % 10 == 0:
            store.put_conversation(StoredConversation({"id": f"conv_{n:07}", "created_at": n}))


def seconds(work: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    result: dict[str, Any] = {"store": kind}
    with opened_store(kind, "memory://?max_responses=1000000") as store:
        fill(store, 0, args.small)
        view = seconds(lambda: store_view(store, 0.0, LIMIT), args.repeat)
        listed = seconds(lambda: listed_view(store), args.repeat)
        fill(store, args.small, args.large)
        view_large = seconds(lambda: store_view(store, 0.0, LIMIT), args.repeat)
        listed_large = seconds(lambda: listed_view(store), max(1, args.repeat // 2))
        totals = store.totals()
        store.clear()
    result.update(
        responses=(args.small, args.large),
        totals_large=[totals.responses, totals.conversations, totals.background],
        view_ms=(round(view * 1000, 2), round(view_large * 1000, 2)),
        view_ratio_large_small=round(view_large / view, 2),
        listed_ms=(round(listed * 1000, 2), round(listed_large * 1000, 2)),
        listed_ratio_large_small=round(listed_large / listed, 2),
        listed_over_view_large=round(listed_large / view_large, 1),
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=50_000)
    parser.add_argument("--stores", default="memory,sqlite,redis")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    results = [measure(kind, args) for kind in args.stores.split(",")]
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
