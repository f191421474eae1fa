"""Worker scaling with a shared store: ``serve --workers 2`` against ``--workers 1``, with SQLite
and with Redis, in the same run, reported as a ratio (issue: >= 1.6x on a 2-core machine).

Each round starts ``mockserver serve --workers N --store URL`` (a real redis-server on a free
loopback port for Redis, a fresh file for SQLite), warms it up, then runs wrk (c=32, stored
non-streaming creates) for ``--duration`` seconds. Rounds alternate 1 and 2 workers; the figure per
setting is the median. The load average of the machine is printed before and after, because on a
shared machine other processes take CPU from the workers.

    .venv/bin/python benchmarks/store_scaling.py [--duration 6] [--rounds 2] [--stores sqlite,redis]

Nothing is asserted; the JSON summary goes to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

import loadgen  # noqa: E402
from redis_server import running_redis  # noqa: E402
from serve_process import ServeProcess, free_port  # noqa: E402

BODY = {"model": "gpt-4o-mini", "input": "Hello from the scaling benchmark"}


@contextmanager
def store_url(kind: str, directory: Path) -> Iterator[str]:
    if kind == "sqlite":
        path = directory / f"state-{time.monotonic_ns()}.db"
        yield f"sqlite:///{path}"
    else:
        with running_redis() as url:
            yield url


def one_round(wrk: str, kind: str, workers: int, args: argparse.Namespace, tmp: Path) -> float:
    body = tmp / "body.json"
    body.write_text(json.dumps(BODY))
    with store_url(kind, tmp) as url:
        server = ServeProcess(
            ["--store", url, "--workers", str(workers)], tmp / f"{kind}-{workers}.log", free_port()
        ).start(workers)
        try:
            endpoint = f"{server.base_url}/responses"
            loadgen.run_wrk(wrk, endpoint, body, 32, 1)  # warm-up: every worker answering
            result = loadgen.run_wrk(wrk, endpoint, body, args.connections, args.duration)
        finally:
            server.stop()
    if result.errors:
        print(f"  ({result.errors} errors in this round)", file=sys.stderr)
    return result.requests_per_s


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=6, help="wrk seconds per round")
    parser.add_argument("--rounds", type=int, default=2, help="rounds per setting")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--stores", default="sqlite,redis")
    args = parser.parse_args()
    wrk = loadgen.check_wrk()
    if wrk is None:
        return 2
    summary: dict[str, object] = {"cpus": os.cpu_count(), "load_before": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="store-scaling-") as directory:
        tmp = Path(directory)
        for kind in args.stores.split(","):
            figures: dict[int, list[float]] = {1: [], 2: []}
            for _ in range(args.rounds):
                for workers in (1, 2):
                    rps = one_round(wrk, kind, workers, args, tmp)
                    figures[workers].append(rps)
                    print(f"{kind} workers={workers}: {rps:.0f} req/s", file=sys.stderr)
            one, two = statistics.median(figures[1]), statistics.median(figures[2])
            summary[kind] = {
                "workers_1_rps": round(one, 1),
                "workers_2_rps": round(two, 1),
                "ratio": round(two / one, 2) if one else None,
                "rounds": {str(k): [round(v, 1) for v in vs] for k, vs in figures.items()},
            }
    summary["load_after"] = os.getloadavg()
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
