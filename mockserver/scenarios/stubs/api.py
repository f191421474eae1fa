"""The Python API over a server's stubs (``MockServer.stubs``, the ``mockserver_stubs`` fixture)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mockserver.scenarios.stubs.loader import load_stubs
from mockserver.scenarios.stubs.model import parse_stub, stub_definition
from mockserver.scenarios.stubs.registry import Entry, Miss, StubRegistry

PYTHON_SOURCE = "python"


class Stubs:
    """Add, list and remove stubs; read and set scenario states::

    server.stubs.add(input="weather", output=[{"type": "function_call", "name": "get_weather",
                                               "arguments": {"city": "Paris"}}], times=1)
    server.stubs.add({"match": {"call": 2}, "answer": {"fault": "rate_limit"}})
    """

    def __init__(self, registry: StubRegistry) -> None:
        self.registry = registry
        self._added = 0

    def add(self, definition: Mapping[str, Any] | None = None, **fields: Any) -> Entry:
        """Add one stub, as a mapping (the file format) or as keywords; returns its entry, whose
        ``calls`` and ``answered`` count the requests it matched and answered."""
        if definition is None:
            data = stub_definition(**fields)
        else:
            data = dict(definition)
            if fields:
                rule = {k: v for k, v in data.items() if k not in ("match", "answer")}
                data = stub_definition(data.get("match"), data.get("answer"), **rule, **fields)
        self._added += 1
        return self.registry.add(parse_stub(data, source=PYTHON_SOURCE, index=self._added))

    def load(self, path: str | Path) -> list[Entry]:
        """Add every stub of a file or directory (YAML or JSON)."""
        return self.registry.extend(load_stubs([Path(path)]))

    def remove(self, stub: Entry | str) -> bool:
        return self.registry.remove(stub.id if isinstance(stub, Entry) else stub)

    def entries(self) -> list[Entry]:
        return self.registry.entries()

    def clear(self) -> None:
        """Drop the stubs added since start-up, and reset counters and scenario states."""
        self.registry.reset()

    def states(self) -> dict[str, str]:
        return self.registry.states()

    def set_state(self, scenario: str, state: str) -> None:
        self.registry.set_state(scenario, state)

    @property
    def misses(self) -> list[Miss]:
        """Requests no stub answered in strict mode, with the nearest stubs."""
        return list(self.registry.misses)
