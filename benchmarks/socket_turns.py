"""Turns per second over the WebSocket mode against the same turns over SSE, in one run.

Usage::

    .venv/bin/python benchmarks/socket_turns.py [--seconds 4] [--rounds 2]

Starts our server once (``python -m mockserver serve``, pinned to CPU 0 when there are two or
more), then for each concurrency (1 and 32) measures, in interleaved rounds (ABBA), how many
whole turns per second complete:

- **SSE**: ``POST /v1/responses`` with ``stream: true`` over keep-alive HTTP connections (httpx,
  one connection per worker), the stream read to its last byte;
- **socket**: ``response.create`` on one open WebSocket per worker (the ``websockets`` client),
  read up to ``response.completed``.

Both clients are Python on the same event loop (uvloop when installed), so the ratio
socket / SSE compares the transports, not the load generators. The machine's load average is
printed before and after: on a shared machine read the ratio, not the absolute figures. Nothing
is asserted; the run is bounded (seconds x rounds x 2 transports x 2 concurrencies, plus start-up).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import (  # noqa: E402
    AUTH,
    DEFAULT_OURS_CMD,
    HOST,
    MODEL,
    Server,
    free_port,
    running,
    start_server,
    wait_ready,
)

BODY: dict[str, Any] = {"model": MODEL, "input": "Hello"}
CONCURRENCIES = (1, 32)


class SSEClient:
    """One keep-alive HTTP connection; a turn is one streamed POST read to its last byte."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.client = httpx.AsyncClient(timeout=30.0, limits=httpx.Limits(max_connections=1))
        self.body = {**BODY, "stream": True}

    async def open(self) -> None:
        await self.turn()  # connects (and checks the answer) before the clock starts

    async def turn(self) -> None:
        headers = {"Authorization": AUTH}
        async with self.client.stream("POST", self.url, json=self.body, headers=headers) as r:
            async for _ in r.aiter_raw():
                pass
            if r.status_code != 200:
                raise RuntimeError(f"SSE turn answered {r.status_code}")

    async def close(self) -> None:
        await self.client.aclose()


class SocketClient:
    """One open WebSocket; a turn is one response.create read up to response.completed."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.create = json.dumps({"type": "response.create", **BODY})
        self.ws: Any = None

    async def open(self) -> None:
        self.ws = await connect(self.url, additional_headers={"Authorization": AUTH})
        await self.turn()

    async def turn(self) -> None:
        await self.ws.send(self.create)
        while True:
            event = json.loads(await self.ws.recv())
            if event["type"] == "response.completed":
                return
            if event["type"] == "error":
                raise RuntimeError(f"socket turn failed: {event}")

    async def close(self) -> None:
        await self.ws.close()


async def turns_per_second(make: Callable[[], Any], concurrency: int, seconds: float) -> float:
    """Whole turns per second over ``concurrency`` connections opened before the clock starts."""
    clients = [make() for _ in range(concurrency)]
    await asyncio.gather(*(client.open() for client in clients))

    async def loop(client: Any, deadline: float) -> int:
        turns = 0
        while time.monotonic() < deadline:
            await client.turn()
            turns += 1
        return turns

    started = time.monotonic()
    try:
        counts = await asyncio.gather(*(loop(c, started + seconds) for c in clients))
        return sum(counts) / (time.monotonic() - started)
    finally:
        await asyncio.gather(*(client.close() for client in clients))


async def measure(http_url: str, ws_url: str, seconds: float, rounds: int) -> list[dict[str, Any]]:
    transports = {"sse": lambda: SSEClient(http_url), "socket": lambda: SocketClient(ws_url)}
    results = []
    for concurrency in CONCURRENCIES:
        # Warm-up, then ABBA rounds so a slow phase of the machine hits both transports.
        for make in transports.values():
            await turns_per_second(make, concurrency, 0.5)
        rates: dict[str, list[float]] = {name: [] for name in transports}
        for index in range(rounds):
            order = list(transports) if index % 2 == 0 else list(reversed(transports))
            for name in order:
                rates[name].append(await turns_per_second(transports[name], concurrency, seconds))
        sse = sum(rates["sse"]) / rounds
        sock = sum(rates["socket"]) / rounds
        results.append(
            {"concurrency": concurrency, "sse_turns_s": sse, "socket_turns_s": sock,
             "ratio_socket_over_sse": sock / sse if sse else None}
        )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="per transport per round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--no-pin", action="store_true", help="don't pin the server to CPU 0")
    args = parser.parse_args(argv)
    pin = not args.no_pin and (os.cpu_count() or 1) >= 2
    port = free_port()
    cmd = DEFAULT_OURS_CMD.format(python=sys.executable, host=HOST, port=port, baseline="")
    log = Path(tempfile.mkdtemp(prefix="socket-bench-")) / "ours.log"
    server = Server("ours", cmd.split(), port, log)
    with running([server]):
        start_server(server, pin)
        wait_ready(server)
        if pin:
            os.sched_setaffinity(0, set(range(1, os.cpu_count() or 2)))
        try:
            import uvloop

            uvloop.install()
        except ImportError:
            pass
        load_before = os.getloadavg()
        results = asyncio.run(
            measure(f"http://{HOST}:{port}/v1/responses", f"ws://{HOST}:{port}/v1/responses",
                    args.seconds, args.rounds)
        )
        load_after = os.getloadavg()
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} "
          f"({os.cpu_count()} CPUs; server pinned: {pin})")
    print(f"{'connections':>11}  {'SSE turns/s':>12}  {'socket turns/s':>14}  {'socket/SSE':>10}")
    for row in results:
        print(f"{row['concurrency']:>11}  {row['sse_turns_s']:>12.1f}  "
              f"{row['socket_turns_s']:>14.1f}  {row['ratio_socket_over_sse']:>9.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
