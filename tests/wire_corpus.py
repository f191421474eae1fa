"""The reader of recorded real traffic in ``../shared/wire/`` and ``../shared/wire-2026/``.

Each source project stored its traffic in its own format (see both ``MANIFEST.md`` files); this
module turns all of them into one list of :class:`Exchange` records, in recording order per file,
so the replay test and its reporter never look at a format. A support module, not a test file.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPORA = (SHARED / "wire", SHARED / "wire-2026")
OPENAI_HOSTS = ("api.openai.com",)
# Recordings made against OpenAI-compatible servers (llama.cpp, vLLM), not the OpenAI API.
NOT_OPENAI = ("rig/tests/cassettes/openai/openai_compatible/", "rig/tests/cassettes/openai/vllm/")


@dataclass
class Exchange:
    """One recorded request and the real API's answer to it."""

    source: str  # the public repository's folder: `openai-dotnet`, `rig`, ...
    file: str  # the recording's path inside `shared/`
    index: int  # position inside the file
    method: str
    path: str  # `/v1/responses`, `/v1/responses/resp_x/input_items?limit=2`, ...
    request: Any  # parsed JSON body, raw text if it is not JSON, None if none
    status: int | None  # None: the format keeps no status code
    response: Any = None  # parsed JSON body (non-streaming)
    events: list[dict[str, Any]] | None = None  # parsed SSE `data:` payloads (streaming)
    recorded_request: bool = True
    notes: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.file}#{self.index}"


def available() -> bool:
    return all(corpus.is_dir() for corpus in CORPORA)


def _read(path: Path) -> bytes:
    raw = path.read_bytes()
    return gzip.decompress(raw) if path.suffix == ".gz" else raw


def _json_or_text(text: Any) -> Any:
    if text is None:
        return None
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if not isinstance(text, str):
        return text
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def parse_sse_text(text: str) -> list[dict[str, Any]] | None:
    """The JSON payloads of the ``data:`` lines of an SSE body; None if it is not one."""
    if "data:" not in text:
        return None
    events = []
    for line in text.splitlines():
        if line.startswith("data:"):
            payload = line[5:].strip()
            if payload and payload != "[DONE]":
                try:
                    events.append(json.loads(payload))
                except ValueError:
                    return None
    return events or None


def _body(text: Any) -> tuple[Any, list[dict[str, Any]] | None]:
    """A response body as (JSON, None) or (None, SSE events)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if isinstance(text, str):
        stripped = text.lstrip()
        if stripped.startswith(("event:", "data:")):
            return None, parse_sse_text(text)
    return _json_or_text(text), None


def _split_url(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path
    if "/v1/" in path:
        path = path[path.index("/v1/") :]
    return path + (f"?{parts.query}" if parts.query else "")


def _is_openai(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return not host or host in OPENAI_HOSTS


def _rel(path: Path) -> str:
    return str(path.relative_to(SHARED))


# --- formats -------------------------------------------------------------------------------


def _azure_test_proxy(path: Path, source: str) -> Iterator[Exchange]:
    data = json.loads(_read(path))
    for index, entry in enumerate(data.get("Entries", [])):
        body = entry.get("ResponseBody")
        response, events = (None, None)
        if isinstance(body, list):
            events = parse_sse_text("".join(body))
        else:
            response = body
        yield Exchange(
            source, _rel(path), index, entry["RequestMethod"], _split_url(entry["RequestUri"]),
            entry.get("RequestBody"), entry.get("StatusCode"), response, events,
        )  # fmt: skip


def _vcrpy(path: Path, source: str) -> Iterator[Exchange]:
    data = yaml.load(_read(path), Loader=yaml.CSafeLoader) or {}
    interactions = data.get("interactions") or data.get("http_interactions") or []
    for index, interaction in enumerate(interactions):
        request, response = interaction["request"], interaction["response"]
        uri = request.get("uri", "")
        if not _is_openai(uri):
            continue
        raw_request = request.get("body")
        if isinstance(raw_request, dict):
            raw_request = raw_request.get("string")
        status = response.get("status")
        code = status.get("code") if isinstance(status, dict) else status
        raw = response.get("body")
        if isinstance(raw, dict):
            raw = raw.get("string")
        body, events = _body(raw)
        yield Exchange(
            source, _rel(path), index, request.get("method", "POST").upper(), _split_url(uri),
            _json_or_text(raw_request), int(code) if code is not None else None, body, events,
        )  # fmt: skip


def _httpmock(path: Path, source: str) -> Iterator[Exchange]:
    documents = yaml.load_all(_read(path), Loader=yaml.CSafeLoader)
    for index, document in enumerate(d for d in documents if d):
        when, then = document.get("when", {}), document.get("then", {})
        query = "&".join(f"{q['name']}={q['value']}" for q in when.get("query_param") or [])
        url = when.get("path", "") + (f"?{query}" if query else "")
        body, events = _body(then.get("body"))
        yield Exchange(
            source, _rel(path), index, when.get("method", "POST").upper(), url,
            _json_or_text(when.get("body")), then.get("status"), body, events,
        )  # fmt: skip


def _braintrust(path: Path, source: str) -> Iterator[Exchange]:
    data = json.loads(_read(path))
    for index, entry in enumerate(data.get("entries", [])):
        request, response = entry["request"], entry["response"]
        if not _is_openai(request.get("url", "")):
            continue
        raw_request = request.get("body") or {}
        request_body = raw_request.get("value") if isinstance(raw_request, dict) else raw_request
        if raw_request.get("kind") not in (None, "json"):
            request_body = _json_or_text(request_body)
        stored = response.get("body") or {}
        body: Any = None
        events = None
        kind = stored.get("kind") if isinstance(stored, dict) else None
        if kind == "json":
            body = stored.get("value")
        elif kind == "sse":
            events = parse_sse_text("\n".join(stored.get("chunks", [])))
        elif kind == "binary":
            blob = path.parent / stored["path"]
            body, events = _body(blob.read_bytes()) if blob.exists() else (None, None)
        elif kind == "text":
            body, events = _body(stored.get("value"))
        yield Exchange(
            source, _rel(path), index, request.get("method", "POST").upper(),
            _split_url(request["url"]), request_body, response.get("status"), body, events,
        )  # fmt: skip


def _har(path: Path, source: str) -> Iterator[Exchange]:
    data = json.loads(_read(path))
    for index, entry in enumerate(data["log"]["entries"]):
        request, response = entry["request"], entry["response"]
        if not _is_openai(request["url"]):
            continue
        body, events = _body(response.get("content", {}).get("text"))
        yield Exchange(
            source, _rel(path), index, request["method"].upper(), _split_url(request["url"]),
            _json_or_text((request.get("postData") or {}).get("text")), response.get("status"),
            body, events,
        )  # fmt: skip


def _conformance_traces(folder: Path, source: str) -> Iterator[Exchange]:
    """agent-framework: `<step>request.json` beside `<step>response.json|.txt`; no status or URL
    (a step without a recorded answer is kept: the replay makes the state it would make)."""
    index = 0
    for request_file in sorted(folder.glob("*request.*")):
        step = request_file.name[: request_file.name.index("request.")]
        answers = list(folder.glob(f"{step}response.*"))
        request = _json_or_text(_read(request_file))
        body, events = _body(_read(answers[0])) if answers else (None, None)
        if isinstance(request, dict) and "model" in request:
            url = "/v1/responses"
        elif step.startswith("create_conversation") or step == "create_":
            url = "/v1/conversations"
        else:
            continue  # the trace does not say which endpoint it called
        yield Exchange(source, _rel(request_file), index, "POST", url, request, None, body, events)
        index += 1


def _response_only(path: Path, source: str) -> Iterator[Exchange]:
    """Fixtures that keep only the answer (vercel-ai, rust-genai): shapes to compare, no replay."""
    text = _read(path).decode("utf-8", "replace")
    events = None
    body = None
    if path.name.endswith(".chunks.txt"):
        events = [json.loads(line) for line in text.splitlines() if line.strip()]
    else:
        body, events = _body(text)
    yield Exchange(
        source, _rel(path), 0, "POST", "/v1/responses", None, None, body, events,
        recorded_request=False,
    )  # fmt: skip


def _source_of(path: Path) -> str:
    return path.relative_to(SHARED).parts[1]


def _files(corpus: Path) -> Iterator[Path]:
    for path in sorted(corpus.rglob("*")):
        if path.is_file() and path.name not in ("MANIFEST.md", ".missing"):
            yield path


def _read_file(path: Path) -> Iterator[Exchange]:
    source = _source_of(path)
    name = path.name.removesuffix(".gz")
    if ".cassette.blobs" in path.parts[-2]:
        return
    if source == "openai-dotnet":
        yield from _azure_test_proxy(path, source)
    elif source == "rig":
        yield from _httpmock(path, source)
    elif source == "braintrust-sdk-javascript" and name.endswith(".cassette.json"):
        yield from _braintrust(path, source)
    elif name.endswith(".har"):
        yield from _har(path, source)
    elif name.endswith((".yaml", ".yml")):
        yield from _vcrpy(path, source)
    elif source in ("vercel-ai", "rust-genai"):
        yield from _response_only(path, source)


@cache
def exchanges() -> tuple[Exchange, ...]:
    """Every recorded exchange with the real OpenAI API, file by file in recording order."""
    found: list[Exchange] = []
    for corpus in CORPORA:
        if not corpus.is_dir():
            continue
        trace_dirs: set[Path] = set()
        for path in _files(corpus):
            if _source_of(path) == "agent-framework":
                if re.search(r"request\.(json|txt)$", path.name):
                    trace_dirs.add(path.parent)
                elif (
                    path.name.endswith(".json")
                    and "request" not in path.name
                    and not any(path.parent.glob("*request.*"))
                ):
                    found.extend(_response_only(path, "agent-framework"))
                continue
            if not any(part in str(path) for part in NOT_OPENAI):
                found.extend(_read_file(path))
        for folder in sorted(trace_dirs):
            found.extend(_conformance_traces(folder, "agent-framework"))
    return tuple(found)


def by_file() -> dict[str, list[Exchange]]:
    files: dict[str, list[Exchange]] = {}
    for exchange in exchanges():
        files.setdefault(exchange.file.split("#")[0] if exchange.source != "agent-framework"
                         else str(Path(exchange.file).parent), []).append(exchange)  # fmt: skip
    return files


def sources() -> list[str]:
    return sorted({e.source for e in exchanges()})
