"""Run an app under uvicorn in the foreground (the CLI's `serve` and `record`)."""

from __future__ import annotations

import argparse
import gc
from typing import Any

# A request allocates a few hundred short-lived dicts (a stream, thousands): with CPython's default
# first-generation threshold (700) the collector runs several times per request. Measured with
# benchmarks/run.py: stream c=32 went from 0.37x to 0.47x of the baseline, non-stream from 0.19x to
# 0.21x. Only here, where this package owns the process; `MockServer` leaves the host's GC alone.
GC_THRESHOLDS = (100_000, 20, 100)


def run_foreground(app: Any, args: argparse.Namespace) -> int:
    import uvicorn

    gc.collect()
    gc.freeze()  # what is alive at start-up lives for good: keep it out of every collection
    gc.set_threshold(*GC_THRESHOLDS)
    from mockserver.http.protocol import protocol_class

    uvicorn.run(
        app,
        http=protocol_class(),
        host=args.host,
        port=args.port,
        access_log=args.access_log,
        log_level="info" if args.access_log else "warning",
    )
    return 0
