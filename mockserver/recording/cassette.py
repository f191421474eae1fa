"""The recordings format: interactions in memory, and to/from the JSON that lives on disk.

Pure: no I/O (``persist.py`` reads and writes files). See ``docs/record-replay.md`` for the
annotated format. In memory every body is the exact bytes that crossed the wire; on disk a body
is written as readable JSON only when re-encoding that JSON gives those exact bytes back (in one
of the :data:`JSON_STYLES`), else as text, else as base64. So a recording is readable in a code
review and still replays byte for byte.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from mockserver.contract.errors import ConfigurationError

FORMAT_VERSION = 1
# How an interaction was made; written on every interaction, never guessed upwards.
SOURCES = {
    "live": "recorded by `mockserver record` from the real OpenAI API",
    "generated": "produced by this mock server (recorded with the mock as upstream)",
    "imported": "converted from a VCR cassette; where it came from is not known to us",
    "unverified": "recorded from an upstream that is not api.openai.com and was not vouched for",
}
FRAME_SEPARATOR = b"\n\n"


def utc_iso(seconds: float) -> str:
    """A recording's timestamp: ISO-8601 UTC with milliseconds (``2026-11-24T02:50:00.123Z``)."""
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class RecordingFormatError(ConfigurationError):
    """A recordings file that this version cannot read (bad shape or unknown format_version)."""


# --- JSON bodies in a style that gives the exact bytes back ---------------------------------

JSON_STYLES = ("indent2", "compact", "indent2_ascii", "compact_ascii")


def encode_json(value: Any, style: str) -> bytes:
    """``value`` as JSON in one of :data:`JSON_STYLES` (``indent2`` is the real API's style)."""
    if style == "indent2":
        return orjson.dumps(value, option=orjson.OPT_INDENT_2)
    if style == "compact":
        return orjson.dumps(value)
    if style == "indent2_ascii":
        return json.dumps(value, indent=2).encode()
    if style == "compact_ascii":
        return json.dumps(value, separators=(",", ":")).encode()
    raise RecordingFormatError(f"unknown JSON style {style!r}; valid styles: {list(JSON_STYLES)}")


def json_style(raw: bytes, styles: tuple[str, ...] = JSON_STYLES) -> tuple[Any, str] | None:
    """(parsed value, style) when ``raw`` is JSON that one of ``styles`` reproduces exactly."""
    if not raw or raw[:1].isspace():
        return None
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    for style in styles:
        try:
            if encode_json(value, style) == raw:
                return value, style
        except (TypeError, ValueError, OverflowError):
            continue
    return None


def body_to_dict(raw: bytes, prefix: str = "body") -> dict[str, Any]:
    """The readable on-disk form of a body: ``body`` (+ ``body_style``), ``body_text`` or
    ``body_base64``; nothing for an empty body."""
    if not raw:
        return {}
    found = json_style(raw)
    if found is not None:
        value, style = found
        return {prefix: value} if style == "indent2" else {prefix: value, f"{prefix}_style": style}
    try:
        return {f"{prefix}_text": raw.decode("utf-8")}
    except UnicodeDecodeError:
        return {f"{prefix}_base64": base64.b64encode(raw).decode("ascii")}


def body_from_dict(data: dict[str, Any], where: str, prefix: str = "body") -> bytes:
    if prefix in data:
        return encode_json(data[prefix], data.get(f"{prefix}_style", "indent2"))
    if f"{prefix}_text" in data:
        return _require(data, f"{prefix}_text", str, where).encode("utf-8")
    if f"{prefix}_base64" in data:
        return base64.b64decode(_require(data, f"{prefix}_base64", str, where))
    return b""


# --- SSE frames -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedEvent:
    """One SSE frame exactly as sent (without the blank line that ends it), and when."""

    raw: bytes
    # Milliseconds after the response headers arrived; None when unknown (imported cassettes).
    at_ms: float | None = None

    def data(self) -> Any:
        """The frame's ``data:`` payload parsed as JSON (None when there is none)."""
        for line in self.raw.split(b"\n"):
            if line.startswith(b"data: "):
                try:
                    return orjson.loads(line[6:])
                except orjson.JSONDecodeError:
                    return None
        return None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"at_ms": self.at_ms}
        lines = self.raw.split(b"\n")
        event_line = lines[0] if len(lines) == 2 else b""
        data_line = lines[-1] if len(lines) in (1, 2) else b""
        if (not event_line or event_line.startswith(b"event: ")) and data_line.startswith(
            b"data: "
        ):
            found = json_style(data_line[6:], ("compact", "compact_ascii"))
            if found is not None:
                try:
                    if event_line:
                        out["event"] = event_line[7:].decode("utf-8")
                    out["data"] = found[0]
                    if found[1] != "compact":
                        out["style"] = found[1]
                    return out
                except UnicodeDecodeError:
                    out.pop("event", None)
        try:
            out["frame"] = self.raw.decode("utf-8")
        except UnicodeDecodeError:
            out["frame_base64"] = base64.b64encode(self.raw).decode("ascii")
        return out

    @classmethod
    def from_dict(cls, data: Any, where: str) -> RecordedEvent:
        if not isinstance(data, dict):
            raise RecordingFormatError(f"{where}: an event is an object, got {_kind(data)}")
        at_ms = data.get("at_ms")
        if at_ms is not None and not isinstance(at_ms, int | float):
            raise RecordingFormatError(f"{where}.at_ms: expected a number or null")
        if "frame" in data:
            raw = _require(data, "frame", str, where).encode("utf-8")
        elif "frame_base64" in data:
            raw = base64.b64decode(_require(data, "frame_base64", str, where))
        elif "data" in data:
            payload = encode_json(data["data"], data.get("style", "compact"))
            event = data.get("event")
            raw = b"event: " + str(event).encode() + b"\n" if event is not None else b""
            raw += b"data: " + payload
        else:
            raise RecordingFormatError(f"{where}: an event needs 'data', 'frame' or 'frame_base64'")
        return cls(raw=raw, at_ms=float(at_ms) if at_ms is not None else None)


class FrameSplitter:
    """Cuts an SSE byte stream into frames as the chunks arrive (frames end in a blank line)."""

    def __init__(self) -> None:
        self._buffer = b""

    def feed(self, chunk: bytes) -> list[bytes]:
        self._buffer += chunk
        frames: list[bytes] = []
        while True:
            frame, found, rest = self._buffer.partition(FRAME_SEPARATOR)
            if not found:
                return frames
            frames.append(frame)
            self._buffer = rest

    @property
    def rest(self) -> bytes:
        """Bytes after the last complete frame (normally none once the stream has ended)."""
        return self._buffer


def split_frames(raw: bytes) -> tuple[list[bytes], bytes]:
    splitter = FrameSplitter()
    return splitter.feed(raw), splitter.rest


# --- Interactions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json(self) -> Any:
        """The body parsed as JSON; None when it is empty or not JSON."""
        try:
            return orjson.loads(self.body) if self.body else None
        except orjson.JSONDecodeError:
            return None

    def describe(self) -> str:
        return f"{self.method} {self.path}{'?' + self.query if self.query else ''}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": dict(self.headers),
            **body_to_dict(self.body),
        }

    @classmethod
    def from_dict(cls, data: Any, where: str) -> RecordedRequest:
        _require_object(data, where)
        return cls(
            method=_require(data, "method", str, where).upper(),
            path=_require(data, "path", str, where),
            query=data.get("query") or "",
            headers=_headers(data.get("headers", {}), f"{where}.headers"),
            body=body_from_dict(data, where),
        )


@dataclass(frozen=True)
class RecordedResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    # Set for a streamed (text/event-stream) reply: every frame, in order, with its timing.
    events: tuple[RecordedEvent, ...] | None = None
    # Bytes after the last complete frame of a stream (normally empty).
    trailing: bytes = b""
    # Milliseconds from sending the request to receiving the headers; None when unknown.
    elapsed_ms: float | None = None

    @property
    def streamed(self) -> bool:
        return self.events is not None

    def content(self) -> bytes:
        """The whole body as the client received it."""
        if self.events is None:
            return self.body
        return b"".join(event.raw + FRAME_SEPARATOR for event in self.events) + self.trailing

    def json(self) -> Any:
        if self.events is not None or not self.body:
            return None
        try:
            return orjson.loads(self.body)
        except orjson.JSONDecodeError:
            return None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "status": self.status,
            "headers": dict(self.headers),
            "elapsed_ms": self.elapsed_ms,
        }
        if self.events is None:
            out.update(body_to_dict(self.body))
        else:
            out["events"] = [event.to_dict() for event in self.events]
            if self.trailing:
                out.update(body_to_dict(self.trailing, "trailing"))
        return out

    @classmethod
    def from_dict(cls, data: Any, where: str) -> RecordedResponse:
        _require_object(data, where)
        status = _require(data, "status", int, where)
        elapsed = data.get("elapsed_ms")
        events = None
        if "events" in data:
            raw_events = _require(data, "events", list, where)
            events = tuple(
                RecordedEvent.from_dict(event, f"{where}.events[{index}]")
                for index, event in enumerate(raw_events)
            )
        return cls(
            status=status,
            headers=_headers(data.get("headers", {}), f"{where}.headers"),
            body=body_from_dict(data, where) if events is None else b"",
            events=events,
            trailing=body_from_dict(data, where, "trailing") if events is not None else b"",
            elapsed_ms=float(elapsed) if isinstance(elapsed, int | float) else None,
        )


@dataclass(frozen=True)
class Interaction:
    request: RecordedRequest
    response: RecordedResponse
    # ISO-8601 UTC ("2026-11-24T02:50:00.123Z"); None when unknown.
    recorded_at: str | None
    source: str
    # Where it was recorded from (scheme://host[:port]/base, never credentials).
    upstream: str | None = None
    # The `openai-version` response header, and the client SDK (`OpenAI/Python 3.54.0`).
    api_version: str | None = None
    sdk_version: str | None = None
    # Its text in a cassette file, made once: a cassette is rewritten whole at every new
    # interaction, and laying out big bodies again each time would make recording quadratic.
    _rendered: list[str] = field(default_factory=list, compare=False, repr=False, hash=False)

    def rendered(self) -> str:
        if not self._rendered:
            self._rendered.append(_layout(self.to_dict(), 2, None))
        return self._rendered[0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "recorded_at": self.recorded_at,
            "source": self.source,
            "upstream": self.upstream,
            "api_version": self.api_version,
            "sdk_version": self.sdk_version,
            "request": self.request.to_dict(),
            "response": self.response.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Any, where: str) -> Interaction:
        _require_object(data, where)
        source = _require(data, "source", str, where)
        if source not in SOURCES:
            raise RecordingFormatError(
                f"{where}.source: {source!r} is not a known source; valid: {sorted(SOURCES)}"
            )
        return cls(
            request=RecordedRequest.from_dict(data.get("request"), f"{where}.request"),
            response=RecordedResponse.from_dict(data.get("response"), f"{where}.response"),
            recorded_at=data.get("recorded_at"),
            source=source,
            upstream=data.get("upstream"),
            api_version=data.get("api_version"),
            sdk_version=data.get("sdk_version"),
        )


@dataclass
class Cassette:
    """A named, ordered list of interactions: one file on disk (``<name>.json``)."""

    name: str
    interactions: list[Interaction] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "name": self.name,
            "interactions": [interaction.to_dict() for interaction in self.interactions],
        }

    @classmethod
    def from_dict(cls, data: Any, source: str) -> Cassette:
        if not isinstance(data, dict) or "format_version" not in data:
            raise RecordingFormatError(
                f"{source} is not a mockserver recording: it has no 'format_version' (convert "
                "VCR cassettes with `mockserver import`)"
            )
        version = data["format_version"]
        if version != FORMAT_VERSION:
            raise RecordingFormatError(
                f"{source} has format_version {version!r}, but this mockserver reads only "
                f"format_version {FORMAT_VERSION}. Upgrade mockserver "
                "(pip install -U openai-responses-mockserver) or re-record it."
            )
        interactions = _require(data, "interactions", list, source)
        return cls(
            name=str(data.get("name") or ""),
            interactions=[
                Interaction.from_dict(item, f"{source}: interactions[{index}]")
                for index, item in enumerate(interactions)
            ],
        )


# --- Layout: indented JSON, one SSE event per line --------------------------------------------


def dumps_cassette(cassette: Cassette) -> bytes:
    """The file's text: 2-space indented JSON, except that each SSE event takes one line."""
    head = _layout({"format_version": FORMAT_VERSION, "name": cassette.name}, 0, None)[:-2]
    if not cassette.interactions:
        return (head + ',\n  "interactions": []\n}\n').encode("utf-8")
    items = ",\n".join("    " + interaction.rendered() for interaction in cassette.interactions)
    return (head + ',\n  "interactions": [\n' + items + "\n  ]\n}\n").encode("utf-8")


def loads_cassette(raw: bytes, source: str) -> Cassette:
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise RecordingFormatError(f"{source} is not valid JSON: {exc}") from None
    return Cassette.from_dict(data, source)


def _leaf(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _layout(value: Any, level: int, key: str | None) -> str:
    pad = "  " * (level + 1)
    end = "  " * level
    if isinstance(value, dict) and value:
        parts = [f"{pad}{_leaf(k)}: {_layout(v, level + 1, k)}" for k, v in value.items()]
        return "{\n" + ",\n".join(parts) + "\n" + end + "}"
    if isinstance(value, list) and value:
        if key == "events":
            parts = [
                pad + json.dumps(item, ensure_ascii=False, separators=(", ", ": "))
                for item in value
            ]
        else:
            parts = [pad + _layout(item, level + 1, None) for item in value]
        return "[\n" + ",\n".join(parts) + "\n" + end + "]"
    return _leaf(value)


# --- Validation helpers -----------------------------------------------------------------------


_KIND_WORDS = {dict: "an object", list: "a list", str: "a string", int: "an integer"}


def _kind(value: Any) -> str:
    return _KIND_WORDS.get(type(value), type(value).__name__)


def _require_object(data: Any, where: str) -> None:
    if not isinstance(data, dict):
        raise RecordingFormatError(f"{where}: expected an object, got {_kind(data)}")


def _require(data: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        got = _kind(value) if key in data else "nothing"
        raise RecordingFormatError(f"{where}.{key}: expected {_KIND_WORDS[kind]}, got {got}")
    return value


def _headers(data: Any, where: str) -> dict[str, str]:
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise RecordingFormatError(f"{where}: expected an object of strings")
    return {str(name).lower(): value for name, value in data.items()}
