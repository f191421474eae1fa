"""What may reach disk: kept headers only, credentials scrubbed everywhere, configurable rules."""

from __future__ import annotations

import orjson
import pytest

from mockserver.contract.errors import ConfigurationError
from mockserver.recording.cassette import RecordedEvent
from mockserver.recording.redaction import REDACTED, Redaction, safe_url

KEY = "sk-proj-AbC123dEf456GhI789jKl012MnO345pQr678"


@pytest.mark.parametrize(
    "secret",
    [
        KEY,
        "sk-svcacct-0123456789abcdefghij",
        "sk-abcdefghijklmnop1234",
        "sess-AbCdEfGhIjKlMnOpQrSt",
        "org-AbCdEfGhIjKlMnOpQrSt",
        "proj_AbCdEfGhIjKlMnOpQrSt",
    ],
)
def test_strings_that_look_like_credentials_are_scrubbed(secret: str) -> None:
    raw = orjson.dumps({"input": f"my key: {secret}!", "metadata": {"k": secret}})
    scrubbed = Redaction().body(raw)
    assert secret.encode() not in scrubbed
    assert orjson.loads(scrubbed) == {"input": f"my key: {REDACTED}!", "metadata": {"k": REDACTED}}


@pytest.mark.parametrize(
    "harmless",
    ["task-runner-123456789012", "sk-short", "resp_0123456789abcdef0123", "ask-AbCdEfGhIjKlMnOpQr"],
)
def test_ordinary_strings_are_left_alone(harmless: str) -> None:
    raw = orjson.dumps({"input": harmless})
    assert Redaction().body(raw) == raw


def test_bearer_tokens_are_scrubbed_in_any_text() -> None:
    assert (
        Redaction().scrub_text("Authorization: Bearer abc.DEF-123_456")
        == f"Authorization: Bearer {REDACTED}"
    )


def test_only_kept_headers_are_written_and_secret_ones_never() -> None:
    headers = [
        ("Authorization", f"Bearer {KEY}"),
        ("OpenAI-Organization", "org-AbCdEfGhIjKlMnOpQrSt"),
        ("OpenAI-Project", "proj_AbCdEfGhIjKlMnOpQrSt"),
        ("Cookie", "__cf_bm=secret"),
        ("Content-Type", "application/json"),
        ("User-Agent", "OpenAI/Python 3.54.0"),
        ("X-Stainless-Arch", "x64"),
    ]
    assert Redaction().request_headers(headers) == {
        "content-type": "application/json",
        "user-agent": "OpenAI/Python 3.54.0",
    }
    reply = [
        ("Set-Cookie", "__cf_bm=secret"),
        ("openai-organization", "org-AbCdEfGhIjKlMnOpQrSt"),
        ("x-request-id", "req_1"),
        ("x-ratelimit-remaining-tokens", "29999000"),
        ("cf-ray", "9ee06c592a61c54a-EWR"),
    ]
    assert Redaction().response_headers(reply) == {
        "x-request-id": "req_1",
        "x-ratelimit-remaining-tokens": "29999000",
    }


def test_rules_are_configurable() -> None:
    rules = Redaction().with_rules(
        secret_headers=["X-Request-Id"],
        keep_headers=["cf-ray", "Authorization"],
        patterns=[r"internal-\d+"],
        fields=["user", "input.*.content"],
    )
    assert rules.response_headers(
        [("x-request-id", "req_1"), ("cf-ray", "ray"), ("authorization", "x")]
    ) == {"cf-ray": "ray"}
    raw = b'{"user":"alice","input":[{"content":"internal-42"}],"note":"see internal-7"}'
    assert orjson.loads(rules.body(raw)) == {
        "user": REDACTED,
        "input": [{"content": REDACTED}],
        "note": f"see {REDACTED}",
    }


def test_redacted_json_keeps_its_style_so_it_stays_readable() -> None:
    raw = orjson.dumps({"user": "alice", "n": 1.0}, option=orjson.OPT_INDENT_2)
    rules = Redaction().with_rules(fields=["user"])
    assert rules.body(raw) == orjson.dumps({"user": REDACTED, "n": 1.0}, option=orjson.OPT_INDENT_2)


def test_events_are_scrubbed_line_by_line() -> None:
    event = RecordedEvent(b'event: e\ndata: {"type":"e","delta":"' + KEY.encode() + b'"}', 3.0)
    cleaned = Redaction().event(event)
    assert cleaned.at_ms == 3.0
    assert cleaned.raw == b'event: e\ndata: {"type":"e","delta":"' + REDACTED.encode() + b'"}'


def test_a_bad_pattern_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="not a valid regular expression"):
        Redaction().with_rules(patterns=["(unclosed"])


def test_upstream_urls_lose_credentials_and_query() -> None:
    assert (
        safe_url("https://user:pw@api.example.com:8443/v1?key=sk-x#f")
        == "https://api.example.com:8443/v1"
    )
