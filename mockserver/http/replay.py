"""Record and replay: an ASGI layer in front of the mock.

For every ``/v1/`` request: replay the first not yet replayed recording that matches (when the
record mode replays); otherwise forward it to the upstream, stream the answer back unchanged as it
arrives and save the interaction (when the record mode records); otherwise let the mock answer
from replayed state (``GET``/``DELETE``/``input_items`` of a replayed response), or answer with
the replay-miss error. Everything else goes straight to the mock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.contract.errors import ConfigurationError
from mockserver.http.middleware import bearer_key, internal_error
from mockserver.http.render import error_response
from mockserver.recording import persist, replay_state
from mockserver.recording.cassette import (
    FRAME_SEPARATOR,
    FrameSplitter,
    Interaction,
    RecordedEvent,
    RecordedRequest,
    RecordedResponse,
    utc_iso,
)
from mockserver.recording.matching import MatchRules, RequestView, view
from mockserver.recording.modes import DEFAULT_CASSETTE
from mockserver.recording.redaction import Redaction, safe_url
from mockserver.recording.tape import Miss, RecordMode, Tape, parse_record_mode
from mockserver.recording.upstream import (
    ASGIUpstream,
    HTTPUpstream,
    Upstream,
    UpstreamError,
    UpstreamReply,
    UpstreamRequest,
    passed_on,
)
from mockserver.scenarios.journal import redact_headers
from mockserver.state.mock_state import MockState

logger = logging.getLogger("mockserver.replay")

# A replay miss: the mock's own status and error type (the real API has no such thing). 422
# because no test expects it from the real API, and the SDK does not retry it.
MISS_STATUS = 422
MISS_TYPE = "mockserver_replay_miss"
UPSTREAM_STATUS = 502
UPSTREAM_TYPE = "mockserver_upstream_error"


@dataclass(frozen=True)
class ReplayConfig:
    """How to record and replay (``MockServer(recordings=..., record_mode=..., ...)``)."""

    recordings: Path
    record_mode: RecordMode = RecordMode.NONE
    # Where to forward what is recorded; None: the mock itself answers (labelled "generated").
    upstream: str | None = None
    # The cassette to replay and record to; None: replay every cassette in `recordings`, and
    # record to DEFAULT_CASSETTE.
    cassette: str | None = None
    # 0: replay as fast as possible; 1.0: with the recorded pacing; 2.0: twice as fast.
    replay_speed: float = 0.0
    # Fields left out of matching (dotted body paths; `query.NAME` for query parameters).
    match_ignore: tuple[str, ...] = ()
    redaction: Redaction = field(default_factory=Redaction)
    # Overrides the label of new recordings ("live", "generated" or "unverified").
    source: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "recordings", Path(self.recordings))
        object.__setattr__(self, "record_mode", parse_record_mode(self.record_mode))
        object.__setattr__(self, "match_ignore", tuple(self.match_ignore))
        MatchRules(self.match_ignore).validate()
        if self.replay_speed < 0:
            raise ConfigurationError(
                f"replay speed {self.replay_speed} is negative; use 0 (as fast as possible), "
                "1 (recorded pacing) or any positive factor"
            )
        if self.source is not None and self.source not in ("live", "generated", "unverified"):
            raise ConfigurationError(
                f"source {self.source!r} is not valid for new recordings; valid sources are "
                "'live', 'generated' and 'unverified' ('imported' is for `mockserver import`)"
            )


def _receive_with_body(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


async def _read_body(receive: Receive) -> bytes:
    parts = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(parts)


def _headers(scope: Scope) -> list[tuple[str, str]]:
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]


def _encode(headers: Iterable[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    return [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]


def _handled(scope: Scope) -> bool:
    # Preflights belong to CORS; only API calls are recorded and replayed.
    return scope["path"].startswith("/v1/") and scope["method"] != "OPTIONS"


def error_body(message: str, error_type: str, code: str, **extra: object) -> bytes:
    error = {"message": message, "type": error_type, "param": None, "code": code, **extra}
    return orjson.dumps({"error": error}, option=orjson.OPT_INDENT_2)


class ReplayLayer:
    """Record/replay in front of the mock: made by ``create_app(replay=ReplayConfig(...))``,
    which puts it behind CORS and the inspector and in front of everything that answers as the
    API (``wrap`` receives that inner app). ``MockServer.replay`` is this object."""

    def __init__(
        self,
        config: ReplayConfig,
        state: MockState,
        *,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.config = config
        self.state = state
        # How pacing waits; tests replace it to observe the delays without sleeping.
        self.sleep = sleep
        self.rules = MatchRules(config.match_ignore)
        self.app: ASGIApp | None = None
        self.upstream: Upstream = (
            HTTPUpstream(config.upstream) if config.upstream else ASGIUpstream(self._inner)
        )
        self.source = config.source or self.upstream.default_source
        self._misses: list[Miss] = []
        # Ids of responses that replays (or recordings) handed out in this test.
        self._known: set[str] = set()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        if config.record_mode is not RecordMode.NONE:
            persist.tidy(config.recordings)  # a crash's half-done appends and temp files
        self.tape = self._load(config.cassette)
        self.active = True

    def wrap(self, app: ASGIApp) -> ReplayLayer:
        """Become the ASGI app in front of ``app`` (a Starlette middleware factory)."""
        self.app = app
        return self

    async def _inner(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.app is not None, "ReplayLayer.wrap() was not called"
        await self.app(scope, receive, send)

    # --- cassettes ---

    def _load(self, cassette: str | None) -> Tape:
        directory = self.config.recordings
        target, existed = persist.load_cassette(directory, cassette or DEFAULT_CASSETTE)
        others = []
        if cassette is None:
            others = [c for c in persist.load_directory(directory) if c.name != target.name]
        return Tape(self.config.record_mode, target, existed, others, self.rules)

    def use_cassette(self, name: str | None) -> None:
        """Replay and record ``name`` from now on (None: every cassette in the directory)."""
        self.tape = self._load(name)
        self.active = True
        self._known.clear()

    def eject(self) -> None:
        """Stop replaying and recording: every request goes to the mock, until ``use_cassette``."""
        self.active = False
        self._known.clear()

    def rewind(self) -> None:
        """Every recording playable again, replayed ids forgotten (with ``MockServer.reset``)."""
        self.tape.rewind()
        self._known.clear()

    def take_misses(self) -> list[Miss]:
        with self._lock:
            taken, self._misses = self._misses, []
            return taken

    def close(self, timeout: float = 5.0) -> None:
        """Close the upstream connection pool from outside the server's thread."""
        loop = self._loop
        if loop is not None and loop.is_running():
            future = asyncio.run_coroutine_threadsafe(self.upstream.aclose(), loop)
            with contextlib.suppress(Exception):
                future.result(timeout)

    # --- ASGI ---

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.active or not _handled(scope):
            await self._inner(scope, receive, send)
            return
        self._loop = asyncio.get_running_loop()
        body = await _read_body(receive)
        inner_receive = _receive_with_body(body, receive)
        method, path = scope["method"], scope["path"]
        query = scope.get("query_string", b"").decode("latin-1")
        tape = self.tape
        redaction = self.config.redaction
        requested = view(
            method, redaction.path(path), redaction.query(query), redaction.body(body), self.rules
        )
        authorised = self._authorised(scope)
        slot = tape.take(requested) if tape.replays and authorised else None
        fallback = not authorised or replay_state.falls_back_to_store(self._known, method, path)
        if slot is None and not tape.records and fallback:
            await self._inner(scope, inner_receive, send)
            return
        generating = slot is None and tape.records and isinstance(self.upstream, ASGIUpstream)
        if not generating:  # (the mock journals the answers it makes)
            send = self._journaled(scope, body, send)
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            if slot is not None:
                logger.info("replaying %s from %s", requested.describe(), slot.label())
                await self._replay(slot.interaction, tracking_send)
                self._apply(slot.interaction)
            elif tape.records:
                request = RecordedRequest(method, path, query, {}, body)
                await self._record(tape, request, scope, tracking_send)
            else:
                await self._miss(tape, requested, tracking_send)
        except Exception as exc:
            # A bug in record/replay: kept so that `MockServer` re-raises it in the test.
            self.state.record_failure(exc)
            logger.exception("record/replay failed on %s %s", method, path)
            if not started:
                await error_response(internal_error())(scope, inner_receive, send)

    def _journaled(self, scope: Scope, body: bytes, send: Send) -> Send:
        """``send`` that also writes the exchange to the journal (the inspector shows replays;
        the API middleware, which journals the mock's own answers, never sees them)."""
        journal = self.state.journal
        exchange = journal.start(
            request_id="",
            started_at=self.state.clock.now(),
            method=scope["method"],
            path=scope["path"],
            query=scope.get("query_string", b"").decode("latin-1"),
            request_headers=redact_headers(scope["headers"]),
        )
        journal.set_request_body(exchange, body)

        async def journaled_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                exchange.status = message["status"]
                exchange.response_headers = redact_headers(message.get("headers", []))
                exchange.request_id = exchange.response_headers.get("x-request-id", "")
            elif message["type"] == "http.response.body":
                journal.add_response_body(exchange, message.get("body", b""))
                if not message.get("more_body", False):
                    journal.finish(exchange)
            await send(message)

        return journaled_send

    def _authorised(self, scope: Scope) -> bool:
        key = bearer_key(scope)
        expected = self.state.config.api_key
        return bool(key) and (expected is None or key == expected)

    async def _miss(self, tape: Tape, requested: RequestView, send: Send) -> None:
        miss = tape.miss(requested)
        with self._lock:
            self._misses.append(miss)
        logger.warning("replay miss: %s", miss.message())
        body = error_body(miss.message(), MISS_TYPE, "replay_miss", replay=miss.to_dict())
        await _send_json(send, MISS_STATUS, body)

    # --- replay ---

    async def _replay(self, interaction: Interaction, send: Send) -> None:
        response = interaction.response
        speed = self.config.replay_speed
        headers = passed_on(list(response.headers.items()))
        if not response.streamed:
            headers.append(("content-length", str(len(response.body))))
        if speed > 0 and response.elapsed_ms:
            await self.sleep(response.elapsed_ms / 1000 / speed)
        await send(
            {"type": "http.response.start", "status": response.status, "headers": _encode(headers)}
        )
        if response.events is None:
            await send({"type": "http.response.body", "body": response.body, "more_body": False})
            return
        previous = 0.0
        for event in response.events:
            if speed > 0 and event.at_ms is not None:
                if event.at_ms > previous:
                    await self.sleep((event.at_ms - previous) / 1000 / speed)
                previous = max(previous, event.at_ms)
            chunk = event.raw + FRAME_SEPARATOR
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": response.trailing, "more_body": False})

    # --- record ---

    async def _record(self, tape: Tape, request: RecordedRequest, scope: Scope, send: Send) -> None:
        headers = _headers(scope)
        outgoing = UpstreamRequest(
            request.method, request.path, request.query, headers, request.body, scope
        )
        started = False
        try:
            async with self.upstream.open(outgoing) as reply:
                passed = passed_on(reply.headers)
                length = reply.header("content-length")
                if length is not None and reply.header("content-encoding") is None:
                    passed.append(("content-length", length))  # the bytes pass unchanged
                await send(
                    {
                        "type": "http.response.start",
                        "status": reply.status,
                        "headers": _encode(passed),
                    }
                )
                started = True
                content_type = reply.header("content-type") or ""
                streamed = content_type.startswith("text/event-stream")
                splitter = FrameSplitter()
                events: list[RecordedEvent] = []
                body = bytearray()
                opened = time.perf_counter()
                async for chunk in reply.chunks():
                    if streamed:
                        at_ms = round((time.perf_counter() - opened) * 1000, 1)
                        events += [RecordedEvent(frame, at_ms) for frame in splitter.feed(chunk)]
                    else:
                        body += chunk
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        except UpstreamError as exc:
            logger.warning("not recorded: %s", exc)
            if not started:
                message = f"mockserver record: {exc}. Nothing was recorded."
                await _send_json(
                    send,
                    UPSTREAM_STATUS,
                    error_body(message, UPSTREAM_TYPE, "upstream_unreachable"),
                )
            else:
                await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        except OSError:
            logger.warning("not recorded: the client went away during %s", request.describe())
            return
        events_or_none = tuple(events) if streamed else None
        interaction = self._interaction(
            request, headers, reply, bytes(body), events_or_none, splitter.rest
        )
        with self._lock:
            cassette = tape.add(interaction)
            path = persist.append_interaction(self.config.recordings, cassette)
        logger.info("recorded %s into %s", request.describe(), path)
        self._apply(interaction, recorded=True)

    def _interaction(
        self,
        request: RecordedRequest,
        headers: list[tuple[str, str]],
        reply: UpstreamReply,
        body: bytes,
        events: tuple[RecordedEvent, ...] | None,
        rest: bytes,
    ) -> Interaction:
        """What is written to disk: kept headers only, secrets scrubbed everywhere."""
        redaction = self.config.redaction
        response = RecordedResponse(
            status=reply.status,
            headers=redaction.response_headers(reply.headers),
            body=redaction.body(body) if events is None else b"",
            events=None if events is None else tuple(redaction.event(e) for e in events),
            trailing=redaction.scrub(rest) if events is not None else b"",
            elapsed_ms=round(reply.elapsed_ms, 1),
        )
        kept = redaction.request_headers(headers)
        return Interaction(
            request=RecordedRequest(
                request.method,
                redaction.path(request.path),
                redaction.query(request.query),
                kept,
                redaction.body(request.body),
            ),
            response=response,
            recorded_at=utc_iso(self.state.clock.now()),
            source=self.source,
            upstream=safe_url(self.upstream.url)
            if "://" in self.upstream.url
            else self.upstream.url,
            api_version=reply.header("openai-version"),
            sdk_version=kept.get("user-agent"),
        )

    def _apply(self, interaction: Interaction, *, recorded: bool = False) -> None:
        if recorded and isinstance(self.upstream, ASGIUpstream):
            # Recorded from the mock itself, whose store already holds the real thing.
            response_id = replay_state.response_id(interaction)
        else:
            response_id = replay_state.apply(self.state.store, self.state.ids, interaction)
        if response_id is not None:
            self._known.add(response_id)


async def _send_json(send: Send, status: int, body: bytes) -> None:
    headers = [("content-type", "application/json"), ("content-length", str(len(body)))]
    await send({"type": "http.response.start", "status": status, "headers": _encode(headers)})
    await send({"type": "http.response.body", "body": body, "more_body": False})


REPLAY_OPTIONS = (
    "recordings",
    "record_mode",
    "upstream",
    "cassette",
    "replay_speed",
    "match_ignore",
    "redaction",
    "source",
)


def pop_replay_options(options: dict[str, object]) -> ReplayConfig | None:
    """Take the record/replay keyword arguments out of ``options`` (``MockServer(**options)``);
    a ReplayConfig when ``recordings`` is given."""
    taken = {key: options.pop(key) for key in REPLAY_OPTIONS if key in options}
    if taken.get("recordings") is None:
        given = ", ".join(sorted(k for k, v in taken.items() if v is not None))
        if given:
            raise ConfigurationError(
                f"{given} given without recordings=DIR; record and replay need a recordings "
                "directory"
            )
        return None
    return ReplayConfig(**taken)  # type: ignore[arg-type]
