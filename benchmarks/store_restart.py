"""Durability under crashes: a 200-request mixed run against ``serve --workers 2`` sharing a
SQLite file or a Redis, during which one worker is killed with ``kill -9`` and later the whole
server is killed with ``kill -9`` and started again on the same port and store.

The mix (8 clients at once): stored creates, chained creates (``previous_response_id``),
conversation item appends, conversation turns and background jobs. A request that got no answer
(its connection died with a worker) is *not acknowledged*; a refused connection is retried,
since the request never reached a server; every acknowledged response, item and
job must be there afterwards, each item exactly once. Prints a JSON report; asserts nothing.

    .venv/bin/python benchmarks/store_restart.py [--stores sqlite,redis] [--requests 200]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

from redis_server import running_redis  # noqa: E402
from serve_process import ServeProcess, free_port  # noqa: E402

AUTH = {"authorization": "Bearer sk-test"}
MODEL = "gpt-4o-mini"
RETRY_SECONDS = 60.0


class Run:
    def __init__(self, server: ServeProcess, conversation: str) -> None:
        self.server = server
        self.conversation = conversation
        self.lock = threading.Lock()
        self.responses: list[str] = []
        self.jobs: list[str] = []
        self.items: list[str] = []
        self.failed: Counter[str] = Counter()

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any] | None:
        """POST; None when no answer came. A refused connection never reached the server, so it
        is retried (while the server restarts); a connection that died mid-request is not."""
        deadline = time.monotonic() + RETRY_SECONDS
        while True:
            try:
                reply = httpx.post(
                    f"{self.server.base_url}{path}", json=body, headers=AUTH, timeout=30
                )
                break
            except httpx.ConnectError:
                if time.monotonic() > deadline:
                    return None
                time.sleep(0.05)
            except httpx.TransportError:
                return None
        return reply.json() if reply.status_code == 200 else None

    def request(self, n: int) -> None:
        kind = ("create", "chained", "append", "turn", "background")[n % 5]
        body: dict[str, Any] = {"model": MODEL, "input": f"request {n}"}
        if kind == "chained":
            with self.lock:
                previous = self.responses[-1] if self.responses else None
            if previous:
                body["previous_response_id"] = previous
        if kind == "append":
            item = {"type": "message", "role": "user", "content": f"item {n}"}
            reply = self.post(f"/conversations/{self.conversation}/items", {"items": [item]})
        elif kind == "turn":
            reply = self.post("/responses", {**body, "conversation": self.conversation})
        elif kind == "background":
            reply = self.post("/responses", {**body, "background": True})
        else:
            reply = self.post("/responses", body)
        with self.lock:
            if reply is None:
                self.failed[kind] += 1
            elif kind == "append":
                self.items.append(reply["data"][0]["id"])
            elif kind == "background":
                self.jobs.append(reply["id"])
            else:
                self.responses.append(reply["id"])
                if kind == "turn":
                    self.items += [o["id"] for o in reply["output"]]


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in found.split()]


def workers(pid: int) -> list[int]:
    """The uvicorn worker processes of a server (not multiprocessing's resource tracker)."""
    found = []
    for child in children(pid):
        cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        if b"spawn_main" in cmdline:
            found.append(child)
    return found


def kill_tree(pid: int) -> None:
    """kill -9 the server and its workers (the parent first, so it respawns none)."""
    workers = children(pid)
    os.kill(pid, signal.SIGKILL)
    for child in workers:
        os.kill(child, signal.SIGKILL)


def check(run: Run) -> dict[str, Any]:
    server = run.server
    client = httpx.Client(base_url=server.base_url, headers=AUTH, timeout=30)
    missing_responses = [
        r for r in run.responses if client.get(f"/responses/{r}").status_code != 200
    ]
    time.sleep(1.0)  # let the background jobs finish
    job_states = Counter(client.get(f"/responses/{j}").json().get("status") for j in run.jobs)
    items: list[str] = []
    after = ""
    while True:
        page = client.get(
            f"/conversations/{run.conversation}/items?order=asc&limit=100{after}"
        ).json()
        items += [i["id"] for i in page["data"]]
        if not page["has_more"]:
            break
        after = f"&after={page['last_id']}"
    stored = Counter(items)
    return {
        "acknowledged": {
            "responses": len(run.responses),
            "jobs": len(run.jobs),
            "items": len(run.items),
        },
        "not_acknowledged": dict(run.failed),
        "lost_responses": len(missing_responses),
        "lost_jobs": job_states.get(None, 0),
        "job_states": dict(job_states),
        "lost_items": len(set(run.items) - set(stored)),
        "duplicated_items": sum(1 for count in stored.values() if count > 1),
    }


def run_store(kind: str, url: str, requests: int, tmp: Path) -> dict[str, Any]:
    argv = [
        "--store",
        url,
        "--workers",
        "2",
        "--background-queue-ms",
        "0",
        "--background-run-ms",
        "200",
    ]
    server = ServeProcess(argv, tmp / f"{kind}.log", free_port()).start()
    try:
        conversation = httpx.post(f"{server.base_url}/conversations", json={}, headers=AUTH).json()
        run = Run(server, conversation["id"])
        events: list[str] = []

        def crash(at: int, n: int) -> None:
            if n != at:
                return
            if at == requests // 3:
                victim = workers(server.process.pid)[0]  # type: ignore[union-attr]
                os.kill(victim, signal.SIGKILL)
                events.append(f"kill -9 of worker {victim} at request {n}")
            else:
                kill_tree(server.process.pid)  # type: ignore[union-attr]
                server.process = None
                events.append(f"kill -9 of the whole server at request {n}")
                server.start()
                events.append("server restarted on the same port and store")

        def one(n: int) -> None:
            crash(requests // 3, n)
            crash(2 * requests // 3, n)
            run.request(n)

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(one, range(requests)))
        return {"events": events, **check(run)}
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", default="sqlite,redis")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    report: dict[str, Any] = {"load_before": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="store-restart-") as directory:
        tmp = Path(directory)
        for kind in args.stores.split(","):
            if kind == "sqlite":
                report[kind] = run_store(kind, f"sqlite:///{tmp / 'state.db'}", args.requests, tmp)
            else:
                with running_redis() as url:
                    report[kind] = run_store(kind, url, args.requests, tmp)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
