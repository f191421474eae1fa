"""Token counting: one place, deterministic, no model files.

The real tokenizers (o200k and friends) need BPE tables that are downloaded at run time, which an
offline tool cannot do. We approximate them: text is split the way GPT pre-tokenizers split it
(words with their leading space, runs of digits in threes, punctuation runs, whitespace), and each
piece costs one token per started six characters. Every message in a context costs
``MESSAGE_OVERHEAD`` more, and a request costs ``REQUEST_OVERHEAD`` once. Counts are close to the
real ones for English prose (``"Hello, world!"`` in one message: 11, as gpt-4o-mini reports) and,
above all, consistent: ``/v1/responses/input_tokens`` and ``usage.input_tokens`` of the same input
always agree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import repeat
from operator import floordiv
from typing import Any

from mockserver.contract.inputs import item_text

MESSAGE_OVERHEAD = 4
REQUEST_OVERHEAD = 3
# What one `compaction` item costs in a context, overhead included: the summary it stands for is
# short, whatever it replaced (its opaque `encrypted_content` is not text the model reads).
COMPACTION_ITEM_TOKENS = 20

_PIECES = re.compile(
    # `_` is a word character to `re` but punctuation to the real pre-tokenizers; without the
    # `|_` it matched no branch and was dropped from streamed deltas.
    r"""'(?:s|t|re|ve|m|ll|d)| ?[^\W\d_]+| ?\d{1,3}| ?(?:[^\s\w]|_)+|\s+""",
    re.UNICODE,
)


_PLUS_FIVE = (5).__add__


def split_pieces(text: str) -> list[str]:
    """The pieces a text is cut into; each piece is ``count_text_tokens`` of its own."""
    return _PIECES.findall(text)


def count_text_tokens(text: str) -> int:
    # sum((len(piece) + 5) // 6 for piece in pieces), iterated in C: it runs for every answer
    # and every new input item, on the hot path.
    lengths = map(len, _PIECES.findall(text))
    return sum(map(floordiv, map(_PLUS_FIVE, lengths), repeat(6)))




def count_context_tokens(items: Iterable[Any], instructions: str | None = None) -> int:
    """Input tokens of a whole context: instructions plus every item, with overheads."""
    total = REQUEST_OVERHEAD
    if instructions:
        total += MESSAGE_OVERHEAD + count_text_tokens(instructions)
    for item in items:
        if isinstance(item, dict) and item.get("type") == "compaction":
            total += COMPACTION_ITEM_TOKENS
            continue
        total += MESSAGE_OVERHEAD + count_text_tokens(item_text(item))
    return total


def truncate_to_tokens(text: str, limit: int) -> str:
    """The longest prefix of ``text`` (whole pieces) that costs at most ``limit`` tokens."""
    used = 0
    out: list[str] = []
    for piece in _PIECES.findall(text):
        cost = (len(piece) + 5) // 6
        if used + cost > limit:
            break
        used += cost
        out.append(piece)
    return "".join(out)
