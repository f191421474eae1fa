"""A real ``redis-server`` on a free loopback port with a temporary directory, for tests and
benchmarks (Debian package ``redis-server``; ``valkey-server`` works too)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

import redis

BINARIES = ("redis-server", "valkey-server")
MISSING = (
    "needs a redis-server binary (Debian package redis-server, or valkey-server) on PATH; "
    "install it to run the Redis store tests"
)


def redis_binary() -> str | None:
    return next((path for name in BINARIES if (path := shutil.which(name))), None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_redis() -> Iterator[str]:
    """Start redis-server; yield its URL (``redis://127.0.0.1:PORT/0``); stop it."""
    binary = redis_binary()
    if binary is None:
        raise RuntimeError(MISSING)
    with tempfile.TemporaryDirectory(prefix="mockserver-redis-") as directory:
        port = free_port()
        process = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                directory,
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "yes",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"redis://127.0.0.1:{port}/0"
        client = redis.Redis.from_url(url)
        deadline = time.monotonic() + 10
        try:
            while True:
                try:
                    client.ping()
                    break
                except redis.ConnectionError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"{binary} did not start on port {port}") from None
                    time.sleep(0.02)
            yield url
        finally:
            client.close()
            process.terminate()
            process.wait(timeout=10)
