"""Fault specs, their real bodies and headers, in-stream errors, cut points and chaos draws."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver.contract.conformance import Conformance
from mockserver.contract.errors import ConfigurationError
from mockserver.scenarios.faults import (
    FAULT_KINDS,
    HTTP_FAULTS,
    QUOTA_MESSAGE,
    Chaos,
    Fault,
    cut_point,
    error_event,
    http_fault_error,
    insert_error_event,
    parse_fault,
    parse_pacing,
)

WIRE = Path(__file__).resolve().parents[2].parent / "shared" / "wire"
ERROR_FIXTURES = WIRE / "vercel-ai/packages/openai/src/responses/__fixtures__"
CONFORMANCE = Conformance()


def test_specs_parse_from_strings_and_mappings() -> None:
    assert parse_fault("rate_limit") == Fault("rate_limit")
    assert parse_fault(" cut_stream ; after_events=3 ") == Fault("cut_stream", after_events=3)
    assert parse_fault({"type": "stream_error", "code": "server_error"}) == Fault(
        "stream_error", code="server_error"
    )
    assert parse_fault("incomplete;reason=max_output_tokens").reason == "max_output_tokens"
    assert parse_fault("rate_limit;limit=requests;retry_after_ms=5") == Fault(
        "rate_limit", limit="requests", retry_after_ms=5
    )


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("nope", "unknown fault 'nope'; valid faults are 'rate_limit'"),
        ("cut_stream;after_events", "has no value; write it as key=value"),
        ("cut_stream;after_events=x", "must be a whole number, got 'x'"),
        ("cut_stream;after_events=-1", "cannot be negative"),
        ("rate_limit;after_events=1", "fault 'rate_limit' has no option 'after_events'"),
        ("stream_error;code=teapot", "code 'teapot' is not one of 'rate_limit_exceeded'"),
        ("incomplete;reason=tired", "reason 'tired' is not one of"),
        ({"code": "x"}, "a fault mapping needs 'type'"),
        (3, "expected a fault name or mapping, got int"),
    ],
)
def test_bad_specs_say_what_is_valid(spec: object, expected: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        parse_fault(spec, "where")
    assert str(caught.value).startswith("where: ")
    assert expected in str(caught.value)


@given(st.sampled_from(FAULT_KINDS))
def test_every_fault_round_trips_through_its_mapping(kind: str) -> None:
    fault = parse_fault(kind)
    assert parse_fault(fault.to_dict()) == fault


def test_rate_limit_has_the_real_body_and_retry_headers() -> None:
    error = http_fault_error(Fault("rate_limit"), model="gpt-4o-mini", request_id="req_1")
    body = error.body()["error"]
    assert error.status_code == 429
    assert body["type"] == "tokens" and body["code"] == "rate_limit_exceeded"
    assert body["param"] is None
    assert body["message"].startswith("Rate limit reached for gpt-4o-mini in organization org-")
    assert "on tokens per min (TPM): Limit 30000, Used 29876, Requested 412." in body["message"]
    assert body["message"].endswith(
        "Please try again in 20ms. Visit https://platform.openai.com/account/rate-limits to "
        "learn more."
    )
    assert error.headers["retry-after-ms"] == "20" and error.headers["retry-after"] == "1"
    assert error.headers["x-ratelimit-reset-tokens"] == "20ms"
    slow = http_fault_error(
        Fault("rate_limit", limit="requests", retry_after_ms=1500), model=None, request_id=""
    )
    assert "requests per min (RPM)" in slow.body()["error"]["message"]
    assert "Please try again in 1.5s." in slow.body()["error"]["message"]
    assert (
        slow.headers["retry-after"] == "2" and slow.headers["x-ratelimit-remaining-requests"] == "0"
    )


def test_insufficient_quota_is_the_recorded_body() -> None:
    error = http_fault_error(Fault("insufficient_quota"), model=None, request_id="req_1")
    recorded = ERROR_FIXTURES / "openai-error.1.json"
    if recorded.exists():
        assert error.body() == orjson.loads(recorded.read_bytes())
    assert error.body()["error"]["message"] == QUOTA_MESSAGE
    assert error.status_code == 429 and "retry-after" not in error.headers


def test_server_errors_name_the_request_id() -> None:
    server = http_fault_error(Fault("server_error"), model=None, request_id="req_abc")
    assert server.status_code == 500
    assert server.body()["error"]["type"] == "server_error"
    assert "(Please include the request ID req_abc in your message.)" in server.message
    overloaded = http_fault_error(
        Fault("service_unavailable", retry_after_ms=10), model=None, request_id="r"
    )
    assert overloaded.status_code == 503
    assert overloaded.message.startswith("That model is currently overloaded with other requests.")
    assert overloaded.headers["retry-after-ms"] == "10"
    gateway = http_fault_error(Fault("bad_gateway"), model=None, request_id="r")
    assert gateway.status_code == 502 and gateway.verbatim
    assert gateway.body() == {
        "error": {"code": 502, "message": "Bad gateway.", "param": None, "type": "cf_bad_gateway"}
    }


@pytest.mark.parametrize("kind", [k for k in HTTP_FAULTS if k != "bad_gateway"])
def test_http_fault_bodies_are_valid_error_envelopes(kind: str) -> None:
    body = http_fault_error(Fault(kind), model="m", request_id="r").body()
    assert CONFORMANCE.errors("ErrorBody", body) == []
    assert list(body["error"]) == ["message", "type", "param", "code"]


def test_a_stream_error_without_a_stream_is_the_http_error() -> None:
    assert Fault("stream_error").for_request(False).kind == "rate_limit"
    assert (
        Fault("stream_error", code="insufficient_quota").for_request(False).kind
        == "insufficient_quota"
    )
    assert Fault("stream_error", code="server_error").for_request(False).kind == "server_error"
    assert Fault("stream_error").for_request(True).kind == "stream_error"


def test_the_error_event_goes_before_the_terminal_event_like_the_recording() -> None:
    events = [
        {"type": "response.created", "sequence_number": 0},
        {"type": "response.in_progress", "sequence_number": 1},
        {"type": "response.failed", "sequence_number": 2},
    ]
    out = insert_error_event(events, Fault("stream_error", code="insufficient_quota"), "m")
    assert [(e["type"], e["sequence_number"]) for e in out] == [
        ("response.created", 0),
        ("response.in_progress", 1),
        ("error", 2),
        ("response.failed", 3),
    ]
    event = out[2]
    assert event["error"] == {
        "type": "insufficient_quota",
        "code": "insufficient_quota",
        "message": QUOTA_MESSAGE,
        "param": None,
    }
    assert (event["code"], event["message"], event["param"]) == (
        "insufficient_quota",
        QUOTA_MESSAGE,
        None,
    )
    assert CONFORMANCE.event_errors(event) == []
    chunks = ERROR_FIXTURES / "openai-error.1.chunks.txt"
    if chunks.exists():
        recorded = [orjson.loads(line) for line in chunks.read_text().splitlines() if line.strip()]
        assert [e["type"] for e in recorded] == [e["type"] for e in out]
        assert recorded[2]["error"] == event["error"]
    assert (
        error_event(Fault("stream_error"), model="m", sequence_number=5)["error"]["type"]
        == "tokens"
    )


def test_cut_points() -> None:
    assert cut_point(Fault("cut_stream"), 10) == 5
    assert cut_point(Fault("cut_stream"), 1) == 1
    assert cut_point(Fault("cut_stream", after_events=3), 10) == 3
    assert cut_point(Fault("cut_stream", after_events=30), 10) == 10


def draws(chaos: Chaos, n: int, streaming: bool = True) -> list[str | None]:
    out = []
    for _ in range(n):
        fault = chaos.draw(streaming=streaming)
        out.append(fault.kind if fault else None)
    return out


def test_chaos_is_reproducible_from_its_seed_and_keeps_to_its_rate() -> None:
    first = draws(Chaos(0.3, 42), 200)
    assert first == draws(Chaos(0.3, 42), 200)
    assert first != draws(Chaos(0.3, 43), 200)
    assert 30 <= sum(f is not None for f in first) <= 90
    assert set(first) - {None} <= {
        "rate_limit",
        "server_error",
        "service_unavailable",
        "cut_stream",
    }
    assert draws(Chaos(0.0, 1), 50) == [None] * 50
    assert set(draws(Chaos(1.0, 1, ["cut_stream"]), 3, streaming=False)) == {"cut_stream"}
    assert set(draws(Chaos(1.0, 1, ["stream_error"]), 5, streaming=False)) == {"rate_limit"}
    with pytest.raises(ConfigurationError, match="between 0 and 1"):
        Chaos(1.5, None)
    with pytest.raises(ConfigurationError, match="unknown fault 'boom'"):
        Chaos(0.1, None, ["boom"])


def test_pacing_specs() -> None:
    assert parse_pacing("first_event_ms=300, tokens_per_second=50;reply_delay_ms=100") == {
        "first_event_seconds": 0.3,
        "tokens_per_second": 50.0,
        "reply_delay_seconds": 0.1,
    }
    with pytest.raises(ConfigurationError, match="unknown pacing option 'ttfb'"):
        parse_pacing("ttfb=1")
    with pytest.raises(ConfigurationError, match="first_event_ms must be a number"):
        parse_pacing("first_event_ms=soon")
