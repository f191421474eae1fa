"""The one set of rules for secrets: what is masked wherever something is kept or shown.

Used by the request journal (and so the admin API and the inspector page), the access log, and
recordings (``recording/redaction.py`` adds its header allowlists and configurable extras on top
of these rules). Pure. Each rule has its own test in ``tests/contract/test_redaction.py``:

- **headers**: the values of :data:`SECRET_HEADERS` (credentials, cookies, account ids) are
  replaced by :data:`REDACTED`; other header values are scrubbed like text;
- **query strings**: the values of parameters named like credentials (:data:`SECRET_PARAMS`,
  e.g. ``api_key``, ``key``, ``token``) are replaced, every other value is scrubbed;
- **paths**: scrubbed (a key pasted into a URL path, ``/v1/sk-…/responses``);
- **text and bodies**: every string that looks like a credential (:data:`SECRET_PATTERNS`:
  ``sk-…``, ``sess-…``, organization and project ids, bearer tokens) is replaced.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, quote, unquote_plus

REDACTED = "[REDACTED]"
_REDACTED_BYTES = REDACTED.encode()

SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "openai-organization",
        "openai-project",
        "api-key",
        "x-api-key",
    }
)
# Query parameters whose value is a credential whatever it looks like (compared lower-cased,
# with '-' read as '_').
SECRET_PARAMS = frozenset(
    {
        "api_key",
        "apikey",
        "key",
        "access_token",
        "token",
        "auth",
        "authorization",
        "secret",
        "client_secret",
        "password",
        "sig",
        "signature",
    }
)
# Strings that look like credentials. Real keys are far longer than these minimums.
SECRET_PATTERNS = (
    r"(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_-]{12,}",  # sk-..., sk-proj-..., sk-svcacct-..., sk-admin-...
    r"(?<![A-Za-z0-9_-])sess-[A-Za-z0-9_-]{12,}",  # session keys
    r"(?<![A-Za-z0-9_-])org-[A-Za-z0-9]{12,}",  # organization ids
    r"(?<![A-Za-z0-9_-])proj_[A-Za-z0-9]{12,}",  # project ids
    r"(?<=Bearer )[A-Za-z0-9._~+/=-]{8,}",  # any bearer token
)
# What every pattern above needs somewhere in the text: a cheap test before the regex runs, so
# clean bodies (nearly all) cost a few substring searches.
_MARKERS = (b"sk-", b"sess-", b"org-", b"proj_", b"Bearer ")


def compile_patterns(patterns: Iterable[str]) -> re.Pattern[bytes]:
    """One regular expression matching any of ``patterns`` (raises ``re.error`` on a bad one)."""
    return re.compile("|".join(f"(?:{p})" for p in patterns).encode())


_DEFAULT = compile_patterns(SECRET_PATTERNS)


def scrub(raw: bytes) -> bytes:
    """``raw`` with every credential-looking string replaced by :data:`REDACTED`."""
    if not raw or not any(marker in raw for marker in _MARKERS):
        return raw
    return _DEFAULT.sub(_REDACTED_BYTES, raw)


def scrub_text(text: str) -> str:
    if not text:
        return text
    raw = text.encode("utf-8", "surrogateescape")
    cleaned = scrub(raw)
    return text if cleaned is raw else cleaned.decode("utf-8", "surrogateescape")


def is_secret_header(name: str) -> bool:
    return name.lower() in SECRET_HEADERS


def header_value(name: str, value: str) -> str:
    """What may be shown of one header's value."""
    return REDACTED if is_secret_header(name) else scrub_text(value)


def headers(raw: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    """ASGI headers as a dict (lower-case names), secrets masked."""
    shown: dict[str, str] = {}
    for name, value in raw:
        key = name.decode("latin-1").lower()
        shown[key] = header_value(key, value.decode("latin-1"))
    return shown


def is_secret_param(name: str) -> bool:
    return name.lower().replace("-", "_") in SECRET_PARAMS


def query(raw: str) -> str:
    """A query string with credential parameters' values replaced and every value scrubbed."""
    if not raw:
        return raw
    pairs = parse_qsl(raw, keep_blank_values=True)
    marked = any(m.decode() in unquote_plus(raw) for m in _MARKERS)
    if not marked and not any(is_secret_param(name) for name, _ in pairs):
        return raw
    parts = []
    for name, value in pairs:
        shown = REDACTED if is_secret_param(name) else scrub_text(value)
        parts.append(f"{quote(scrub_text(name), safe='[]')}={quote(shown, safe='[],:')}")
    return "&".join(parts) if parts else scrub_text(unquote_plus(raw))


def path(raw: str) -> str:
    """A URL path with credential-looking segments replaced."""
    return scrub_text(raw)


def target(raw_path: str, raw_query: str) -> str:
    """``path?query`` as it may be shown or logged."""
    shown = path(raw_path)
    return f"{shown}?{query(raw_query)}" if raw_query else shown
