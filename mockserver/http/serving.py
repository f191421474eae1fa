"""Run an app under uvicorn in the foreground (the CLI's `serve` and `record`), in this process
or in several worker processes (`serve --workers N`) that share a SQLite or Redis store."""

from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any

import orjson
import uvicorn

from mockserver.contract import redaction

# The worker processes rebuild the app from the same `serve` arguments, passed in this variable.
WORKER_ARGV_VARIABLE = "MOCKSERVER_WORKER_ARGV"
WORKER_HEALTHCHECK_SECONDS = 60

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


def redact_access_log() -> None:
    """Install the filter (once per process: each ``--workers`` process calls this too)."""
    # uvicorn's logging set-up keeps a logger's filters, so this one survives it.
    access = logging.getLogger("uvicorn.access")
    if ACCESS_LOG_FILTER not in access.filters:
        access.addFilter(ACCESS_LOG_FILTER)


def tune_gc() -> None:
    gc.collect()
    gc.freeze()  # what is alive at start-up lives for good: keep it out of every collection
    gc.set_threshold(*GC_THRESHOLDS)


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
            _announce(self.announce, self.config.host, port)


def _announce(announce: Announce, host: str, port: int) -> None:
    for line in announce(f"http://{host}:{port}"):
        print(line, file=sys.stderr, flush=True)


def _config(app: Any, args: argparse.Namespace, **options: Any) -> uvicorn.Config:
    from mockserver.http.protocol import protocol_class

    return uvicorn.Config(
        app,
        http=protocol_class(),
        host=args.host,
        port=args.port,
        access_log=args.access_log,
        log_level="info" if args.access_log else "warning",
        **options,
    )


def _cannot_listen(args: argparse.Namespace) -> int:
    print(
        f"mockserver: could not listen on {args.host}:{args.port} (the error is above); "
        "stop what holds that address or pick another --port",
        file=sys.stderr,
    )
    return 1


def run_foreground(app: Any, args: argparse.Namespace, announce: Announce) -> int:
    """Serve ``app`` on ``args.host``/``args.port`` until interrupted; 1 when it cannot listen."""
    redact_access_log()
    tune_gc()
    server = AnnouncingServer(_config(app, args), announce)
    try:
        server.run()
    except SystemExit:  # uvicorn's way out of a failed start-up, after logging why
        if server.started:
            raise
        return _cannot_listen(args)
    return 0


def run_workers(
    factory: str, argv: list[str], args: argparse.Namespace, announce: Announce
) -> int:
    """Serve with ``args.workers`` processes; each calls ``factory`` (``module:function``). The
    socket is bound here, before the workers start, and announced once it is."""
    from uvicorn.supervisors import Multiprocess

    os.environ[WORKER_ARGV_VARIABLE] = orjson.dumps(argv).decode()
    config = _config(
        factory,
        args,
        factory=True,
        workers=args.workers,
        # A worker starting on a busy machine must not be taken for a hung one.
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
    )
    try:
        sock = config.bind_socket()
    except SystemExit:
        return _cannot_listen(args)
    _announce(announce, args.host, sock.getsockname()[1])
    with contextlib.suppress(KeyboardInterrupt):
        Multiprocess(config, sockets=[sock]).run()
    return 0
