"""How often the mock "model" decides what the real model decided, on recorded real traffic.

Usage::

    .venv/bin/python benchmarks/decisions_vs_wire.py [--shared DIR] [--list-mismatches]

For every ``POST /v1/responses`` the real API answered with 200 in ``../shared/wire/`` and
``../shared/wire-2026/`` (each source in its own format, see their ``MANIFEST.md``), it sends
the recorded request to the app in process (Starlette's ``TestClient``, no network) and compares
the *decision*:

* ``text``: the output has no call items (a message, a refusal);
* ``function:<name>`` / ``custom:<name>``: the function or custom tools called (the set);
* ``<item type>``: the hosted tools used (``web_search_call``, ``file_search_call``,
  ``code_interpreter_call``, ``image_generation_call``, ``mcp_list_tools``, ``mcp_call``, ...).

A decision is the set of these labels (``text`` only when there is no call at all).

Our decision comes from the pure core the server runs for a create (``model.respond.respond``),
without request validation: what this measures is the decision, and a request our validation
would reject (issue #12's area) would otherwise hide it. A ``previous_response_id`` that names
a response recorded earlier in the same file is resolved to that response's context (its
request's chain, input and output), as the server's store would; ``conversation`` is dropped.
An unknown model name runs as ``gpt-4o-mini``. A request the core cannot answer counts as a
mismatch (decision ``error``). Sources that recorded only responses (``vercel-ai``,
``rust-genai``) have no request to replay and are left out. Nothing here asserts anything; it
prints a table.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mockserver.contract.errors import MockServerError
from mockserver.contract.ids import IdFactory
from mockserver.contract.inputs import normalize_input
from mockserver.contract.models import resolve_model
from mockserver.model.respond import respond
from mockserver.scenarios.directives import Directives

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = ROOT.parent / "shared"
CALL_TYPES = {"function_call": "function", "custom_tool_call": "custom"}
NOT_DECISIONS = {"message", "reasoning", "compaction"}
FALLBACK_MODEL = "gpt-4o-mini"


@dataclass(frozen=True)
class Exchange:
    source: str
    file: str
    request: dict[str, Any]
    output: list[dict[str, Any]]
    response_id: str | None = None


# ---- decoding bodies ---------------------------------------------------------------------------


def _text(body: Any) -> str | None:
    if isinstance(body, bytes):
        if body[:2] == b"\x1f\x8b":
            body = gzip.decompress(body)
        try:
            return body.decode()
        except UnicodeDecodeError:
            return None
    return body if isinstance(body, str) else None


def _json(body: Any) -> Any:
    if isinstance(body, dict | list):
        return body
    text = _text(body)
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _sse_output(text: str) -> list[dict[str, Any]] | None:
    """The output of a streamed response: the final response's, else the finished items."""
    done: list[dict[str, Any]] = []
    for line in text.splitlines():
        if not line.startswith("data:"):
            continue
        try:
            event = json.loads(line[5:].strip())
        except ValueError:
            continue
        if not isinstance(event, dict):
            continue
        kind = event.get("type")
        if kind in ("response.completed", "response.incomplete") and "response" in event:
            return list(event["response"].get("output") or []) or done
        if kind == "response.output_item.done":
            done.append(event.get("item") or {})
        if kind in ("response.failed", "error"):
            return None
    return done or None


def _response_id(body: Any) -> str | None:
    if isinstance(body, list):
        body = "".join(line for line in body if isinstance(line, str))
    parsed = _json(body)
    if isinstance(parsed, dict):
        return parsed.get("id") if isinstance(parsed.get("id"), str) else None
    text = _text(body) or ""
    found = re.search(r'"id"\s*:\s*"(resp_[^"]+)"', text)
    return found.group(1) if found else None


def _output(body: Any) -> list[dict[str, Any]] | None:
    if isinstance(body, list) and all(isinstance(line, str) for line in body):
        return _sse_output("".join(body))  # test-proxy SSE: a list of lines
    parsed = _json(body)
    if isinstance(parsed, dict):
        if parsed.get("object") == "response" and parsed.get("status") in ("completed", None):
            return list(parsed.get("output") or [])
        return None
    text = _text(body)
    if text and ("data:" in text):
        return _sse_output(text)
    return None


def _request(body: Any) -> dict[str, Any] | None:
    parsed = _json(body)
    return parsed if isinstance(parsed, dict) and "input" in parsed else None


def _is_create(method: Any, url: Any) -> bool:
    return str(method).upper() == "POST" and str(url).split("?")[0].rstrip("/").endswith(
        "/v1/responses"
    )


# ---- the sources, each in its format ------------------------------------------------------------


def _load(path: Path) -> Any:
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
        name = path.stem
    else:
        name = path.name
    if name.endswith((".yaml", ".yml")):
        return list(yaml.safe_load_all(raw))
    if name.endswith((".json", ".har")):
        try:
            return json.loads(raw)
        except ValueError:
            return None
    return None


def _pairs(path: Path) -> Iterator[tuple[Any, Any]]:
    """(request body, response body) of each create the file recorded with status 200."""
    docs = _load(path)
    if docs is None:
        return
    for doc in docs if isinstance(docs, list) else [docs]:
        if not isinstance(doc, dict):
            continue
        if "Entries" in doc:  # Azure test proxy
            for e in doc["Entries"]:
                if (
                    _is_create(e.get("RequestMethod"), e.get("RequestUri"))
                    and e.get("StatusCode") == 200
                ):
                    yield e.get("RequestBody"), e.get("ResponseBody")
        elif "log" in doc:  # HAR
            for e in doc["log"].get("entries", []):
                req, resp = e["request"], e["response"]
                if _is_create(req.get("method"), req.get("url")) and resp.get("status") == 200:
                    yield (
                        (req.get("postData") or {}).get("text"),
                        (resp.get("content") or {}).get("text"),
                    )
        elif "entries" in doc:  # braintrust cassette
            for e in doc["entries"]:
                req, resp = e["request"], e["response"]
                if not _is_create(req.get("method"), req.get("url")) or resp.get("status") != 200:
                    continue
                body = resp.get("body") or {}
                if body.get("kind") == "json":
                    answer: Any = body.get("value")
                elif body.get("kind") == "sse":
                    answer = "".join(body.get("chunks") or [])
                elif body.get("kind") == "binary" and body.get("path"):
                    blob = path.parent / body["path"]
                    answer = blob.read_bytes() if blob.exists() else None
                else:
                    answer = None
                yield (req.get("body") or {}).get("value"), answer
        elif "interactions" in doc or "http_interactions" in doc:  # vcrpy / R vcr
            for e in doc.get("interactions") or doc.get("http_interactions") or []:
                req, resp = e["request"], e["response"]
                status = resp.get("status")
                code = status.get("code") if isinstance(status, dict) else status
                if not _is_create(req.get("method"), req.get("uri")) or code != 200:
                    continue
                body = req.get("body")
                if isinstance(body, dict):
                    body = body.get("string")
                yield body, (resp.get("body") or {}).get("string")
        elif "when" in doc and "then" in doc:  # rig httpmock
            when, then = doc["when"], doc["then"]
            if _is_create(when.get("method"), when.get("path")) and then.get("status") == 200:
                yield when.get("body"), then.get("body")


def _agent_framework(folder: Path) -> Iterator[tuple[Path, Any, Any]]:
    for request in sorted(folder.rglob("*request.json")):
        for suffix in (".json", ".txt"):
            response = request.with_name(request.name.replace("request.json", "response" + suffix))
            if response.exists():
                body = response.read_text()
                yield request, _json(request.read_bytes()), body
                break


def exchanges(shared: Path) -> Iterator[Exchange]:
    for tree in ("wire", "wire-2026"):
        for source in sorted(p for p in (shared / tree).iterdir() if p.is_dir()):
            if source.name == "agent-framework":
                for path, req, resp in _agent_framework(source):
                    yield from _exchange(source.name, path, req, resp)
                continue
            for path in sorted(source.rglob("*")):
                if path.is_file() and "blobs" not in path.parts[-2]:
                    for req, resp in _pairs(path):
                        yield from _exchange(source.name, path, req, resp)


def _exchange(source: str, path: Path, req: Any, resp: Any) -> Iterator[Exchange]:
    request, output = _request(req), _output(resp)
    if request is not None and output is not None:
        yield Exchange(source, str(path), request, output, _response_id(resp))


# ---- decisions ---------------------------------------------------------------------------------


def decision(output: list[dict[str, Any]]) -> str:
    labels = set()
    for item in output:
        kind = item.get("type", "message")
        if kind in CALL_TYPES:
            labels.add(f"{CALL_TYPES[kind]}:{item.get('name')}")
        elif kind not in NOT_DECISIONS:
            labels.add(kind)
    return "+".join(sorted(labels)) or "text"


class Replayer:
    """Our decision for each recorded request, with the chains the recorded responses make."""

    def __init__(self) -> None:
        self.ids = IdFactory(seed=0)
        self.contexts: dict[str, list[dict[str, Any]]] = {}

    def new_id(self, prefix: str) -> str:
        return self.ids.item_id(prefix, "0" * 16, 0)

    def decide(self, ex: Exchange) -> str:
        request = ex.request
        prior = self.contexts.get(str(request.get("previous_response_id")), [])
        try:
            items = normalize_input(request.get("input"), self.new_id)
        except (AttributeError, TypeError):
            return "error"
        context = [*prior, *items]
        if ex.response_id:
            self.contexts[ex.response_id] = [*context, *ex.output]
        try:
            model = resolve_model(str(request.get("model") or FALLBACK_MODEL))
        except MockServerError:
            model = resolve_model(FALLBACK_MODEL)
        try:
            answer = respond(dict(request), model, context, self.new_id, Directives())
        except MockServerError:
            return "error"
        return decision(answer.items)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--list-mismatches", action="store_true")
    args = parser.parse_args()
    if not (args.shared / "wire").exists():
        raise SystemExit(f"no recorded traffic at {args.shared}/wire (shared is not checked out)")
    totals: dict[str, Counter[str]] = defaultdict(Counter)
    kinds: Counter[tuple[str, str]] = Counter()
    replayer = Replayer()
    for ex in exchanges(args.shared):
        real, mine = decision(ex.output), replayer.decide(ex)
        same = real == mine
        totals[ex.source]["n"] += 1
        totals[ex.source]["same"] += same
        if not same:
            kinds[(_coarse(real), _coarse(mine))] += 1
            if args.list_mismatches:
                print(f"  {ex.file}: real {real!r}, ours {mine!r}")
    n = sum(c["n"] for c in totals.values())
    same = sum(c["same"] for c in totals.values())
    print(f"{'source':32} {'requests':>8} {'same':>6} {'share':>7}")
    for source, c in sorted(totals.items()):
        print(f"{source:32} {c['n']:>8} {c['same']:>6} {c['same'] / c['n']:>7.1%}")
    print(f"{'all':32} {n:>8} {same:>6} {same / max(n, 1):>7.1%}")
    print("\nmismatches (real -> ours):")
    for (real, mine), count in kinds.most_common():
        print(f"  {count:>4}  {real} -> {mine}")


def _coarse(label: str) -> str:
    parts = sorted({p.split(":")[0] for p in label.split("+")})
    return "+".join(parts)


if __name__ == "__main__":
    main()
