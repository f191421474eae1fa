"""Run an app under uvicorn in the foreground (the CLI's `serve` and `record`)."""

from __future__ import annotations

import argparse
import gc
import logging
from typing import Any

from mockserver.contract import redaction

# A request allocates a few hundred short-lived dicts (a stream, thousands): with CPython's default
# first-generation threshold (700) the collector runs several times per request. Measured with
# benchmarks/run.py: stream c=32 went from 0.37x to 0.47x of the baseline, non-stream from 0.19x to
# 0.21x. Only here, where this package owns the process; `MockServer` leaves the host's GC alone.
GC_THRESHOLDS = (100_000, 20, 100)


class RedactedAccessLog(logging.Filter):
    """Mask credentials in uvicorn's access log lines (``"%s - "%s %s HTTP/%s" %d"``: the third
    argument is the path with its query), by the shared rules of contract/redaction.py."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            path, _, query = args[2].partition("?")
            record.args = (*args[:2], redaction.target(path, query), *args[3:])
        return True


ACCESS_LOG_FILTER = RedactedAccessLog()


def run_foreground(app: Any, args: argparse.Namespace) -> int:
    import uvicorn

    # uvicorn's logging set-up keeps a logger's filters, so this one survives it.
    access = logging.getLogger("uvicorn.access")
    if ACCESS_LOG_FILTER not in access.filters:
        access.addFilter(ACCESS_LOG_FILTER)

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
