"""The official JS SDK's WebSocket mode against the socket route.

The JS SDK's ``ResponsesWS`` (``openai/resources/responses/ws``) runs on Node only: it needs the
``ws`` package, and browsers cannot send an ``Authorization`` header in a WebSocket handshake, so
there is no browser page for it. Needs ``node`` and ``npm ci --prefix tests/browser`` (which
installs ``openai`` and ``ws``); skips and says why without them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver import MockServer
from mockserver.http.self_check import parse_sse

PAGES = Path(__file__).resolve().parents[1] / "browser"
SCRIPT = PAGES / "responses_ws.mjs"
NEEDED = [PAGES / "node_modules" / "openai" / "package.json", PAGES / "node_modules" / "ws"]


def run_script(base_url: str) -> list[list[dict[str, Any]]]:
    node = shutil.which("node")
    missing = [str(p.relative_to(PAGES)) for p in NEEDED if not p.exists()]
    if node is None or missing:
        pytest.skip(
            f"needs node and `npm ci --prefix tests/browser` (missing: {missing or ['node']})"
        )
    done = subprocess.run(
        [node, str(SCRIPT), base_url, "sk-test"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=PAGES,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)["turns"]


def test_the_js_sdk_websocket_mode_chains_turns_and_survives_an_error() -> None:
    with MockServer(self_check=True) as server:
        first, second, invalid, after = run_script(server.base_url)
        headers = {"authorization": "Bearer sk-test"}
        body = {"model": "gpt-4o-mini", "input": "Remember: my project is Atlas.", "store": False}
        sse = httpx.post(f"{server.base_url}/responses", json={**body, "stream": True},
                         headers=headers)
        http_error = httpx.post(
            f"{server.base_url}/responses",
            json={"model": "gpt-4o-mini", "input": "Hi", "temperature": 9},
            headers=headers,
        )
    over_sse, problems = parse_sse(sse.content)
    assert problems == []
    assert [(e["type"], e["sequence_number"], e.get("delta")) for e in first] == [
        (e["type"], e["sequence_number"], e.get("delta")) for e in over_sse
    ]
    assert second[-1]["type"] == "response.completed"
    assert second[-1]["response"]["previous_response_id"] == first[-1]["response"]["id"]
    assert invalid == [{"type": "error", "status": 400, "error": http_error.json()["error"]}]
    assert after[-1]["type"] == "response.completed"
