"""Bytes per stored response in ``memory://``: the resident memory (RSS) a server process gains
per stored non-streamed response, over 50,000 of them (issue #14's budget: <= 2 KB each,
including what resuming its stream needs; the events are regenerated, deterministically).

``--distinct N`` real creates go through the app (``POST /v1/responses``, varied inputs); then
their stored records are copied under fresh response and item ids until the store holds
``--responses`` of them, as a busy server's would be (every item id distinct, so the store's item
index holds one entry per item, as it would). RSS is read from /proc before and after (with the
garbage collected);
``bytes_used`` is what the store's own byte bound counts.

    .venv/bin/python benchmarks/store_memory.py [--responses 50000] [--distinct 500]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import secrets
import sys
from dataclasses import replace

from starlette.testclient import TestClient

from mockserver.http.app import create_app
from mockserver.state.config import ServerConfig
from mockserver.state.store import MemoryStore

AUTH = {"authorization": "Bearer sk-test"}
WORDS = [
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliet",
    "kilo",
    "lima",
]


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def fresh_id(item: dict) -> dict:
    prefix = item["id"].split("_", 1)[0]
    return {**item, "id": f"{prefix}_{secrets.token_hex(25)}"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=50_000)
    parser.add_argument("--distinct", type=int, default=500)
    args = parser.parse_args()
    app = create_app(ServerConfig())
    store = app.state.mock.store
    assert isinstance(store, MemoryStore)
    with TestClient(app, headers=AUTH) as client:
        ids = []
        for n in range(args.distinct):
            text = " ".join(WORDS[(n * 7 + k) % len(WORDS)] for k in range(3 + n % 9))
            reply = client.post("/v1/responses", json={"model": "gpt-4o-mini", "input": text})
            ids.append(reply.json()["id"])
    originals = [store.get_response(i) for i in ids]
    store.clear()
    gc.collect()
    before = rss_bytes()
    for n in range(args.responses):
        original = originals[n % len(originals)]
        new_id = "resp_" + secrets.token_hex(25)
        output = [fresh_id(item) for item in original.response["output"]]
        store.put_response(
            replace(
                original,
                response={**original.response, "id": new_id, "output": output},
                input_items=[fresh_id(item) for item in original.input_items],
            )
        )
    gc.collect()
    after = rss_bytes()
    summary = {
        "responses": len(store),
        "rss_bytes_per_response": round((after - before) / args.responses),
        "store_bytes_per_response": round(store.bytes_used / args.responses),
        "plain_json_bytes_per_response": round(
            sum(len(json.dumps([o.response, o.input_items, o.context])) for o in originals)
            / len(originals)
        ),
    }
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
