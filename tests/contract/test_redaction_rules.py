"""The one set of redaction rules (contract/redaction.py): a test per rule."""

from __future__ import annotations

import pytest

from mockserver.contract import redaction
from mockserver.contract.redaction import REDACTED

KEY = "sk-proj-abcdefghijklmnopqrstuvwxyz012345"


@pytest.mark.parametrize(
    "name",
    [
        "Authorization",
        "Proxy-Authorization",
        "Cookie",
        "Set-Cookie",
        "OpenAI-Organization",
        "OpenAI-Project",
        "api-key",
        "X-Api-Key",
    ],
)
def test_rule_secret_headers_lose_their_values(name: str) -> None:
    shown = redaction.headers([(name.encode(), b"anything at all")])
    assert shown == {name.lower(): REDACTED}


def test_rule_other_headers_are_kept_but_scrubbed() -> None:
    shown = redaction.headers([(b"X-Note", f"key {KEY}".encode()), (b"Accept", b"*/*")])
    assert shown == {"x-note": f"key {REDACTED}", "accept": "*/*"}


@pytest.mark.parametrize("name", ["api_key", "api-key", "apikey", "key", "token", "access_token"])
def test_rule_credential_query_parameters_lose_their_values(name: str) -> None:
    assert redaction.query(f"{name}=hunter2&limit=5") == f"{name}={REDACTED}&limit=5"


def test_rule_other_query_values_are_scrubbed_and_clean_ones_untouched() -> None:
    assert redaction.query(f"q={KEY}") == f"q={REDACTED}"
    assert redaction.query("limit=5&order=asc") == "limit=5&order=asc"
    assert redaction.query(KEY) == f"{REDACTED}="


def test_rule_paths_lose_credential_segments() -> None:
    assert redaction.path(f"/v1/{KEY}/responses") == f"/v1/{REDACTED}/responses"
    shown = redaction.target("/v1/responses", f"api_key={KEY}")
    assert shown == f"/v1/responses?api_key={REDACTED}"


@pytest.mark.parametrize(
    "secret",
    [
        KEY,
        "sk-abcdefghijklmnop",
        "sess-abcdefghijklmnop",
        "org-abcdefghijklmnop",
        "proj_abcdefghijklm",
    ],
)
def test_rule_bodies_lose_credential_looking_strings(secret: str) -> None:
    body = f'{{"input": "my key is {secret}!"}}'.encode()
    assert redaction.scrub(body) == f'{{"input": "my key is {REDACTED}!"}}'.encode()


def test_rule_bearer_tokens_are_scrubbed_in_text() -> None:
    assert redaction.scrub_text("Bearer abc.def-123") == f"Bearer {REDACTED}"


def test_clean_bodies_are_returned_as_they_are() -> None:
    body = b'{"input": "risk-free, skip this"}'
    assert redaction.scrub(body) is body
