"""What of an exchange may be written to disk: kept headers, scrubbed secrets.

Pure. The rules for secrets are the shared ones (``contract/redaction.py``); this module adds what
only recordings need. Requests and responses keep only headers on an allowlist (so
``Authorization``, cookies and ``OpenAI-Organization``/``OpenAI-Project`` never reach a
recording), paths and query strings lose credentials, and every string that looks like a
credential (``sk-...``, ``sess-...``, organization and project ids, bearer tokens) is
replaced by :data:`REDACTED` in kept header values, bodies and stream events. Rules are
configurable: more secret headers, more patterns, JSON fields to blank, headers to keep.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import orjson

from mockserver.contract import redaction as shared
from mockserver.contract.errors import ConfigurationError
from mockserver.recording.cassette import RecordedEvent, encode_json, json_style
from mockserver.recording.matching import FieldPath, parse_paths, replace_fields

REDACTED = shared.REDACTED

# Request headers worth keeping: they change the answer or say who asked.
REQUEST_HEADERS = frozenset({"content-type", "accept", "openai-beta", "user-agent"})
# Response headers worth keeping: what clients read. Dates, Cloudflare, cookies and hop-by-hop
# headers are dropped; `openai-organization`/`openai-project` are secrets.
RESPONSE_HEADERS = frozenset(
    {
        "content-type",
        "cache-control",
        "openai-version",
        "openai-processing-ms",
        "openai-model",
        "x-request-id",
        "retry-after",
        "retry-after-ms",
        "www-authenticate",
    }
)
RESPONSE_HEADER_PREFIXES = ("x-ratelimit-",)
# Never written, even when asked to keep them; credential-looking strings: the rules shared with
# the journal, the inspector and the access log (contract/redaction.py).
SECRET_HEADERS = shared.SECRET_HEADERS
SECRET_PATTERNS = shared.SECRET_PATTERNS


@dataclass(frozen=True)
class Redaction:
    """The scrubbing rules; extend the defaults with the keyword arguments of :meth:`with_rules`."""

    secret_headers: frozenset[str] = SECRET_HEADERS
    keep_request_headers: frozenset[str] = REQUEST_HEADERS
    keep_response_headers: frozenset[str] = RESPONSE_HEADERS
    patterns: tuple[str, ...] = SECRET_PATTERNS
    # JSON fields whose values are replaced (dotted paths, `*` for any key or index).
    fields: tuple[str, ...] = ()
    _compiled: re.Pattern[bytes] = field(init=False, repr=False, compare=False)
    _paths: tuple[FieldPath, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            compiled = shared.compile_patterns(self.patterns)
        except re.error as exc:
            raise ConfigurationError(
                f"a redaction pattern is not a valid regular expression ({exc}): "
                f"{list(self.patterns)}"
            ) from None
        object.__setattr__(self, "_compiled", compiled)
        object.__setattr__(self, "_paths", parse_paths(self.fields))

    def with_rules(
        self,
        *,
        secret_headers: Iterable[str] = (),
        keep_headers: Iterable[str] = (),
        patterns: Iterable[str] = (),
        fields: Iterable[str] = (),
    ) -> Redaction:
        keep = frozenset(h.lower() for h in keep_headers)
        return Redaction(
            secret_headers=self.secret_headers | {h.lower() for h in secret_headers},
            keep_request_headers=self.keep_request_headers | keep,
            keep_response_headers=self.keep_response_headers | keep,
            patterns=(*self.patterns, *patterns),
            fields=(*self.fields, *fields),
        )

    # --- strings and bodies ---

    def scrub(self, raw: bytes) -> bytes:
        """``raw`` with every credential-looking string replaced."""
        return self._compiled.sub(REDACTED.encode(), raw) if raw else raw

    def scrub_text(self, text: str) -> str:
        return self.scrub(text.encode("utf-8")).decode("utf-8")

    def path(self, raw: str) -> str:
        """A request path as it may be written: credential-looking segments replaced."""
        return self.scrub_text(shared.path(raw))

    def query(self, raw: str) -> str:
        """A query string as it may be written: credential parameters' values replaced."""
        return self.scrub_text(shared.query(raw))

    def body(self, raw: bytes) -> bytes:
        """A request or response body: configured fields blanked, then credentials scrubbed.

        JSON is re-encoded in the style it came in, so a body stays readable on disk.
        """
        if self._paths and raw:
            found = json_style(raw)
            if found is not None:
                value, style = found
                raw = encode_json(replace_fields(value, self._paths, REDACTED), style)
            else:
                try:
                    value = orjson.loads(raw)
                except orjson.JSONDecodeError:
                    pass
                else:
                    raw = orjson.dumps(replace_fields(value, self._paths, REDACTED))
        return self.scrub(raw)

    def event(self, event: RecordedEvent) -> RecordedEvent:
        lines = event.raw.split(b"\n")
        cleaned = [
            b"data: " + self.body(line[6:]) if line.startswith(b"data: ") else self.scrub(line)
            for line in lines
        ]
        return RecordedEvent(raw=b"\n".join(cleaned), at_ms=event.at_ms)

    # --- headers ---

    def request_headers(self, headers: Iterable[tuple[str, str]]) -> dict[str, str]:
        return self._headers(headers, self.keep_request_headers, ())

    def response_headers(self, headers: Iterable[tuple[str, str]]) -> dict[str, str]:
        return self._headers(headers, self.keep_response_headers, RESPONSE_HEADER_PREFIXES)

    def _headers(
        self, headers: Iterable[tuple[str, str]], keep: frozenset[str], prefixes: tuple[str, ...]
    ) -> dict[str, str]:
        kept: dict[str, str] = {}
        for name, value in headers:
            key = name.lower()
            if key in self.secret_headers or not (key in keep or key.startswith(prefixes)):
                continue
            value = self.scrub_text(value)
            kept[key] = f"{kept[key]}, {value}" if key in kept else value
        return kept


def safe_url(url: str) -> str:
    """``url`` without credentials, query or fragment: what a recording says it came from."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
