"""Record modes, and the tape: which recordings are in play and which were already replayed.

Pure (``persist.py`` loads and saves the files). The modes mean what they mean in vcrpy and
pytest-recording, per cassette:

- ``none``: replay only; a request without a recording gets the replay-miss error.
- ``once``: a cassette file that exists is replayed like ``none``; one that does not exist yet is
  recorded (every request is forwarded).
- ``new_episodes``: replay what matches, forward and record (append) the rest.
- ``all``: forward and record every request, replay nothing. The cassette is replaced by this
  session's interactions (what pytest-recording calls ``rewrite``): vcrpy's ``all`` appends, and
  with ordered replay the stale copies would be replayed first.

Identical requests replay in recorded order, each recording once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from mockserver.recording.cassette import Cassette, Interaction, RecordedRequest
from mockserver.recording.matching import Difference, MatchRules, RequestView, nearest, view
from mockserver.recording.modes import RecordMode, parse_record_mode

__all__ = ["Miss", "RecordMode", "Slot", "Tape", "parse_record_mode", "view_of"]


def view_of(request: RecordedRequest, rules: MatchRules) -> RequestView:
    return view(request.method, request.path, request.query, request.body, rules)


@dataclass
class Slot:
    cassette: str
    index: int
    interaction: Interaction
    view: RequestView
    played: bool = False

    def label(self) -> str:
        return f"{self.cassette}#{self.index}"


@dataclass(frozen=True)
class Miss:
    """Why a request found no recording: the nearest ones, what differed, exhausted copies."""

    request: RequestView
    mode: RecordMode
    cassettes: tuple[str, ...]
    nearest: tuple[tuple[Slot, tuple[Difference, ...]], ...]
    # How many recordings of exactly this request exist (all already replayed when > 0).
    exhausted: int
    # The cassette to replay, when its file does not exist.
    missing_cassette: str | None = None

    def message(self) -> str:
        where = ", ".join(repr(name) for name in self.cassettes) or "(no cassettes loaded)"
        lines = [
            f"No recording matches {self.request.describe()} (record mode {self.mode.value!r}; "
            f"cassettes: {where})."
        ]
        if self.exhausted:
            lines.append(
                f"All {self.exhausted} recording(s) of this exact request were already replayed: "
                "identical requests replay in recorded order, each once. Record the extra call "
                "(--record-mode new_episodes) or make one call fewer."
            )
            return " ".join(lines)
        if self.missing_cassette is not None:
            lines.append(
                f"The cassette {self.missing_cassette!r} has no file yet: record it (record mode "
                "'once' records the cassettes that do not exist)."
            )
        elif not self.nearest:
            lines.append("There are no recordings at all: record some first (mockserver record).")
        other_routes, same_route = [], []
        for slot, diffs in self.nearest:
            if (slot.view.method, slot.view.path) != (self.request.method, self.request.path):
                other_routes.append(f"{slot.label()} ({slot.view.describe()})")
                continue
            shown = "; ".join(diff.describe() for diff in diffs[:8])
            more = f"; and {len(diffs) - 8} more" if len(diffs) > 8 else ""
            same_route.append(f"{slot.label()} differs in {len(diffs)} field(s): {shown}{more}")
        if same_route:
            lines.append("Nearest recordings: " + " | ".join(same_route) + ".")
        if other_routes:
            lines.append(
                f"No recording of {self.request.method} {self.request.path} at all; nearest "
                f"recordings are other routes: {', '.join(other_routes)}."
                if len(other_routes) == len(self.nearest)
                else f"Other routes: {', '.join(other_routes)}."
            )
        if not self.exhausted:
            lines.append(
                "Fix the request, ignore volatile fields (--match-ignore FIELD), or record it "
                "(--record-mode new_episodes)."
            )
        return " ".join(lines)

    def to_dict(self) -> dict[str, object]:
        return {
            "request": self.request.describe(),
            "record_mode": self.mode.value,
            "cassettes": list(self.cassettes),
            "exhausted": self.exhausted,
            "nearest": [
                {
                    "recording": slot.label(),
                    "request": slot.view.describe(),
                    "differences": [diff.to_dict() for diff in diffs],
                }
                for slot, diffs in self.nearest
            ],
        }


@dataclass
class Tape:
    """The recordings in play: several cassettes replayed as one pool, one cassette recorded to.

    ``target`` is the cassette new interactions go to; ``target_existed`` says whether its file
    was there when the tape was loaded (the ``once`` mode depends on it).
    """

    mode: RecordMode
    target: Cassette
    target_existed: bool
    others: list[Cassette] = field(default_factory=list)
    rules: MatchRules = field(default_factory=MatchRules)
    _slots: list[Slot] = field(default_factory=list, init=False)
    _replaced: bool = field(default=False, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        self.rewind()

    @property
    def replays(self) -> bool:
        if self.mode is RecordMode.ALL:
            return False
        return not (self.mode is RecordMode.ONCE and not self.target_existed)

    @property
    def records(self) -> bool:
        if self.mode is RecordMode.NONE:
            return False
        return not (self.mode is RecordMode.ONCE and self.target_existed)

    @property
    def cassette_names(self) -> tuple[str, ...]:
        return tuple(
            c.name for c in [*self.others, self.target] if c.interactions or c is self.target
        )

    def rewind(self) -> None:
        """Every recording playable again (a new test, or ``MockServer.reset()``)."""
        with self._lock:
            self._slots = [
                Slot(cassette.name, index, interaction, view_of(interaction.request, self.rules))
                for cassette in [*self.others, self.target]
                for index, interaction in enumerate(cassette.interactions)
            ]

    def take(self, request: RequestView) -> Slot | None:
        """The first not yet replayed recording of ``request``, marked as replayed."""
        if not self.replays:
            return None
        key = request.key()
        with self._lock:
            for slot in self._slots:
                if not slot.played and slot.view.key() == key:
                    slot.played = True
                    return slot
        return None

    def miss(self, request: RequestView) -> Miss:
        with self._lock:
            slots = list(self._slots)
        key = request.key()
        exhausted = sum(1 for slot in slots if slot.view.key() == key)
        ranked = nearest(request, [slot.view for slot in slots])
        return Miss(
            request=request,
            mode=self.mode,
            cassettes=self.cassette_names,
            nearest=tuple((slots[index], tuple(diffs)) for index, diffs in ranked),
            exhausted=exhausted,
            missing_cassette=None if self.target_existed or self.others else self.target.name,
        )

    def add(self, interaction: Interaction) -> Cassette:
        """Append a recorded interaction to the target cassette; returns the cassette to save.

        In ``all`` mode the first new interaction replaces what the cassette held.
        """
        with self._lock:
            if self.mode is RecordMode.ALL and not self._replaced:
                self.target.interactions = []
                self._slots = [s for s in self._slots if s.cassette != self.target.name]
                self._replaced = True
            self.target.interactions.append(interaction)
            slot = Slot(
                self.target.name,
                len(self.target.interactions) - 1,
                interaction,
                view_of(interaction.request, self.rules),
                played=True,
            )
            self._slots.append(slot)
            return Cassette(self.target.name, list(self.target.interactions))
