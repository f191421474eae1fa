"""In a real browser (headless Chromium): pages on another origin stream answers from the server,
through CORS, with the official openai JS SDK and with plain fetch; the inspector page shows
requests live.

Needs Chromium (Debian: ``apt-get install chromium``; or set ``MOCKSERVER_CHROMIUM``) and, for the
SDK page, ``npm ci --prefix tests/browser``. Without them these tests skip and say why.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import openai
import pytest
from headless_chromium import Chromium, Tab, find_chromium

from mockserver import MockServer
from mockserver.http.inspector import PREFIX
from mockserver.model.events import plan_events
from mockserver.scenarios.pacing import Pacing

PAGES = Path(__file__).resolve().parents[1] / "browser"
SDK_ENTRY = PAGES / "node_modules" / "openai" / "index.mjs"
# A name only this browser knows (mapped to 127.0.0.1): an origin that is not a local one.
OTHER_HOST = "app.test"
# Fast, but slow enough that a stream reaches the page in many pieces.
PACING = Pacing(first_event_seconds=0.05, tokens_per_second=100)
FINISHED = "['done', 'failed'].find((state) => state === document.body?.dataset.state)"


class PageHandler(SimpleHTTPRequestHandler):
    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
    }

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    executable = find_chromium()
    if executable is None:
        pytest.skip(
            "no Chromium to run the browser tests: install it (Debian: apt-get install chromium) "
            "or point MOCKSERVER_CHROMIUM at a Chromium or Chrome binary"
        )
    chromium = Chromium(executable, (f"--host-resolver-rules=MAP {OTHER_HOST} 127.0.0.1",))
    yield chromium
    chromium.close()


@pytest.fixture(scope="module")
def pages() -> Iterator[int]:
    """The test pages, served from their own port: another origin than the API's."""
    handler = functools.partial(PageHandler, directory=str(PAGES))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def api_server() -> Iterator[MockServer]:
    with MockServer(self_check=True, pacing=PACING) as server:
        yield server


@pytest.fixture
def api(api_server: MockServer) -> Iterator[MockServer]:
    api_server.reset()
    yield api_server
    api_server.raise_failures()


@pytest.fixture
def tab(browser: Chromium) -> Iterator[Tab]:
    opened = browser.new_tab()
    yield opened
    opened.close()


def load(tab: Tab, url: str) -> dict[str, str]:
    """Open a test page, wait until it is done, and return what it shows (element id -> text)."""
    tab.goto(url)
    state = tab.wait_for(FINISHED)
    shown = tab.evaluate(
        "Object.fromEntries([...document.querySelectorAll('[id]')]"
        ".map((e) => [e.id, e.textContent]))"
    )
    assert state == "done", f"the page failed:\n{shown.get('failure')}\n{tab.console()}"
    return shown


def stored_text(server: MockServer, response_id: str) -> str:
    stored = server.state.store.get_response(response_id)
    assert stored is not None, f"{response_id} is not stored"
    return "".join(
        part["text"]
        for item in stored.response["output"]
        if item["type"] == "message"
        for part in item["content"]
        if part["type"] == "output_text"
    )


def test_openai_js_sdk_streams_into_a_page_on_another_origin(
    tab: Tab, pages: int, api: MockServer
) -> None:
    if not SDK_ENTRY.exists():
        pytest.skip(
            "the openai JS SDK is not installed for the browser tests: run "
            "`npm ci --prefix tests/browser` (needs node and npm)"
        )
    page_origin = f"http://localhost:{pages}"
    shown = load(tab, f"{page_origin}/sdk.html?api={api.base_url}&input=Hello%20from%20Chromium")

    assert shown["output"] == stored_text(api, shown["response-id"])
    assert shown["output"].startswith('Mock reply to "Hello from Chromium"')
    assert int(shown["deltas"]) > 1
    # `request_id` and the error's `requestID` come from x-request-id: readable only if exposed.
    created, failed = api.state.journal.entries()
    assert shown["request-id"] == created.request_id
    assert created.request_headers["origin"] == page_origin
    assert created.request_headers["x-stainless-lang"] == "js"
    assert created.request_json()["stream"] is True
    assert shown["error-status"] == "400"
    assert shown["error-message"] == "The requested model 'no-such-model' does not exist."
    assert shown["error-request-id"] == failed.request_id


def test_plain_fetch_reads_the_sse_stream_as_it_arrives(
    tab: Tab, pages: int, api: MockServer
) -> None:
    shown = load(tab, f"http://localhost:{pages}/fetch.html?api={api.base_url}")

    assert shown["http-status"] == "200"
    assert shown["output"] == stored_text(api, shown["response-id"])
    stored = api.state.store.get_response(shown["response-id"])
    assert stored is not None
    # As many as a resumed stream replays (stored, or re-planned from the stored response).
    assert int(shown["events"]) == len(stored.events or plan_events(stored.response))
    # Paced events reach the page in pieces, not as one buffered body.
    assert int(shown["reads"]) > 1
    streamed, plain = api.state.journal.entries()
    assert shown["request-id"] == streamed.request_id
    assert shown["processing-ms"].isdigit()
    assert shown["ratelimit"] == plain.response_headers["x-ratelimit-remaining-requests"]


def test_a_page_on_another_origin_is_refused_unless_configured(
    tab: Tab, pages: int, api: MockServer
) -> None:
    other_origin = f"http://{OTHER_HOST}:{pages}"
    url = f"{other_origin}/fetch.html?api={api.base_url}"
    tab.goto(url)
    assert tab.wait_for(FINISHED) == "failed"
    assert "Failed to fetch" in tab.text("#failure")
    assert len(api.state.journal) == 0, "the refused preflight kept the request from being sent"

    with MockServer(self_check=True, cors_origins=(other_origin,)) as allowed:
        shown = load(tab, f"{other_origin}/fetch.html?api={allowed.base_url}")
        assert shown["output"] == stored_text(allowed, shown["response-id"])
        assert allowed.state.journal.entries()[0].request_headers["origin"] == other_origin


OBSERVE = """
window.seen = [];
new MutationObserver(() => {
  for (const li of document.querySelectorAll('li.exchange')) {
    window.seen.push([li.dataset.requestId, li.querySelectorAll('li.event').length,
                      li.dataset.finished]);
  }
}).observe(document.getElementById('exchanges'), {childList: true, subtree: true,
                                                  attributes: true});
true
"""


def exchange_row(request_id: str) -> str:
    """JS: the summary text of the finished exchange ``request_id``, else null."""
    selector = json.dumps(f'li.exchange[data-request-id="{request_id}"]')
    return (
        f"(() => {{ const li = document.querySelector({selector});"
        " return li && li.dataset.finished === 'true' ? li.querySelector('summary').innerText"
        " : null; })()"
    )


def test_inspector_shows_requests_live_newest_first(tab: Tab, api: MockServer) -> None:
    client = openai.OpenAI(base_url=api.base_url, api_key="sk-test", max_retries=0)
    with client:
        before = client.responses.create(model="gpt-4o-mini", input="made before the page opened")
        tab.goto(f"{api.url}{PREFIX}")
        tab.wait_for("document.getElementById('connection').dataset.state === 'live'")
        tab.wait_for(exchange_row(before._request_id or ""))
        tab.evaluate(OBSERVE)

        with client.responses.with_streaming_response.create(
            model="gpt-4o-mini", input="watch this stream", stream=True
        ) as raw:
            request_id = raw.headers["x-request-id"]
            events = list(raw.parse())
        summary = tab.wait_for(exchange_row(request_id))

    assert "POST" in summary and "/v1/responses" in summary and "200" in summary
    assert f"stream · {len(events)} events" in summary
    assert 'Mock reply to "watch this stream"' in summary
    # Shown event by event while it streamed: the page grew through several counts.
    growing = {count for rid, count, done in tab.evaluate("window.seen") if rid == request_id}
    assert len({count for count in growing if 0 < count < len(events)}) >= 2, growing
    rows = tab.evaluate(
        "[...document.querySelectorAll('li.exchange')].map((li) => li.dataset.requestId)"
    )
    assert rows == [request_id, before._request_id], "newest first, and nothing else"

    response_id = events[-1].response.id  # type: ignore[union-attr]
    tab.evaluate("document.querySelector('[data-tab=responses]').click(), true")
    tab.wait_for(
        "[...document.querySelectorAll('#stored-responses > li')].map((li) => li.dataset.id)"
        f".join(' ') === '{response_id} {before.id}'"
    )
    assert tab.text("#count-responses") == "2"


def test_inspector_left_open_follows_a_restarted_server(tab: Tab) -> None:
    with MockServer(self_check=True) as first:
        port = first.port
        with openai.OpenAI(base_url=first.base_url, api_key="sk-test") as client:
            client.responses.create(model="gpt-4o-mini", input="to the first server")
            old = client.responses.create(model="gpt-4o-mini", input="again to the first server")
        tab.goto(f"{first.url}{PREFIX}")
        tab.wait_for(exchange_row(old._request_id or ""))
    # The open page did not keep the first server from stopping; a new one takes its port.
    with MockServer(self_check=True, port=port or 0) as second:
        with openai.OpenAI(base_url=second.base_url, api_key="sk-test") as client:
            new = client.responses.create(model="gpt-4o-mini", input="to the second server")
        tab.wait_for(exchange_row(new._request_id or ""))
        rows = tab.evaluate(
            "[...document.querySelectorAll('li.exchange')].map((li) => li.dataset.requestId)"
        )
        # Numbered from 1 again: the page neither skips them nor mixes them with the old ones.
        assert rows == [new._request_id], "the first server's requests are gone"


def test_inspector_pages_back_through_stored_responses(tab: Tab, api: MockServer) -> None:
    with openai.OpenAI(base_url=api.base_url, api_key="sk-test", max_retries=0) as client:
        ids = [
            client.responses.create(model="gpt-4o-mini", input=f"number {n}").id
            for n in range(57)
        ]
    shown = (
        "[...document.querySelectorAll('#stored-responses > li')].map((li) => li.dataset.id)"
        ".join(' ')"
    )
    tab.goto(f"{api.url}{PREFIX}")
    tab.evaluate("document.querySelector('[data-tab=responses]').click(), true")
    tab.wait_for(f"{shown} === '{' '.join(ids[:-51:-1])}'")  # the newest page only
    assert tab.text("#count-responses") == "57"
    older = "document.querySelector('[data-older=responses]')"
    assert tab.evaluate(f"{older}.hidden") is False
    tab.evaluate(f"{older}.click(), true")
    tab.wait_for(f"{shown} === '{' '.join(reversed(ids))}'")
    assert tab.evaluate(f"{older}.hidden") is True  # nothing older left
