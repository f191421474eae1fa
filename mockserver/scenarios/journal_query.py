"""Assertions over the request journal: what did the client send?

``MockServer.journal`` (and the pytest fixture ``mock_server.journal``) wrap ``state.journal``::

    mock_server.journal.assert_called(times=2)
    mock_server.journal.assert_called_with({"model": "gpt-4o-mini"}, call=1)
    mock_server.journal.assert_function_output(call_id="call_123", call=2)

Only API requests (``/v1/...``) are listed unless ``include_admin=True``; calls count from 1 in
the order the server received them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from mockserver.scenarios.journal import Exchange, Journal
from mockserver.scenarios.stubs.matching import subset

ADMIN_PREFIX = "/__mockserver"
CREATE_METHOD, CREATE_PATH = "POST", "/v1/responses"


class JournalView:
    def __init__(self, journal: Journal) -> None:
        self.raw = journal

    def requests(
        self, path: str | None = None, method: str | None = None, *, include_admin: bool = False
    ) -> list[Exchange]:
        """Exchanges in arrival order, filtered by exact path and method."""
        return [
            e
            for e in self.raw.entries()
            if (include_admin or not e.path.startswith(ADMIN_PREFIX))
            and (path is None or e.path == path)
            and (method is None or e.method == method.upper())
        ]

    def bodies(self, path: str = CREATE_PATH, method: str = CREATE_METHOD) -> list[Any]:
        """The JSON bodies of the matching requests (create requests by default)."""
        return [e.request_json() for e in self.requests(path, method)]

    def call(self, number: int, path: str = CREATE_PATH, method: str = CREATE_METHOD) -> Exchange:
        """The ``number``-th matching request (1 = first)."""
        found = self.requests(path, method)
        if not 1 <= number <= len(found):
            raise AssertionError(
                f"expected at least {number} {method} {path} request(s), "
                f"the server saw {len(found)}"
            )
        return found[number - 1]

    def clear(self) -> None:
        self.raw.clear()

    def assert_called(
        self, path: str = CREATE_PATH, method: str = CREATE_METHOD, *, times: int | None = None
    ) -> None:
        count = len(self.requests(path, method))
        if (times is None and count == 0) or (times is not None and count != times):
            wanted = "at least once" if times is None else f"{times} time(s)"
            raise AssertionError(
                f"expected {method} {path} {wanted}, the server saw it {count} time(s)"
            )

    def assert_called_with(
        self,
        expected: Mapping[str, Any],
        *,
        call: int | None = None,
        path: str = CREATE_PATH,
        method: str = CREATE_METHOD,
    ) -> Exchange:
        """Some request (or the ``call``-th) had a JSON body containing ``expected`` (nested
        mappings compare key by key, anything else equal). Returns that exchange."""
        candidates = (
            [self.call(call, path, method)] if call is not None else self.requests(path, method)
        )
        for exchange in candidates:
            if subset(expected, exchange.request_json()):
                return exchange
        where = f"request {call}" if call is not None else f"any of {len(candidates)} request(s)"
        sent = "\n".join(_show(e) for e in candidates) or "  (none)"
        raise AssertionError(
            f"expected {where} to {method} {path} to contain {json.dumps(expected)}; sent:\n{sent}"
        )

    def function_outputs(self, call: int) -> list[dict[str, Any]]:
        """The ``function_call_output`` items the ``call``-th create request carried."""
        body = self.call(call).request_json() or {}
        raw = body.get("input")
        items = raw if isinstance(raw, list) else []
        return [i for i in items if isinstance(i, dict) and i.get("type") == "function_call_output"]

    def assert_function_output(
        self, *, call_id: str | None = None, output: str | None = None, call: int | None = None
    ) -> dict[str, Any]:
        """A create request (or the ``call``-th) carried a ``function_call_output`` with this
        ``call_id`` and/or ``output``. Returns the item."""
        numbers = (
            [call]
            if call is not None
            else range(1, len(self.requests(CREATE_PATH, CREATE_METHOD)) + 1)
        )
        for number in numbers:
            for item in self.function_outputs(number):
                if (call_id is None or item.get("call_id") == call_id) and (
                    output is None or item.get("output") == output
                ):
                    return item
        where = f"create request {call}" if call is not None else "any create request"
        raise AssertionError(
            f"expected {where} to carry a function_call_output with call_id={call_id!r}, "
            f"output={output!r}; sent:\n"
            + "\n".join(_show(e) for e in self.requests(CREATE_PATH, CREATE_METHOD))
        )


def _show(exchange: Exchange) -> str:
    body = exchange.request_json()
    text = json.dumps(body) if body is not None else "(no JSON body)"
    return f"  #{exchange.seq} {exchange.method} {exchange.path}: {text[:300]}"
