"""Argument types shared by the subcommands: argparse reports their errors with the usage of the
subcommand that was given the bad value."""

from __future__ import annotations

import argparse

from mockserver.contract.errors import ConfigurationError
from mockserver.recording.modes import parse_record_mode

MIN_PORT, MAX_PORT = 1, 65535


def port_number(text: str) -> int:
    """``--port``: an integer from 1 to 65535."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a port number; give an integer from {MIN_PORT} to {MAX_PORT}"
        ) from None
    if not MIN_PORT <= port <= MAX_PORT:
        raise argparse.ArgumentTypeError(
            f"{port} is out of range; a port is an integer from {MIN_PORT} to {MAX_PORT}"
        )
    return port


def record_mode(text: str) -> str:
    """``--record-mode``: one of the record modes, by value."""
    try:
        return parse_record_mode(text).value
    except ConfigurationError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
