"""The request journal: bounded, secrets redacted, bodies parsed on demand, live subscribers."""

from __future__ import annotations

import asyncio

from mockserver.scenarios.journal import Journal, redact_headers


def start(journal: Journal, path: str = "/v1/responses") -> object:
    return journal.start(
        request_id="req_1",
        started_at=0.0,
        method="POST",
        path=path,
        query="",
        request_headers={"content-type": "application/json"},
    )


def test_the_journal_keeps_the_newest_entries_up_to_its_capacity() -> None:
    journal = Journal(capacity=3)
    for index in range(5):
        start(journal, f"/v1/{index}")
    assert [e.path for e in journal] == ["/v1/2", "/v1/3", "/v1/4"]
    assert [e.seq for e in journal] == [3, 4, 5]
    journal.clear()
    assert len(journal) == 0


def test_secret_headers_never_enter_the_journal() -> None:
    headers = redact_headers(
        [(b"Authorization", b"Bearer sk-secret"), (b"Cookie", b"a=b"), (b"X-Other", b"kept")]
    )
    assert headers == {"authorization": "[REDACTED]", "cookie": "[REDACTED]", "x-other": "kept"}


def test_bodies_and_events_are_parsed_when_read() -> None:
    journal = Journal()
    exchange = start(journal)
    exchange.request_body = b'{"model": "m"}'  # type: ignore[attr-defined]
    exchange.response_headers = {"content-type": "text/event-stream; charset=utf-8"}  # type: ignore[attr-defined]
    exchange.response_body += b'event: a\ndata: {"type": "a"}\n\nevent: b\ndata: {"type": "b"}\n\n'  # type: ignore[attr-defined]
    journal.finish(exchange)  # type: ignore[arg-type]
    view = exchange.to_dict()  # type: ignore[attr-defined]
    assert view["request_body"] == {"model": "m"}
    assert view["events"] == [{"type": "a"}, {"type": "b"}]
    assert view["response_body"] is None and view["finished"] is True


async def test_subscribers_see_exchanges_start_and_finish() -> None:
    journal = Journal()
    queue = journal.subscribe()
    exchange = start(journal)
    journal.finish(exchange)  # type: ignore[arg-type]
    first = await asyncio.wait_for(queue.get(), 1)
    second = await asyncio.wait_for(queue.get(), 1)
    assert first is exchange and second is exchange and exchange.finished  # type: ignore[attr-defined]
    journal.unsubscribe(queue)
    start(journal)
    await asyncio.sleep(0)
    assert queue.empty()


# ---- bounds in bytes (#16: 20 x 40 MB rejected requests took RSS from 46 to 885 MB) -----------


def test_each_body_is_kept_up_to_the_per_body_bound() -> None:
    journal = Journal(body_bytes=1000)
    exchange = start(journal)
    journal.add_request_body(exchange, b"x" * 700, more=True)  # type: ignore[arg-type]
    journal.add_request_body(exchange, b"y" * 700, more=False)  # type: ignore[arg-type]
    assert len(exchange.request_body) == 1000  # type: ignore[attr-defined]
    assert exchange.request_body_dropped == 400  # type: ignore[attr-defined]
    assert exchange.request_json() is None  # type: ignore[attr-defined]
    journal.add_response_body(exchange, b"z" * 1500)  # type: ignore[arg-type]
    assert len(exchange.response_body) == 1000  # type: ignore[attr-defined]
    assert exchange.to_dict()["response_body_dropped"] == 500  # type: ignore[attr-defined]
    assert journal.bytes == 2000


def test_the_journal_drops_its_oldest_exchanges_to_stay_within_its_byte_budget() -> None:
    journal = Journal(max_bytes=10_000, body_bytes=4_000)
    for index in range(50):
        exchange = start(journal, f"/v1/{index}")
        journal.set_request_body(exchange, b"b" * 3_000)  # type: ignore[arg-type]
    assert journal.bytes <= 10_000
    assert [e.path for e in journal] == ["/v1/47", "/v1/48", "/v1/49"]
    journal.clear()
    assert journal.bytes == 0


def test_a_reply_still_streaming_after_its_entry_left_is_not_counted() -> None:
    journal = Journal(capacity=1)
    old = start(journal)
    start(journal)
    journal.add_response_body(old, b"data: {}\n\n")  # type: ignore[arg-type]
    assert journal.bytes == 0


# ---- redaction (#16: api-key, x-api-key, set-cookie, query strings and bodies were kept) ------

KEY = "sk-proj-abcdefghijklmnopqrstuvwxyz"


def test_the_journal_keeps_no_secret_header_query_path_or_body() -> None:
    journal = Journal()
    headers = redact_headers(
        [(b"api-key", b"k1"), (b"x-api-key", b"k2"), (b"set-cookie", b"s=1"), (b"accept", b"*/*")]
    )
    exchange = journal.start(
        request_id="req_1",
        started_at=0.0,
        method="GET",
        path=f"/v1/{KEY}",
        query=f"api_key={KEY}&limit=2",
        request_headers=headers,
    )
    journal.set_request_body(exchange, f'{{"input": "{KEY}"}}'.encode())
    journal.add_response_body(exchange, f'{{"echo": "{KEY}"}}'.encode())
    shown = repr(exchange.to_dict())
    assert KEY not in shown and "k1" not in shown and "k2" not in shown and "s=1" not in shown
    assert exchange.query == "api_key=[REDACTED]&limit=2" and exchange.path == "/v1/[REDACTED]"
    assert exchange.request_headers["accept"] == "*/*"


def test_a_body_too_deep_to_show_is_shown_as_none_not_an_error() -> None:
    journal = Journal()
    exchange = start(journal)
    journal.set_request_body(exchange, b"[" * 300 + b"]" * 300)  # type: ignore[arg-type]
    assert exchange.to_dict()["request_body"] is None  # type: ignore[attr-defined]
