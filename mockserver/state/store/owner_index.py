"""Which records hold a key: the memory store's indexes from an item id to the records holding
that item, and from a response id to the responses continuing it (``Store.find_item``,
``Store.continuations_of``).

Entries are added as records are stored and never removed one by one: an entry whose record
has since been deleted, evicted, expired or rewritten without the key is stale. Readers check
each owner they get against the record itself (and ``forget`` it when it is gone), so deleting
or evicting a record costs nothing here and a stale entry never yields anything. Stale entries
are dropped in bulk by ``compact`` once the index holds twice the entries it kept at the last
compaction: O(entries) then, O(1) per addition overall, and the index stays within twice the
live entries (plus ``COMPACT_SLACK``) however many records come and go.

Memory (a stored response costs well under 2 KB in all): a key is kept as its ``hash()`` (an int,
not the id's string), and an owner as the very string that keys its record, so one entry costs
a dict slot and an int. Two keys with one hash share an entry: a lookup then reads one record
more, never a wrong one (the record is checked). A key held by several records keeps them in a
dict (insertion-ordered, the oldest first).
"""

from __future__ import annotations

from collections.abc import Callable

COMPACT_SLACK = 4096  # entries always allowed before a compaction

_Held = str | dict[str, None]


class OwnerIndex:
    def __init__(self, alive: Callable[[str], bool]) -> None:
        self._owners: dict[int, _Held] = {}
        self._alive = alive  # whether an owner's record is (still) there
        self._entries = 0
        self._compact_at = COMPACT_SLACK

    def __len__(self) -> int:
        """How many (key, owner) entries it holds, stale ones included."""
        return self._entries

    def add(self, key: str, owner: str) -> None:
        slot = hash(key)
        held = self._owners.get(slot)
        if held is None:
            self._owners[slot] = owner
        elif isinstance(held, str):
            if held == owner:
                return
            self._owners[slot] = {held: None, owner: None}
        elif owner in held:
            return
        else:
            held[owner] = None
        self._entries += 1
        if self._entries > self._compact_at:
            self.compact()

    def owners(self, key: str) -> list[str]:
        """The records indexed as holding ``key``, the first indexed first (some may be stale,
        or hold another key with the same hash: check each)."""
        held = self._owners.get(hash(key))
        if held is None:
            return []
        return [held] if isinstance(held, str) else list(held)

    def forget(self, key: str, owner: str) -> None:
        """Drop a stale entry: its owner's record is gone (for every key with this hash)."""
        slot = hash(key)
        held = self._owners.get(slot)
        if held is None:
            return
        if isinstance(held, str):
            if held != owner:
                return
            del self._owners[slot]
        else:
            if owner not in held:
                return
            del held[owner]
            if len(held) == 1:
                self._owners[slot] = next(iter(held))
        self._entries -= 1

    def compact(self) -> None:
        """Drop every entry whose owner's record is gone."""
        kept: dict[int, _Held] = {}
        entries = 0
        for slot, held in self._owners.items():
            alive = [o for o in ([held] if isinstance(held, str) else held) if self._alive(o)]
            if len(alive) == 1:
                kept[slot] = alive[0]
            elif alive:
                kept[slot] = dict.fromkeys(alive)
            entries += len(alive)
        self._owners = kept
        self._entries = entries
        self._compact_at = 2 * entries + COMPACT_SLACK

    def clear(self) -> None:
        self._owners.clear()
        self._entries = 0
        self._compact_at = COMPACT_SLACK
