"""Drive a headless Chromium over the DevTools protocol (for tests/test_browser.py).

Only what the browser tests need: start the browser, open a tab, load a page, evaluate
JavaScript, wait until an expression holds. Console output and uncaught page errors are kept, so a
failing wait says what the page complained about.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--remote-debugging-port=0",
)
START_TIMEOUT = 30.0
WAIT_TIMEOUT = 20.0


def find_chromium() -> str | None:
    """The browser to use: ``$MOCKSERVER_CHROMIUM``, else the first one on PATH."""
    configured = os.environ.get("MOCKSERVER_CHROMIUM")
    if configured:
        return configured
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


class DevToolsError(RuntimeError):
    pass


class _Connection:
    def __init__(self, url: str) -> None:
        self._stack = contextlib.ExitStack()
        self.ws: ClientConnection = self._stack.enter_context(
            connect(url, max_size=None, open_timeout=10)
        )
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, timeout: float = WAIT_TIMEOUT, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        call_id = self.next_id
        self.ws.send(json.dumps({"id": call_id, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DevToolsError(f"{method}: no answer within {timeout} s")
            message = json.loads(self.ws.recv(timeout=remaining))
            if message.get("id") == call_id:
                if "error" in message:
                    raise DevToolsError(f"{method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def wait_event(self, method: str, timeout: float = WAIT_TIMEOUT) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events:
                if event["method"] == method:
                    return event
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DevToolsError(f"no {method} within {timeout} s")
            message = json.loads(self.ws.recv(timeout=remaining))
            if "method" in message:
                self.events.append(message)

    def close(self) -> None:
        self._stack.close()


class Tab:
    def __init__(self, browser: Chromium, target_id: str, url: str) -> None:
        self.browser = browser
        self.target_id = target_id
        self.conn = _Connection(url)
        self.conn.call("Runtime.enable")
        self.conn.call("Page.enable")

    def goto(self, url: str) -> None:
        """Load ``url`` and wait for its load event."""
        self.conn.events.clear()
        result = self.conn.call("Page.navigate", url=url)
        if result.get("errorText"):
            raise DevToolsError(f"could not load {url}: {result['errorText']}")
        self.conn.wait_event("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        result = self.conn.call(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise DevToolsError(f"{expression!r} threw: {result['exceptionDetails']}")
        return result["result"].get("value")

    def text(self, selector: str) -> str:
        return self.evaluate(f"document.querySelector({json.dumps(selector)})?.textContent ?? ''")

    def wait_for(self, expression: str, timeout: float = WAIT_TIMEOUT) -> Any:
        """Poll ``expression`` until it is truthy and return its value; fail with the page's
        console output and visible text when it never becomes so."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                shown = self.evaluate("document.body ? document.body.innerText : ''")
                raise AssertionError(
                    f"the page never satisfied {expression!r} within {timeout} s.\n"
                    f"console:\n{self.console()}\npage text:\n{shown}"
                )
            time.sleep(0.05)

    def console(self) -> str:
        lines = []
        for event in self.conn.events:
            params = event.get("params", {})
            if event["method"] == "Runtime.consoleAPICalled":
                args = " ".join(str(a.get("value", a.get("description"))) for a in params["args"])
                lines.append(f"  console.{params['type']}: {args}")
            elif event["method"] == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                exception = details.get("exception", {})
                lines.append(f"  uncaught: {exception.get('description', details.get('text'))}")
        return "\n".join(lines) or "  (nothing)"

    def close(self) -> None:
        self.conn.close()
        self.browser.conn.call("Target.closeTarget", targetId=self.target_id)


class Chromium:
    """A headless browser in its own process group and throw-away profile."""

    def __init__(self, executable: str, extra_args: tuple[str, ...] = ()) -> None:
        self.profile = Path(tempfile.mkdtemp(prefix="mockserver-chromium-"))
        self.log = (self.profile / "chromium.log").open("wb")
        self.process = subprocess.Popen(
            [executable, *FLAGS, *extra_args, f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            self.port, browser_path = self._devtools_address()
            self.conn = _Connection(f"ws://127.0.0.1:{self.port}{browser_path}")
        except BaseException:
            self.close()
            raise

    def _devtools_address(self) -> tuple[int, str]:
        marker = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            lines = marker.read_text().split("\n") if marker.exists() else []
            if len(lines) >= 2 and lines[0].strip().isdigit() and lines[1].strip():
                return int(lines[0]), lines[1].strip()
            time.sleep(0.05)
        self.log.flush()
        output = (self.profile / "chromium.log").read_text(errors="replace")[-2000:]
        raise DevToolsError(f"chromium did not start (exit code {self.process.poll()}):\n{output}")

    def new_tab(self) -> Tab:
        target_id = self.conn.call("Target.createTarget", url="about:blank")["targetId"]
        return Tab(self, target_id, f"ws://127.0.0.1:{self.port}/devtools/page/{target_id}")

    def close(self) -> None:
        if getattr(self, "conn", None) is not None:
            self.conn.close()
        # The browser's helpers share its process group; end them all, and only them.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)
