"""Item references and DELETE against the store's size (issue #16: no endpoint's cost grows with
the whole store). For each backend, on a small and on a large store in the same run: a create
whose ``input`` is an item reference to an unknown id (the real 404), one referencing an item of
a stored response, and a DELETE of a response in the middle of a chain. Reported as medians and
as the ratio large/small: a request whose cost does not grow with the store stays near 1x.
The old way (listing every response and conversation, as both once did) is timed alongside.

Records are copies of a real create's stored response under fresh response and item ids, stored
through the store itself; requests go through the app in-process; a real redis-server is started
on a free loopback port.

    .venv/bin/python benchmarks/store_lookups.py [--small 1000] [--large 20000]
        [--stores memory,sqlite,redis] [--repeat 5]

Nothing is asserted; the JSON summary goes to stdout.
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from starlette.testclient import TestClient
from store_kinds import opened_store

from mockserver.http.app import create_app
from mockserver.state.config import ServerConfig
from mockserver.state.store import Store, StoredResponse

AUTH = {"authorization": "Bearer sk-test"}
MODEL = "gpt-4o-mini"


def fresh(item: dict[str, Any]) -> dict[str, Any]:
    return {**item, "id": f"{item['id'].split('_', 1)[0]}_{secrets.token_hex(24)}"}


def fill(store: Store, template: StoredResponse, count: int) -> str:
    """``count`` copies of ``template`` under fresh ids; returns an item id of one of them."""
    item_id = ""
    for n in range(count):
        output = [fresh(item) for item in template.response["output"]]
        body = {**template.response, "id": f"resp_{secrets.token_hex(24)}", "output": output}
        store.put_response(replace(template, response=body, input_items=[]))
        if n == count // 2:
            item_id = output[0]["id"]
    return item_id


def timed(repeat: int, run: Callable[[], None]) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(store: Store, client: TestClient, item_id: str, repeat: int) -> dict[str, float]:
    def unknown() -> None:
        reference = [{"type": "item_reference", "id": "msg_nowhere"}]
        reply = client.post("/v1/responses", json={"model": MODEL, "input": reference})
        assert reply.status_code == 404, reply.text

    def known() -> None:
        reference = [{"type": "item_reference", "id": item_id}]
        reply = client.post("/v1/responses", json={"model": MODEL, "input": reference})
        assert reply.status_code == 200, reply.text

    chains = []
    for _ in range(repeat):
        first = client.post("/v1/responses", json={"model": MODEL, "input": "one"}).json()
        body = {"model": MODEL, "input": "two", "previous_response_id": first["id"]}
        client.post("/v1/responses", json=body)
        chains.append(first["id"])

    def delete() -> None:
        assert client.delete(f"/v1/responses/{chains.pop()}").status_code == 200

    def listing() -> None:
        store.list_responses()
        store.list_conversations()

    return {
        "unknown_reference_ms": timed(repeat, unknown),
        "reference_ms": timed(repeat, known),
        "delete_in_chain_ms": timed(repeat, delete),
        "old_listing_ms": timed(min(repeat, 3), listing),
    }


def run(kind: str, small: int, large: int, repeat: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with opened_store(kind) as store:
        store.clear()
        app = create_app(ServerConfig(), store=store)
        with TestClient(app, headers=AUTH) as client:
            made = client.post("/v1/responses", json={"model": MODEL, "input": "hello"}).json()
            template = store.get_response(made["id"])
            assert template is not None
            item_id = fill(store, template, small)
            results["small"] = measure(store, client, item_id, repeat)
            item_id = fill(store, template, large - small)
            results["large"] = measure(store, client, item_id, repeat)
        store.clear()
    results["ratio_large_small"] = {
        name: round(results["large"][name] / results["small"][name], 2)
        for name in results["small"]
    }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=20000)
    parser.add_argument("--stores", default="memory,sqlite,redis")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    summary = {
        kind: run(kind, args.small, args.large, args.repeat) for kind in args.stores.split(",")
    }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
