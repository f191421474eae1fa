"""``MockServer``: the app under uvicorn in a background thread, on a free loopback port."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn

from mockserver.contract.errors import MockServerError
from mockserver.http.app import create_app
from mockserver.http.protocol import protocol_class
from mockserver.http.replay import ReplayLayer, pop_replay_options
from mockserver.scenarios.clock import Clock
from mockserver.scenarios.journal_query import JournalView
from mockserver.scenarios.stubs.api import Stubs
from mockserver.scenarios.stubs.registry import Entry
from mockserver.state.config import ServerConfig
from mockserver.state.mock_state import MockState

STARTUP_TIMEOUT = 10.0


class ServerFailure(MockServerError):
    """An exception escaped a handler inside the mock server; it is chained as the cause."""


class MockServer:
    """Start the mock server for a test session::

    with MockServer() as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="sk-test")
    """

    def __init__(
        self,
        config: ServerConfig | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Clock | None = None,
        seed_file: str | Path | None = None,
        **config_fields: Any,
    ) -> None:
        if seed_file is not None:
            config_fields["seed_file"] = Path(seed_file)
        # Record/replay (docs/record-replay.md): recordings=DIR, record_mode=, cassette=, ...
        replay = pop_replay_options(config_fields)
        config = config or ServerConfig(**config_fields)
        self.app = create_app(config, clock=clock, replay=replay)
        self.replay: ReplayLayer | None = self.app.state.replay
        self.host = host
        self._requested_port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port: int | None = None

    @property
    def state(self) -> MockState:
        return self.app.state.mock

    @property
    def stubs(self) -> Stubs:
        """The server's stubs: ``add``, ``load``, ``remove``, ``entries``, scenario ``states``."""
        return Stubs(self.state.stubs)

    def stub(self, definition: Mapping[str, Any] | None = None, **fields: Any) -> Entry:
        """Add a stub (a mapping in the file format, or keywords such as ``input="weather",
        text="Sunny"``); see docs/stubs-faults-tools.md."""
        return self.stubs.add(definition, **fields)

    @property
    def journal(self) -> JournalView:
        """Every request the server saw, with assertion helpers (journal_query.py)."""
        return JournalView(self.state.journal)

    @property
    def url(self) -> str:
        if self.port is None:
            raise MockServerError("the server is not running; call start() or use `with`")
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What to pass as the SDK's ``base_url`` (ends in ``/v1``)."""
        return f"{self.url}/v1"

    def start(self) -> MockServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self._requested_port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            http=protocol_class(),
            log_level="warning",
            access_log=False,
            lifespan="off",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="mockserver", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise MockServerError(f"the mock server did not start on {self.url}")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            if self.replay is not None:
                self.replay.close()
            self._server.should_exit = True
            self._thread.join(timeout=STARTUP_TIMEOUT)
            self.state.store.close()  # connections of a SQLite or Redis store (reopened on use)
        self._server = self._thread = None

    def reset(self) -> None:
        """Back to the start-up state between tests: the seed file's responses and conversations
        and the start-up stubs stay; everything else (responses, conversations, journal,
        run-time stubs, counters, scenario states, failures) is forgotten."""
        self.state.reset()
        self.state.take_failures()
        if self.replay is not None:
            self.replay.rewind()

    def raise_failures(self) -> None:
        """Re-raise, in the caller, the first exception that escaped a handler since last time."""
        failures = self.state.take_failures()
        if failures:
            raise ServerFailure(
                f"{len(failures)} request(s) failed inside the mock server; the first is chained "
                "below. This is a bug in the mock server: please report it."
            ) from failures[0]

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
        if exc is None:
            self.raise_failures()
