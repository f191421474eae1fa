"""Run an app under uvicorn in the foreground (the CLI's `serve` and `record`)."""

from __future__ import annotations

import argparse
import gc
import logging
import sys
from collections.abc import Callable, Iterable
from typing import Any

import uvicorn

from mockserver.contract import redaction

# A request allocates a few hundred short-lived dicts (a stream, thousands): with CPython's default
# first-generation threshold (700) the collector runs several times per request. Measured with
# benchmarks/run.py: stream c=32 went from 0.37x to 0.47x of the baseline, non-stream from 0.19x to
# 0.21x. Only here, where this package owns the process; `MockServer` leaves the host's GC alone.
GC_THRESHOLDS = (100_000, 20, 100)

# What to print once the server listens: lines, given the URL it listens on ("http://host:port").
Announce = Callable[[str], Iterable[str]]

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


class AnnouncingServer(uvicorn.Server):
    """uvicorn's server, printing ``announce(url)`` to stderr once its socket is bound.

    A failed bind ("address already in use") ends start-up before that, so the lines never claim
    an address the server does not hold.
    """

    def __init__(self, config: uvicorn.Config, announce: Announce) -> None:
        super().__init__(config)
        self.announce = announce

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets)
        if self.started:
            port = self.servers[0].sockets[0].getsockname()[1]
            for line in self.announce(f"http://{self.config.host}:{port}"):
                print(line, file=sys.stderr, flush=True)


def run_foreground(app: Any, args: argparse.Namespace, announce: Announce) -> int:
    """Serve ``app`` on ``args.host``/``args.port`` until interrupted; 1 when it cannot listen."""
    # uvicorn's logging set-up keeps a logger's filters, so this one survives it.
    access = logging.getLogger("uvicorn.access")
    if ACCESS_LOG_FILTER not in access.filters:
        access.addFilter(ACCESS_LOG_FILTER)

    gc.collect()
    gc.freeze()  # what is alive at start-up lives for good: keep it out of every collection
    gc.set_threshold(*GC_THRESHOLDS)
    from mockserver.http.protocol import protocol_class

    config = uvicorn.Config(
        app,
        http=protocol_class(),
        host=args.host,
        port=args.port,
        access_log=args.access_log,
        log_level="info" if args.access_log else "warning",
    )
    server = AnnouncingServer(config, announce)
    try:
        server.run()
    except SystemExit:  # uvicorn's way out of a failed start-up, after logging why
        if server.started:
            raise
        print(
            f"mockserver: could not listen on {args.host}:{args.port} (the error is above); "
            "stop what holds that address or pick another --port",
            file=sys.stderr,
        )
        return 1
    return 0
