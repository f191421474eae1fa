"""Plain values for the string ``format``s Structured Outputs supports (default answers; the
edge-case strategies are in ``format_strategies``). Every value is valid for its format as JSON
Schema defines it (RFC 3339 dates and times with an offset, ISO 8601 durations, RFC 5321 emails,
RFC 1123 hostnames, dotted-quad IPv4, RFC 4291 IPv6, RFC 4122 UUIDs).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid

_DOMAINS = ("example.com", "example.org", "mock.test", "api.example.net")
_NAMES = ("alice", "bob", "carol", "dave", "erin")


def default_value(fmt: str, rng: random.Random) -> str:
    """A plain, realistic value of ``fmt``, drawn from ``rng``."""
    moment = dt.datetime(2025, 1, 1, tzinfo=dt.UTC) + dt.timedelta(
        days=rng.randrange(365), seconds=rng.randrange(86400)
    )
    if fmt == "date-time":
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if fmt == "date":
        return moment.strftime("%Y-%m-%d")
    if fmt == "time":
        return moment.strftime("%H:%M:%SZ")
    if fmt == "duration":
        return f"P{rng.randint(1, 30)}DT{rng.randint(0, 23)}H"
    if fmt == "email":
        return f"{rng.choice(_NAMES)}@{rng.choice(_DOMAINS)}"
    if fmt == "hostname":
        return rng.choice(_DOMAINS)
    if fmt == "ipv4":
        return f"192.0.2.{rng.randint(1, 254)}"
    if fmt == "ipv6":
        return f"2001:db8::{rng.randint(1, 0xFFFF):x}"
    if fmt == "uuid":
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))
    raise ValueError(f"unsupported format {fmt!r}")
