"""Faults: what goes wrong on purpose, chosen per stub, per request (header) or at random (chaos).

Two families:

* HTTP faults answer instead of the API, with the real status, body and headers:
  ``rate_limit`` (429 ``rate_limit_exceeded``), ``insufficient_quota`` (429), ``server_error``
  (500), ``bad_gateway`` (502, Cloudflare's JSON body) and ``service_unavailable`` (503).
* Stream faults change how a reply is delivered: ``cut_stream`` (the connection drops after N
  events, or halfway through a JSON body), ``stream_error`` (HTTP 200, then ``error`` and
  ``response.failed``, in the real order) and ``incomplete`` (``status: "incomplete"`` with
  ``max_output_tokens`` or ``content_filter``). A ``stream_error`` on a request that does not
  stream is the HTTP error the same condition gives (429 or 500), as on the real API.

Specs are written ``name`` or ``name;key=value;...`` (header ``x-mockserver-fault`` and files)
or as a mapping ``{"type": name, key: value}`` (files and the Python API).
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from mockserver.contract.errors import APIError, ConfigurationError, join_choices

FAULT_HEADER = "x-mockserver-fault"
PACING_HEADER = "x-mockserver-pacing"

HTTP_FAULTS = (
    "rate_limit",
    "insufficient_quota",
    "server_error",
    "bad_gateway",
    "service_unavailable",
)
STREAM_FAULTS = ("cut_stream", "stream_error", "incomplete")
FAULT_KINDS = (*HTTP_FAULTS, *STREAM_FAULTS)
# What a chaos run draws from when no list is given.
DEFAULT_CHAOS_FAULTS = ("rate_limit", "server_error", "service_unavailable", "cut_stream")

STREAM_ERROR_CODES = ("rate_limit_exceeded", "insufficient_quota", "server_error")
INCOMPLETE_REASONS = ("max_output_tokens", "content_filter")
RATE_LIMIT_KINDS = ("tokens", "requests")
DEFAULT_RETRY_AFTER_MS = 20
ORGANIZATION = "org-mockserver00000000000000"

# Option name -> (kinds that take it, parser).
_OPTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "after_events": (("cut_stream",), "int"),
    "code": (("stream_error",), "str"),
    "reason": (("incomplete",), "str"),
    "retry_after_ms": (HTTP_FAULTS, "int"),
    "limit": (("rate_limit",), "str"),
}

_NON_STREAM_KIND = {
    "rate_limit_exceeded": "rate_limit",
    "insufficient_quota": "insufficient_quota",
    "server_error": "server_error",
}

QUOTA_MESSAGE = (
    "You exceeded your current quota, please check your plan and billing details. For more "
    "information on this error, read the docs: "
    "https://platform.openai.com/docs/guides/error-codes/api-errors."
)


@dataclass(frozen=True)
class Fault:
    kind: str
    after_events: int | None = None
    code: str = "rate_limit_exceeded"
    reason: str = "content_filter"
    retry_after_ms: int | None = None
    limit: str = "tokens"

    @property
    def is_http(self) -> bool:
        return self.kind in HTTP_FAULTS

    def for_request(self, streaming: bool) -> Fault:
        """The fault as it shows on this request: a ``stream_error`` without a stream is the
        HTTP error the same condition gives."""
        if self.kind == "stream_error" and not streaming:
            return replace(self, kind=_NON_STREAM_KIND[self.code])
        return self

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.kind}
        for name, (kinds, _) in _OPTIONS.items():
            if self.kind in kinds and getattr(self, name) is not None:
                out[name] = getattr(self, name)
        return out


def parse_fault(spec: Any, where: str = "fault") -> Fault:
    """A fault from ``"name"``, ``"name;key=value"`` or ``{"type": name, ...}``."""
    if isinstance(spec, str):
        name, *pairs = [part.strip() for part in spec.split(";")]
        options: dict[str, Any] = {}
        for pair in pairs:
            if not pair:
                continue
            key, sep, value = pair.partition("=")
            if not sep:
                raise ConfigurationError(
                    f"{where}: option {pair!r} has no value; write it as key=value "
                    f"(e.g. {name};after_events=3)"
                )
            options[key.strip()] = value.strip()
    elif isinstance(spec, Mapping):
        options = dict(spec)
        name = options.pop("type", None)
        if not isinstance(name, str):
            raise ConfigurationError(
                f"{where}: a fault mapping needs 'type', one of "
                f"{join_choices(list(FAULT_KINDS), 'or')}"
            )
    else:
        raise ConfigurationError(
            f"{where}: expected a fault name or mapping, got {type(spec).__name__}"
        )
    if name not in FAULT_KINDS:
        raise ConfigurationError(
            f"{where}: unknown fault {name!r}; valid faults are {join_choices(list(FAULT_KINDS))}"
        )
    fields: dict[str, Any] = {}
    for key, value in options.items():
        if key not in _OPTIONS or name not in _OPTIONS[key][0]:
            valid = [k for k, (kinds, _) in _OPTIONS.items() if name in kinds]
            listed = join_choices(valid) if valid else "none"
            raise ConfigurationError(
                f"{where}: fault {name!r} has no option {key!r}; its options are {listed}"
            )
        fields[key] = _option_value(key, value, where)
    _check_choice(where, "code", fields.get("code"), STREAM_ERROR_CODES)
    _check_choice(where, "reason", fields.get("reason"), INCOMPLETE_REASONS)
    _check_choice(where, "limit", fields.get("limit"), RATE_LIMIT_KINDS)
    return Fault(kind=name, **fields)


def _option_value(key: str, value: Any, where: str) -> Any:
    if _OPTIONS[key][1] == "str":
        return str(value)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ConfigurationError(
            f"{where}: option {key!r} must be a whole number, got {value!r}"
        ) from None
    if number < 0:
        raise ConfigurationError(f"{where}: option {key!r} cannot be negative, got {number}")
    return number


def _check_choice(where: str, key: str, value: str | None, choices: Sequence[str]) -> None:
    if value is not None and value not in choices:
        raise ConfigurationError(
            f"{where}: {key} {value!r} is not one of {join_choices(list(choices))}"
        )


class FaultError(APIError):
    """An error answered on purpose, with any status, headers and body."""

    def __init__(
        self,
        status: int,
        body: dict[str, Any],
        headers: Mapping[str, str] | None = None,
        *,
        verbatim: bool = False,
    ) -> None:
        error = body.get("error") if isinstance(body.get("error"), dict) else {}
        super().__init__(str(error.get("message", "")), headers=headers)
        self.status_code = status
        self._body = body
        # Scripted by a stub, or not the API's own envelope (Cloudflare's 502).
        self.verbatim = verbatim

    def body(self) -> dict[str, Any]:
        return self._body


def _envelope(message: str, error_type: str, code: Any, param: Any = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": error_type, "param": param, "code": code}}


def _wait_words(ms: int) -> str:
    if ms < 1000:
        return f"{ms}ms"
    return f"{ms / 1000:.3f}".rstrip("0").rstrip(".") + "s"


def _retry_headers(ms: int | None) -> dict[str, str]:
    if ms is None:
        return {}
    return {"retry-after": str(max(1, math.ceil(ms / 1000))), "retry-after-ms": str(ms)}


def http_fault_error(fault: Fault, *, model: str | None, request_id: str) -> FaultError:
    """The error response of an HTTP fault, with the real body and headers."""
    model = model or "gpt-4o-mini"
    if fault.kind == "rate_limit":
        wait = DEFAULT_RETRY_AFTER_MS if fault.retry_after_ms is None else fault.retry_after_ms
        if fault.limit == "requests":
            usage = "on requests per min (RPM): Limit 500, Used 500, Requested 1"
        else:
            usage = "on tokens per min (TPM): Limit 30000, Used 29876, Requested 412"
        message = (
            f"Rate limit reached for {model} in organization {ORGANIZATION} {usage}. Please try "
            f"again in {_wait_words(wait)}. Visit https://platform.openai.com/account/rate-limits "
            "to learn more."
        )
        headers = {
            **_retry_headers(wait),
            "x-ratelimit-limit-requests": "500",
            "x-ratelimit-limit-tokens": "30000",
            "x-ratelimit-remaining-requests": "0" if fault.limit == "requests" else "499",
            "x-ratelimit-remaining-tokens": "124" if fault.limit == "tokens" else "29000",
            "x-ratelimit-reset-requests": _wait_words(wait)
            if fault.limit == "requests"
            else "120ms",
            "x-ratelimit-reset-tokens": _wait_words(wait) if fault.limit == "tokens" else "0s",
        }
        body = _envelope(message, fault.limit, "rate_limit_exceeded")
        return FaultError(429, body, headers)
    headers = _retry_headers(fault.retry_after_ms)
    if fault.kind == "insufficient_quota":
        body = _envelope(QUOTA_MESSAGE, "insufficient_quota", "insufficient_quota")
        return FaultError(429, body, headers)
    if fault.kind == "bad_gateway":
        # Cloudflare's edge answers for the API here: a numeric code, keys in its own order.
        body = {
            "error": {
                "code": 502,
                "message": "Bad gateway.",
                "param": None,
                "type": "cf_bad_gateway",
            }
        }
        return FaultError(502, body, headers, verbatim=True)
    retry_text = (
        "You can retry your request, or contact us through our help center at help.openai.com if "
        f"the error persists. (Please include the request ID {request_id} in your message.)"
    )
    if fault.kind == "service_unavailable":
        message = f"That model is currently overloaded with other requests. {retry_text}"
        return FaultError(503, _envelope(message, "server_error", None), headers)
    message = (
        f"The server had an error while processing your request. Sorry about that! {retry_text}"
    )
    return FaultError(500, _envelope(message, "server_error", None), headers)


def stream_error_fields(
    fault: Fault, *, model: str | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the ``error`` event's fields, the failed response's ``error``) of a ``stream_error``."""
    if fault.code == "insufficient_quota":
        error_type, message = "insufficient_quota", QUOTA_MESSAGE
    elif fault.code == "server_error":
        error_type = "server_error"
        message = "The server had an error while processing your request. Sorry about that!"
    else:
        error_type = "tokens"
        message = http_fault_error(Fault("rate_limit"), model=model, request_id="").message
    error = {"type": error_type, "code": fault.code, "message": message, "param": None}
    return error, {"code": fault.code, "message": message}


def error_event(fault: Fault, *, model: str | None, sequence_number: int) -> dict[str, Any]:
    """The in-stream ``error`` event: the real API nests ``{type, code, message, param}`` under
    ``error`` (recorded); the SDK's type reads them at the top level, so both are sent."""
    error, _ = stream_error_fields(fault, model=model)
    return {
        "type": "error",
        "sequence_number": sequence_number,
        "code": error["code"],
        "message": error["message"],
        "param": None,
        "error": error,
    }


def insert_error_event(
    events: list[dict[str, Any]], fault: Fault, model: str | None
) -> list[dict[str, Any]]:
    """``created`` → ``in_progress`` → ``error`` → ``response.failed``: the error goes right
    before the terminal event, and sequence numbers are counted again."""
    if not events:
        return events
    *body, terminal = events
    out = [*body, error_event(fault, model=model, sequence_number=len(body)), terminal]
    return [{**event, "sequence_number": index} for index, event in enumerate(out)]


def cut_point(fault: Fault, total: int) -> int:
    """How many events (or, for a JSON body, which half) go out before the connection drops."""
    if fault.after_events is None:
        return max(1, total // 2)
    return min(fault.after_events, total)


class Chaos:
    """Seeded random faults for chaos runs: each request draws once, in arrival order."""

    def __init__(self, rate: float, seed: int | None, kinds: Sequence[str] | None = None) -> None:
        if not 0 <= rate <= 1:
            raise ConfigurationError(f"chaos rate must be between 0 and 1, got {rate}")
        self.rate = rate
        self.kinds = tuple(kinds or DEFAULT_CHAOS_FAULTS)
        self.faults = [parse_fault(kind, "chaos faults") for kind in self.kinds]
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def draw(self, *, streaming: bool) -> Fault | None:
        """A fault for this request, or None (``rate`` of the requests get one)."""
        with self._lock:
            hit = self._random.random() < self.rate
            pick = self._random.randrange(len(self.faults))
        return self.faults[pick].for_request(streaming) if hit else None


def parse_pacing(spec: str, where: str = PACING_HEADER) -> dict[str, float]:
    """``first_event_ms=300,tokens_per_second=50,reply_delay_ms=100`` -> Pacing keyword args."""
    names = {
        "first_event_ms": ("first_event_seconds", 1000.0),
        "tokens_per_second": ("tokens_per_second", 1.0),
        "reply_delay_ms": ("reply_delay_seconds", 1000.0),
    }
    fields: dict[str, float] = {}
    for pair in spec.replace(";", ",").split(","):
        if not pair.strip():
            continue
        key, _, value = pair.partition("=")
        key = key.strip()
        if key not in names:
            raise ConfigurationError(
                f"{where}: unknown pacing option {key!r}; valid options are "
                f"{join_choices(list(names))}"
            )
        try:
            number = float(value)
        except ValueError:
            raise ConfigurationError(
                f"{where}: {key} must be a number, got {value.strip()!r}"
            ) from None
        field, divisor = names[key]
        fields[field] = number / divisor
    return fields
