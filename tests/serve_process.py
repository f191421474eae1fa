"""``mockserver serve`` as a real process on a free loopback port (for replica and restart tests
and the store benchmarks)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

# A bound on waiting for a start on a busy machine, not an assertion on speed.
START_SECONDS = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ServeProcess:
    argv: list[str]
    log: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    def workers_ready(self) -> int:
        return self.log.read_text().count(" ready\n") if self.log.exists() else 0

    def start(self, workers: int = 1) -> ServeProcess:
        """Start; return once it answers and (with ``--workers``) ``workers`` more workers than
        were ready before are ready."""
        ready_before = self.workers_ready()
        with self.log.open("ab") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "mockserver", "serve", *self.argv, "--port", str(self.port)],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        deadline = time.monotonic() + START_SECONDS
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"mockserver serve exited: {self.log.read_text()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"mockserver serve did not start: {self.log.read_text()}")
            try:
                httpx.get(f"{self.url}/__mockserver/scenarios", timeout=5)
            except httpx.TransportError:
                time.sleep(0.05)
                continue
            if workers == 1 or self.workers_ready() - ready_before >= workers:
                return self
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def kill(self) -> None:
        """kill -9: no shutdown, nothing flushed by the process itself."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
        self.process = None


@contextmanager
def serving(argv: list[str], log: Path, port: int | None = None) -> Iterator[ServeProcess]:
    server = ServeProcess(argv, log, port or free_port()).start()
    try:
        yield server
    finally:
        server.stop()
