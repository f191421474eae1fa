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
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from mockserver.scenarios.stubs.matching import RequestView, unmet
from mockserver.scenarios.stubs.model import INITIAL_STATE, Stub


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
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[Entry] = []
        self._ids = itertools.count(1)
        self._states: dict[str, str] = {}
        self.misses: list[Miss] = []

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
            return next((e for e in self._entries if e.id == stub_id), None)

    def entries(self) -> list[Entry]:
        with self._lock:
            return list(self._entries)

    def reset(self) -> None:
        """Back to the start-up stubs, with every counter and scenario state cleared."""
        with self._lock:
            self._entries = [e for e in self._entries if e.permanent]
            for entry in self._entries:
                entry.calls = entry.answered = 0
            self._states.clear()
            self.misses.clear()

    def clear(self) -> None:
        """Drop every stub, start-up ones included."""
        with self._lock:
            self._entries = []
            self._states.clear()
            self.misses.clear()

    def states(self) -> dict[str, str]:
        with self._lock:
            return dict(self._states)

    def set_state(self, scenario: str, state: str) -> None:
        with self._lock:
            self._states[scenario] = state

    def select(self, view: RequestView) -> Entry | None:
        """The stub that answers this request (counting it against every stub it matches)."""
        with self._lock:
            eligible: list[Entry] = []
            for entry in self._entries:
                conditions = entry.stub.conditions
                if unmet(conditions, view):
                    continue
                entry.calls += 1
                if conditions.call is not None and entry.calls not in conditions.call:
                    continue
                if (
                    conditions.state is not None
                    and self._state(conditions.scenario) != conditions.state
                ):
                    continue
                if entry.stub.times is not None and entry.answered >= entry.stub.times:
                    continue
                eligible.append(entry)
            if not eligible:
                return None
            best = max(
                eligible,
                key=lambda e: (e.stub.priority, e.stub.conditions.specificity, e.order),
            )
            best.answered += 1
            if best.stub.set_state is not None:
                self._states[best.stub.conditions.scenario] = best.stub.set_state
            return best

    def miss(self, view: RequestView, limit: int = 3) -> Miss:
        """Record that no stub answered ``view``, explaining the ``limit`` nearest stubs."""
        with self._lock:
            ranked = []
            for entry in self._entries:
                problems = unmet(entry.stub.conditions, view) or self._dynamic_problems(entry)
                ranked.append((len(problems), -entry.order, entry.stub.name, problems))
            ranked.sort()
            miss = Miss(view.method, view.path, [(n, p) for _, _, n, p in ranked[:limit]])
            self.misses.append(miss)
            return miss

    def _state(self, scenario: str) -> str:
        return self._states.get(scenario, INITIAL_STATE)

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
