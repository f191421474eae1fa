"""What a recording set-up is named by before anything is recorded: the record modes, the default
upstream and cassette. Light on purpose: the command line builds its options and help from these
without loading the recording machinery (``tape``, ``cassette``, ``upstream``), which a server
that does not record never needs.
"""

from __future__ import annotations

from enum import StrEnum

from mockserver.contract.errors import ConfigurationError

DEFAULT_UPSTREAM = "https://api.openai.com/v1"
# The cassette recorded to when none is named (`DIR/default.json`).
DEFAULT_CASSETTE = "default"


class RecordMode(StrEnum):
    NONE = "none"
    ONCE = "once"
    NEW_EPISODES = "new_episodes"
    ALL = "all"


def parse_record_mode(value: str | RecordMode) -> RecordMode:
    try:
        return RecordMode(value)
    except ValueError:
        valid = ", ".join(repr(mode.value) for mode in RecordMode)
        raise ConfigurationError(
            f"{value!r} is not a valid record mode. Valid modes are: {valid} "
            "(the meanings pytest-recording uses; see docs/record-replay.md)."
        ) from None
