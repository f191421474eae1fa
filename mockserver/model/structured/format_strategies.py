"""Hypothesis strategies for the supported string ``format``s, biased to their odd corners: far
dates, odd offsets, fractional seconds, long duration runs, unusual email local parts, deep
hostnames. Every value is valid for its format as JSON Schema defines it."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st
from hypothesis.provisional import domains

_OFFSETS = st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59).map(
    lambda minutes: dt.timezone(dt.timedelta(minutes=minutes))
)


def _rfc3339_datetime(value: dt.datetime) -> str:
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


@st.composite
def _durations(draw: st.DrawFn) -> str:
    # RFC 3339 appendix A: units come in one contiguous run per part (no "P1Y1D", no "T1H1S").
    if draw(st.booleans()):
        return f"P{draw(st.integers(0, 10**6))}W"
    numbers = st.integers(0, 10**6)

    def run(units: str) -> str:
        start = draw(st.integers(0, len(units) - 1))
        end = draw(st.integers(start, len(units)))
        return "".join(f"{draw(numbers)}{unit}" for unit in units[start:end])

    date, time = run("YMD"), run("HMS")
    if not date and not time:
        date = "0D"
    return "P" + date + (f"T{time}" if time else "")


def _plain_domains() -> st.SearchStrategy[str]:
    # Punycode labels ("xn--...") must also be valid IDNA, which validators check; leave them out.
    return domains().filter(lambda name: "--" not in name)


_LOCAL_PARTS = st.from_regex(r"\A[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,64}\Z")


def format_strategy(fmt: str) -> st.SearchStrategy[str]:
    """Values of ``fmt``, biased to the odd corners (far dates, offsets, long labels...)."""
    if fmt == "date-time":
        return st.datetimes(timezones=_OFFSETS | st.just(dt.UTC)).map(_rfc3339_datetime)
    if fmt == "date":
        return st.dates().map(dt.date.isoformat)
    if fmt == "time":
        return st.times(timezones=_OFFSETS | st.just(dt.UTC)).map(
            lambda t: _rfc3339_datetime(dt.datetime.combine(dt.date(2000, 1, 1), t))[11:]
        )
    if fmt == "duration":
        return _durations()
    if fmt == "email":
        return st.builds(lambda local, host: f"{local}@{host}", _LOCAL_PARTS, _plain_domains())
    if fmt == "hostname":
        return _plain_domains()
    if fmt == "ipv4":
        return st.ip_addresses(v=4).map(str)
    if fmt == "ipv6":
        return st.ip_addresses(v=6).map(str)
    if fmt == "uuid":
        return st.uuids().map(str)
    raise ValueError(f"unsupported format {fmt!r}")
