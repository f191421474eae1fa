"""In-process cost of one create: our ASGI app against the bare baseline app, no sockets.

Usage::

    .venv/bin/python benchmarks/inprocess.py                 # non-stream and stream, µs/request
    .venv/bin/python benchmarks/inprocess.py --stream --profile 30
    .venv/bin/python benchmarks/inprocess.py --requests 20000 --extra-body '{"store": false}'

Builds our app exactly as ``mockserver serve`` does (its argument parser, defaults and GC
tuning), captures one JSON answer and one stream from it, builds ``baseline_app.py`` serving
those bytes, then calls each ASGI app directly with the request ``run.py`` sends (the headers
wrk sends, the body in one ``http.request`` message) and a ``send`` that drops what it gets.
Rounds alternate ours and the baseline; it prints the median and the best round's CPU µs per
request (process time, so that waiting for a core on a shared machine does not count).
``--profile N`` runs ours under cProfile instead and prints the top N entries by cumulative
and by own time. Nothing is asserted: this is for finding where the time goes.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import pstats
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import orjson

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import baseline_app  # noqa: E402

from mockserver.cli.main import build_parser, serve_app  # noqa: E402
from mockserver.http.serving import tune_gc  # noqa: E402

App = Callable[[dict[str, Any], Any, Any], Awaitable[None]]
BODY = {"model": "gpt-4o-mini", "input": "Hello"}


def scope_for(body: bytes) -> dict[str, Any]:
    """The scope uvicorn (httptools) builds for wrk's POST."""
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},  # as uvicorn 0.54 says
        "http_version": "1.1",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
        "scheme": "http",
        "method": "POST",
        "root_path": "",
        "path": "/v1/responses",
        "raw_path": b"/v1/responses",
        "query_string": b"",
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"content-length", str(len(body)).encode()),
            (b"content-type", b"application/json"),
            (b"authorization", b"Bearer sk-test"),
        ],
        "state": {},
    }


class Sink:
    """An ASGI ``send`` keeping the status, the headers and the body (or only counting)."""

    def __init__(self, keep: bool = False) -> None:
        self.keep = keep
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.body = bytearray()
        self.messages = 0

    async def __call__(self, message: dict[str, Any]) -> None:
        self.messages += 1
        if message["type"] == "http.response.start":
            self.status = message["status"]
            if self.keep:
                self.headers = list(message.get("headers", ()))
        elif self.keep:
            self.body += message.get("body", b"")


async def call(app: App, body: bytes, sink: Sink) -> None:
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)  # a client that stays connected
        return {"type": "http.disconnect"}

    await app(scope_for(body), receive, sink)


async def run_many(app: App, body: bytes, count: int) -> float:
    """CPU seconds of this process for ``count`` requests, one after another (CPU time, not
    wall time: on a shared machine the time the process waits for a core is not its cost)."""
    sink = Sink()
    started = time.process_time()
    for _ in range(count):
        await call(app, body, sink)
    elapsed = time.process_time() - started
    if sink.status != 200:
        raise RuntimeError(f"the app answered {sink.status}")
    return elapsed


def our_app(extra_args: list[str]) -> App:
    args = build_parser().parse_args(["serve", *extra_args])
    return serve_app(args)  # type: ignore[return-value]


async def capture(app: App, body: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    sink = Sink(keep=True)
    await call(app, orjson.dumps(body), sink)
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in sink.headers}
    return bytes(sink.body), headers


async def baseline(app: App, extra: dict[str, Any]) -> App:
    json_body, json_headers = await capture(app, {**BODY, **extra})
    stream_body, stream_headers = await capture(app, {**BODY, **extra, "stream": True})
    payload = baseline_app.Payload(
        json_body=json_body,
        sse_frames=baseline_app.split_sse(stream_body),
        json_headers=baseline_app.replayable_headers(json_headers),
        stream_headers=baseline_app.replayable_headers(stream_headers),
    )
    return baseline_app.build_app(payload)  # type: ignore[return-value]


async def measure(args: argparse.Namespace) -> None:
    extra = orjson.loads(args.extra_body)
    ours = our_app(args.serve_args)
    bare = await baseline(ours, extra)
    tune_gc()
    kinds = [args.stream] if args.stream is not None else [False, True]
    for stream in kinds:
        body = orjson.dumps({**BODY, **extra, **({"stream": True} if stream else {})})
        count = args.requests // (4 if stream else 1)
        await run_many(ours, body, count // 10)  # warm up
        await run_many(bare, body, count // 10)
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            await run_many(ours, body, count)
            profiler.disable()
            stats = pstats.Stats(profiler)
            print(f"== {'stream' if stream else 'non-stream'}: {count} requests under cProfile")
            stats.sort_stats("cumulative").print_stats(args.profile)
            stats.sort_stats("tottime").print_stats(args.profile)
            continue
        rounds: dict[str, list[float]] = {"ours": [], "bare": []}
        per_round = max(1, count // args.rounds)
        for index in range(args.rounds):
            order = [("ours", ours), ("bare", bare)]
            for name, app in order if index % 2 == 0 else reversed(order):
                gc.collect()
                seconds = await run_many(app, body, per_round)
                rounds[name].append(seconds / per_round * 1e6)
        label = "stream" if stream else "non-stream"
        for how, pick in (("median", statistics.median), ("best", min)):
            us_ours, us_bare = pick(rounds["ours"]), pick(rounds["bare"])
            print(
                f"{label:>10} ({how:>6} round): ours {us_ours:7.1f} µs/request, "
                f"bare {us_bare:6.1f} µs/request, ours/bare {us_ours / us_bare:5.2f}x"
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=10000, help="per kind (streams: 1/4)")
    parser.add_argument("--rounds", type=int, default=6)
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--stream", action="store_const", const=True, default=None)
    kind.add_argument("--non-stream", dest="stream", action="store_const", const=False)
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="cProfile, top N")
    parser.add_argument("--extra-body", default="{}", help="JSON merged into the request body")
    parser.add_argument(
        "serve_args", nargs="*", help="arguments for `mockserver serve` (after --)"
    )
    asyncio.run(measure(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
