"""The server's stubs, their counters and the scenario states; thread-safe.

Choosing a stub for a request (``select``):

1. Every stub whose conditions the request meets counts it: its *call number* goes up by one,
   whether or not it answers (so ``call: 2`` is "the second request of this shape").
2. Among those, a stub is eligible when its ``call`` lists that number (if set), its scenario is
   in its ``state`` (if set, every scenario starts in ``"start"``) and it has answered fewer than
   ``times`` requests (if set).
3. The eligible stub with the highest ``priority`` answers; ties go to the more specific stub
   (more conditions), then to the one added last. Its ``set_state`` then moves its scenario on.

Stubs loaded from files at start-up are kept by ``reset()``; stubs added later are dropped.

The counters (calls, answers) and scenario states live in a ``Tally``: in this process by default;
the server passes its store, so workers and replicas sharing a store share them too (stubs get the
same ids in every process that loads the same files in the same order).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from mockserver.scenarios.stubs.matching import RequestView, unmet
from mockserver.scenarios.stubs.model import INITIAL_STATE, Stub


class Tally(Protocol):
    """Atomic counters and named values (every store implements this)."""

    def count(self, name: str, by: int = 1) -> int: ...

    def counters(self) -> dict[str, int]: ...

    def set_value(self, name: str, value: str) -> None: ...

    def values(self) -> dict[str, str]: ...

    def clear_counters(self) -> None: ...


class LocalTally:
    """A ``Tally`` in this process's memory."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counters: dict[str, int] = {}
        self._values: dict[str, str] = {}

    def count(self, name: str, by: int = 1) -> int:
        with self._lock:
            self._counters[name] = value = self._counters.get(name, 0) + by
            return value

    def counters(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counters)

    def set_value(self, name: str, value: str) -> None:
        with self._lock:
            self._values[name] = value

    def values(self) -> dict[str, str]:
        with self._lock:
            return dict(self._values)

    def clear_counters(self) -> None:
        with self._lock:
            self._counters.clear()
            self._values.clear()


_SCENARIO = "scenario:"


def _calls_key(entry_id: str) -> str:
    return f"stub:{entry_id}:calls"


def _answered_key(entry_id: str) -> str:
    return f"stub:{entry_id}:answered"


@dataclass
class Entry:
    id: str
    stub: Stub
    order: int
    permanent: bool
    calls: int = 0
    answered: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.stub.name,
            "source": self.stub.source,
            "calls": self.calls,
            "answered": self.answered,
            "definition": dict(self.stub.definition),
        }


@dataclass
class Miss:
    """A request no stub answered, with why the nearest stubs did not."""

    method: str
    path: str
    nearest: list[tuple[str, list[str]]] = field(default_factory=list)

    def describe(self) -> str:
        if not self.nearest:
            return f"No stub matches {self.method} {self.path}, and no stub is defined."
        lines = [f"No stub matches {self.method} {self.path}. Nearest stubs:"]
        for name, problems in self.nearest:
            lines.append(f"  - {name}: " + "; ".join(problems))
        return "\n".join(lines)


class StubRegistry:
    def __init__(self, tally: Tally | None = None) -> None:
        self._lock = threading.Lock()
        self._entries: list[Entry] = []
        self._ids = itertools.count(1)
        self.tally: Tally = tally or LocalTally()
        self.misses: list[Miss] = []

    def _refreshed(self, entries: list[Entry]) -> list[Entry]:
        """The entries with their counters as the tally has them now."""
        counters = self.tally.counters()
        for entry in entries:
            entry.calls = counters.get(_calls_key(entry.id), 0)
            entry.answered = counters.get(_answered_key(entry.id), 0)
        return entries

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def add(self, stub: Stub, *, permanent: bool = False) -> Entry:
        with self._lock:
            number = next(self._ids)
            entry = Entry(f"stub_{number}", stub, number, permanent)
            self._entries.append(entry)
            return entry

    def extend(self, stubs: Iterable[Stub], *, permanent: bool = False) -> list[Entry]:
        return [self.add(stub, permanent=permanent) for stub in stubs]

    def remove(self, stub_id: str) -> bool:
        with self._lock:
            kept = [e for e in self._entries if e.id != stub_id]
            removed = len(kept) != len(self._entries)
            self._entries = kept
            return removed

    def get(self, stub_id: str) -> Entry | None:
        with self._lock:
            found = [e for e in self._entries if e.id == stub_id]
        return self._refreshed(found)[0] if found else None

    def entries(self) -> list[Entry]:
        with self._lock:
            entries = list(self._entries)
        return self._refreshed(entries)

    def reset(self) -> None:
        """Back to the start-up stubs, with every counter and scenario state cleared."""
        with self._lock:
            self._entries = [e for e in self._entries if e.permanent]
            for entry in self._entries:
                entry.calls = entry.answered = 0
            self.tally.clear_counters()
            self.misses.clear()

    def clear(self) -> None:
        """Drop every stub, start-up ones included."""
        with self._lock:
            self._entries = []
            self.tally.clear_counters()
            self.misses.clear()

    def states(self) -> dict[str, str]:
        return {
            name[len(_SCENARIO) :]: value
            for name, value in self.tally.values().items()
            if name.startswith(_SCENARIO)
        }

    def set_state(self, scenario: str, state: str) -> None:
        self.tally.set_value(_SCENARIO + scenario, state)

    def select(self, view: RequestView) -> Entry | None:
        """The stub that answers this request (counting it against every stub it matches)."""
        with self._lock:
            if not self._entries:
                return None
            answered = self.tally.counters()
            eligible: list[Entry] = []
            for entry in self._entries:
                conditions = entry.stub.conditions
                if unmet(conditions, view):
                    continue
                entry.calls = self.tally.count(_calls_key(entry.id))
                if conditions.call is not None and entry.calls not in conditions.call:
                    continue
                if (
                    conditions.state is not None
                    and self._state(conditions.scenario) != conditions.state
                ):
                    continue
                times = entry.stub.times
                if times is not None and answered.get(_answered_key(entry.id), 0) >= times:
                    continue
                eligible.append(entry)
            eligible.sort(
                key=lambda e: (e.stub.priority, e.stub.conditions.specificity, e.order),
                reverse=True,
            )
            for best in eligible:
                # Counting the answer first makes `times` hold across processes: a stub whose
                # count passes its limit did not answer (another worker took the last one).
                best.answered = self.tally.count(_answered_key(best.id))
                if best.stub.times is not None and best.answered > best.stub.times:
                    best.answered = self.tally.count(_answered_key(best.id), -1)
                    continue
                if best.stub.set_state is not None:
                    self.set_state(best.stub.conditions.scenario, best.stub.set_state)
                return best
            return None

    def miss(self, view: RequestView, limit: int = 3) -> Miss:
        """Record that no stub answered ``view``, explaining the ``limit`` nearest stubs."""
        with self._lock:
            ranked = []
            for entry in self._refreshed(list(self._entries)):
                problems = unmet(entry.stub.conditions, view) or self._dynamic_problems(entry)
                ranked.append((len(problems), -entry.order, entry.stub.name, problems))
            ranked.sort()
            miss = Miss(view.method, view.path, [(n, p) for _, _, n, p in ranked[:limit]])
            self.misses.append(miss)
            return miss

    def _state(self, scenario: str) -> str:
        return self.tally.values().get(_SCENARIO + scenario, INITIAL_STATE)

    def _dynamic_problems(self, entry: Entry) -> list[str]:
        """Why a stub whose conditions match did not answer (call number, state, times)."""
        conditions = entry.stub.conditions
        problems = []
        if conditions.call is not None and entry.calls not in conditions.call:
            wanted = ", ".join(map(str, sorted(conditions.call)))
            problems.append(f"this was call {entry.calls} of its shape, it answers call {wanted}")
        if conditions.state is not None and self._state(conditions.scenario) != conditions.state:
            problems.append(
                f"scenario {conditions.scenario!r} is in state "
                f"{self._state(conditions.scenario)!r}, it answers in {conditions.state!r}"
            )
        if entry.stub.times is not None and entry.answered >= entry.stub.times:
            problems.append(f"it already answered {entry.answered} time(s), its limit")
        return problems or ["matched, but another stub answered"]
