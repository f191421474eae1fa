"""Run an app under uvicorn in the foreground (the CLI's `serve` and `record`), in this process
or in several worker processes (`serve --workers N`) that share a SQLite or Redis store."""

from __future__ import annotations

import argparse
import gc
import os
from typing import Any

import orjson

# The worker processes rebuild the app from the same `serve` arguments, passed in this variable.
WORKER_ARGV_VARIABLE = "MOCKSERVER_WORKER_ARGV"
WORKER_HEALTHCHECK_SECONDS = 60

# A request allocates a few hundred short-lived dicts (a stream, thousands): with CPython's default
# first-generation threshold (700) the collector runs several times per request. Measured with
# benchmarks/run.py: stream c=32 went from 0.37x to 0.47x of the baseline, non-stream from 0.19x to
# 0.21x. Only here, where this package owns the process; `MockServer` leaves the host's GC alone.
GC_THRESHOLDS = (100_000, 20, 100)


def tune_gc() -> None:
    gc.collect()
    gc.freeze()  # what is alive at start-up lives for good: keep it out of every collection
    gc.set_threshold(*GC_THRESHOLDS)


def run_foreground(app: Any, args: argparse.Namespace) -> int:
    import uvicorn

    tune_gc()
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        access_log=args.access_log,
        log_level="info" if args.access_log else "warning",
    )
    return 0


def run_workers(factory: str, argv: list[str], args: argparse.Namespace) -> int:
    """Serve with ``args.workers`` processes; each calls ``factory`` (``module:function``)."""
    import uvicorn

    os.environ[WORKER_ARGV_VARIABLE] = orjson.dumps(argv).decode()
    uvicorn.run(
        factory,
        factory=True,
        workers=args.workers,
        # A worker starting on a busy machine must not be taken for a hung one.
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        host=args.host,
        port=args.port,
        access_log=args.access_log,
        log_level="info" if args.access_log else "warning",
    )
    return 0
