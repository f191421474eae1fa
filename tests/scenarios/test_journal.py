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
