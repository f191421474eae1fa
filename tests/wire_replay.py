"""Replay every recorded request of ``../shared/wire*`` against the app and compare the answers.

A support module for ``tests/contract/test_wire_replay.py``; run it as a script for the figures:

    .venv/bin/python tests/wire_replay.py            # the table, per source and overall
    .venv/bin/python tests/wire_replay.py --details  # plus every remaining difference

Each recording file is replayed in order against a fresh app, so a later request's
``previous_response_id``, ``conversation`` or item ids (mapped from the recorded ids to ours)
find the state the earlier ones created. What is compared:

* **accepted**: the real API answered 2xx and we do; it answered 4xx and we answer the same
  status (and the same message, where the message is recorded).
* **same shape**: our reply contains every key path of the recorded one. List elements are keyed
  by their ``type``, and paths inside output item types (or events about them) that only one side
  produced are left out: the fake model's decision (text or which tool) may differ.
* **same event order**: for streams where both sides produced the same output item types, the
  same sequence of event types (runs of deltas collapsed).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
from wire_corpus import Exchange, by_file

from mockserver import ManualClock, ServerConfig, create_app
from mockserver.http.self_check import parse_sse
from mockserver.state.lifecycle import Timeline

API_KEY = "sk-replay"
EMULATED = re.compile(r"^/v1/(responses|conversations)(/|$|\?)")
# Values recorded in place of the real ones, which no client can send back.
ID_PATTERN = re.compile(
    r"\b(?:resp|msg|rs|fc|conv|cmp|ws|fs|ci|ig|mcp[lr]?|ctc|tsc|tso|call)_[A-Za-z0-9_]+"
)
TERMINAL = ("response.completed", "response.incomplete", "response.failed")


@dataclass
class Outcome:
    exchange: Exchange
    status: int
    body: Any = None
    events: list[dict[str, Any]] | None = None
    accepted: bool = False
    same_message: bool | None = None
    missing_paths: list[str] = field(default_factory=list)
    same_order: bool | None = None  # None: not comparable (not a stream, or other decisions)
    order_diff: str = ""
    self_check: list[str] = field(default_factory=list)

    @property
    def same_shape(self) -> bool:
        return self.accepted and not self.missing_paths


def _success(exchange: Exchange) -> bool:
    if exchange.status is not None:
        return 200 <= exchange.status < 300
    return not (isinstance(exchange.response, dict) and exchange.response.get("error"))


def replayable(exchange: Exchange) -> bool:
    return exchange.recorded_request and bool(EMULATED.match(exchange.path))


# --- key paths -------------------------------------------------------------------------------

# Objects whose keys are data, not shape (the client's own names).
FREE_FORM = frozenset({"metadata", "properties", "$defs", "definitions", "client_metadata"})


def key_paths(node: Any, prefix: str = "") -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            path = f"{prefix}.{key}"
            yield path
            if key not in FREE_FORM:
                yield from key_paths(value, path)
    elif isinstance(node, list):
        for element in node:
            tag = element.get("type") if isinstance(element, dict) else None
            yield from key_paths(element, f"{prefix}[{tag if isinstance(tag, str) else ''}]")


def _containers(paths: Iterable[str]) -> set[str]:
    found = set()
    for path in paths:
        for match in re.finditer(r"\]", path):
            found.add(path[: match.end()])
    return found


def _final_response(events: list[dict[str, Any]]) -> dict[str, Any] | None:
    for event in reversed(events):
        if event.get("type") in TERMINAL and isinstance(event.get("response"), dict):
            return event["response"]
    return None


def _latest_response(events: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The last response snapshot a stream carried (a background stream may end before done)."""
    for event in reversed(events):
        if isinstance(event.get("response"), dict):
            return event["response"]
    return None


def _item_types(events: list[dict[str, Any]]) -> dict[int, str]:
    types: dict[int, str] = {}
    for event in events:
        item = event.get("item")
        if isinstance(item, dict) and isinstance(event.get("output_index"), int):
            types.setdefault(event["output_index"], str(item.get("type")))
    final = _final_response(events) or {}
    for index, item in enumerate(final.get("output") or []):
        if isinstance(item, dict):
            types.setdefault(index, str(item.get("type")))
    return types


def _event_kind(event: dict[str, Any]) -> str:
    # Whether a turn ends completed or incomplete (`max_output_tokens`) depends on the answer's
    # length, which is the model's decision; the terminal event's shape is the same.
    kind = str(event.get("type"))
    return "response.<terminal>" if kind in TERMINAL[:2] else kind


def event_paths(events: list[dict[str, Any]]) -> set[str]:
    """Key paths of every event, prefixed by its type (and by the output item type it is about)."""
    types = _item_types(events)
    found: set[str] = set()
    for event in events:
        kind = _event_kind(event)
        index = event.get("output_index")
        tag = f"[{types.get(index, '')}]" if isinstance(index, int) else ""
        found.update(key_paths(event, f"{tag}{kind}"))
    return found


def missing_paths(real: set[str], ours: set[str]) -> list[str]:
    held = _containers(ours)
    missing = []
    for path in sorted(real - ours):
        bracketed = _containers([path])
        if all(prefix in held for prefix in bracketed):
            missing.append(path)
    return missing


def collapse(types: list[str]) -> list[str]:
    """Event types with each run of the same delta event collapsed to one."""
    return [
        t for i, t in enumerate(types) if not (i and t.endswith(".delta") and types[i - 1] == t)
    ]


# --- replay ----------------------------------------------------------------------------------


def _substitute(text: str, ids: dict[str, str]) -> str:
    if not ids:
        return text
    return ID_PATTERN.sub(lambda m: ids.get(m.group(0), m.group(0)), text)


def _learn_ids(real: Any, ours: Any, ids: dict[str, str]) -> None:
    """Map the recorded ids to ours: the object's own id, and its output items' by position."""
    if not (isinstance(real, dict) and isinstance(ours, dict)):
        return
    if isinstance(real.get("id"), str) and isinstance(ours.get("id"), str):
        ids[real["id"]] = ours["id"]
    for key in ("output", "data"):
        for real_item, our_item in zip(real.get(key) or [], ours.get(key) or [], strict=False):
            if isinstance(real_item, dict) and isinstance(our_item, dict):
                if real_item.get("type") == our_item.get("type") and "id" in real_item:
                    ids[real_item["id"]] = our_item.get("id", real_item["id"])
                if "call_id" in real_item and "call_id" in our_item:
                    ids[real_item["call_id"]] = our_item["call_id"]


async def _seed_conversation(
    client: httpx.AsyncClient, exchange: Exchange, ids: dict[str, str]
) -> None:
    """A conversation the recording uses but did not record creating (agent-framework traces
    keep only some steps) is created here first, so the request finds it."""
    request = exchange.request if isinstance(exchange.request, dict) else {}
    conversation = request.get("conversation")
    conversation_id = conversation.get("id") if isinstance(conversation, dict) else conversation
    if not isinstance(conversation_id, str) or conversation_id in ids:
        return
    reply = await client.post(
        "/v1/conversations", json={}, headers={"authorization": f"Bearer {API_KEY}"}
    )
    ids[conversation_id] = reply.json()["id"]


def _recorded_final(exchange: Exchange) -> dict[str, Any] | None:
    if exchange.events is not None:
        return _final_response(exchange.events)
    return exchange.response if isinstance(exchange.response, dict) else None


ANY_ID = re.compile(r"'(?:resp|conv|msg|rs|fc|mcpr)_[A-Za-z0-9_]+'")
MASKED_KEY = re.compile(r"provided: \S+\. ")


def same_message(real: str, ours: str) -> bool:
    """Messages compared with ids and the masked API key (both ours to choose) blanked out."""

    def blank(text: str) -> str:
        return MASKED_KEY.sub("provided: <key>. ", ANY_ID.sub("'<id>'", text))

    return blank(real) == blank(ours)


async def _send(client: httpx.AsyncClient, exchange: Exchange, ids: dict[str, str]) -> Any:
    headers = {"authorization": f"Bearer {API_KEY}"}
    if exchange.status == 401:
        headers["authorization"] = "Bearer sk-not-the-key"
    # The replay asks the fake model for the recorded decision (the documented directive), so a
    # follow-up's function_call_output finds its call.
    calls = [
        str(item.get("name")) for item in (_recorded_final(exchange) or {}).get("output") or []
        if isinstance(item, dict) and item.get("type") == "function_call"
    ]  # fmt: skip
    if calls:
        headers["x-mockserver-tool-calls"] = ",".join(dict.fromkeys(calls))
    url = _substitute(exchange.path, ids)
    request = exchange.request
    if request is None:
        return await client.request(exchange.method, url, headers=headers)
    text = request if isinstance(request, str) else json.dumps(request)
    headers["content-type"] = "application/json"
    content = _substitute(text, ids).encode()
    return await client.request(exchange.method, url, content=content, headers=headers)


def _compare(outcome: Outcome) -> None:
    exchange = outcome.exchange
    if _success(exchange):
        outcome.accepted = 200 <= outcome.status < 300
    else:
        expected = exchange.status
        outcome.accepted = (400 <= outcome.status < 500) if expected is None else (
            outcome.status == expected
        )
        real_error = (exchange.response or {}).get("error") if isinstance(
            exchange.response, dict) else None  # fmt: skip
        if isinstance(real_error, dict) and real_error.get("message"):
            ours = (outcome.body or {}).get("error") or {} if isinstance(outcome.body, dict) else {}
            outcome.same_message = same_message(real_error["message"], str(ours.get("message")))
        return
    if not outcome.accepted:
        return
    if exchange.events is not None and outcome.events is not None:
        real_paths = event_paths(exchange.events)
        our_paths = event_paths(outcome.events)
        outcome.missing_paths = missing_paths(real_paths, our_paths)
        real_types = [t for _, t in sorted(_item_types(exchange.events).items())]
        our_types = [t for _, t in sorted(_item_types(outcome.events).items())]
        if real_types == our_types:
            real_order = collapse([_event_kind(e) for e in exchange.events])
            our_order = collapse([_event_kind(e) for e in outcome.events])
            outcome.same_order = real_order == our_order
            if not outcome.same_order:
                outcome.order_diff = f"real {real_order} / ours {our_order}"
    elif isinstance(exchange.response, dict) and isinstance(outcome.body, dict):
        outcome.missing_paths = missing_paths(
            set(key_paths(exchange.response)), set(key_paths(outcome.body))
        )


async def replay_file(exchanges: list[Exchange]) -> list[Outcome]:
    """Replay one recording's requests in order against a fresh app (in process, no sockets)."""
    # Background jobs finish at once: the manual clock never moves, and a recording's polls and
    # streams show the finished response.
    instant = Timeline(queued_seconds=0, run_seconds=0, seconds_per_token=0)
    config = ServerConfig(self_check=True, api_key=API_KEY, background_timeline=instant)
    app = create_app(config, clock=ManualClock())
    outcomes = []
    ids: dict[str, str] = {}
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        for exchange in exchanges:
            if not replayable(exchange):
                continue
            await _seed_conversation(client, exchange, ids)
            reply = await _send(client, exchange, ids)
            if exchange.response is None and exchange.events is None:
                # A setup step whose answer was not recorded: replayed for the state it makes.
                with contextlib.suppress(ValueError):
                    _learn_ids(exchange.request, reply.json(), ids)
                app.state.mock.take_failures()
                continue
            outcome = Outcome(exchange, reply.status_code)
            if reply.headers.get("content-type", "").startswith("text/event-stream"):
                outcome.events, _ = parse_sse(reply.content)
                ours = _latest_response(outcome.events)
                real = _latest_response(exchange.events or [])
            else:
                try:
                    outcome.body = reply.json()
                except ValueError:
                    outcome.body = reply.text
                ours, real = outcome.body, exchange.response
            _compare(outcome)
            _learn_ids(real, ours, ids)
            outcome.self_check = [str(f) for f in app.state.mock.take_failures()]
            outcomes.append(outcome)
    return outcomes


def replay_all() -> list[Outcome]:
    async def run() -> list[Outcome]:
        outcomes: list[Outcome] = []
        for exchanges in by_file().values():
            outcomes.extend(await replay_file(exchanges))
        return outcomes

    return asyncio.run(run())


# --- figures ---------------------------------------------------------------------------------


@dataclass
class Figures:
    replayed: int = 0
    accepted: int = 0
    shaped: int = 0  # accepted 2xx with a recorded body to compare
    same_shape: int = 0
    streams: int = 0  # comparable streams
    same_order: int = 0
    messages: int = 0
    same_message: int = 0
    self_check: int = 0

    def add(self, outcome: Outcome) -> None:
        self.replayed += 1
        self.accepted += outcome.accepted
        real = outcome.exchange
        if outcome.accepted and _success(real) and (real.response or real.events):
            self.shaped += 1
            self.same_shape += not outcome.missing_paths
        if outcome.same_order is not None:
            self.streams += 1
            self.same_order += outcome.same_order
        if outcome.same_message is not None:
            self.messages += 1
            self.same_message += outcome.same_message
        self.self_check += bool(outcome.self_check)


def figures(outcomes: list[Outcome]) -> dict[str, Figures]:
    table: dict[str, Figures] = {}
    for outcome in outcomes:
        for key in (outcome.exchange.source, "all"):
            table.setdefault(key, Figures()).add(outcome)
    return table


def _pct(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.1f} %)" if whole else "-"


def render(table: dict[str, Figures]) -> str:
    lines = [
        "| source | replayed | accepted | same shape | same event order | same error message |",
        "|---|---|---|---|---|---|",
    ]
    for source in [*sorted(k for k in table if k != "all"), "all"]:
        f = table[source]
        lines.append(
            f"| {source} | {f.replayed} | {_pct(f.accepted, f.replayed)} | "
            f"{_pct(f.same_shape, f.shaped)} | {_pct(f.same_order, f.streams)} | "
            f"{_pct(f.same_message, f.messages)} |"
        )
    return "\n".join(lines)


def _error_message(body: Any) -> Any:
    return (body.get("error") or {}).get("message") if isinstance(body, dict) else body


def differences(outcomes: list[Outcome]) -> list[str]:
    found = []
    for o in outcomes:
        name = o.exchange.name
        if not o.accepted:
            message = _error_message(o.body)
            found.append(f"NOT ACCEPTED {name}: real {o.exchange.status}, ours {o.status}: "
                         f"{message}")
        elif o.missing_paths:
            found.append(f"SHAPE {name}: missing {o.missing_paths[:8]}"
                         + (f" (+{len(o.missing_paths) - 8})" if len(o.missing_paths) > 8 else ""))
        if o.same_order is False:
            found.append(f"ORDER {name}: {o.order_diff}")
        if o.same_message is False:
            ours = _error_message(o.body)
            real = o.exchange.response["error"]["message"]
            found.append(f"MESSAGE {name}: real {real!r} / ours {ours!r}")
        if o.self_check:
            found.append(f"SELF-CHECK {name}: {o.self_check[0][:300]}")
    return found


def main(argv: list[str]) -> int:
    outcomes = replay_all()
    print(render(figures(outcomes)))
    if "--details" in argv:
        print()
        print("\n".join(differences(outcomes)))
    if "--paths" in argv:
        counts = Counter(p for o in outcomes for p in o.missing_paths)
        for path, count in counts.most_common():
            print(count, path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
