"""The recordings format: exact bytes in, readable JSON on disk, exact bytes back."""

from __future__ import annotations

import json

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver.recording.cassette import (
    FORMAT_VERSION,
    Cassette,
    FrameSplitter,
    Interaction,
    RecordedEvent,
    RecordedRequest,
    RecordedResponse,
    RecordingFormatError,
    body_from_dict,
    body_to_dict,
    dumps_cassette,
    loads_cassette,
    split_frames,
    utc_iso,
)

REAL_STYLE = orjson.dumps(
    {"id": "resp_1", "output": [], "temperature": 1.0}, option=orjson.OPT_INDENT_2
)


def interaction(
    response: RecordedResponse, body: bytes = b'{"model":"gpt-4o-mini"}'
) -> Interaction:
    return Interaction(
        request=RecordedRequest(
            "POST", "/v1/responses", "", {"content-type": "application/json"}, body
        ),
        response=response,
        recorded_at="2026-01-01T00:00:00.000Z",
        source="generated",
        upstream="mockserver",
        api_version="2020-10-01",
        sdk_version="OpenAI/Python 3.54.0",
    )


def roundtrip(cassette: Cassette) -> Cassette:
    return loads_cassette(dumps_cassette(cassette), "test.json")


def test_a_body_in_the_real_apis_style_is_stored_as_readable_json() -> None:
    stored = body_to_dict(REAL_STYLE)
    assert stored == {"body": {"id": "resp_1", "output": [], "temperature": 1.0}}
    assert body_from_dict(stored, "here") == REAL_STYLE


@pytest.mark.parametrize(
    ("raw", "key", "style"),
    [
        (b'{"a":1,"b":[1.5,"x"]}', "body", "compact"),
        (b'{"name": "caf\\u00e9"}', "body_text", None),  # Python's default separators: kept as text
        (b'{"a":"caf\\u00e9"}', "body", "compact_ascii"),
        (b'{\n  "a": "caf\\u00e9"\n}', "body", "indent2_ascii"),
        (b"not json at all", "body_text", None),
        (b'{"a": 1e400}', "body_text", None),
        (b'{"a":1,"a":2}', "body_text", None),  # duplicate keys cannot be reproduced
        (b"\xff\xfe\x00binary", "body_base64", None),
    ],
)
def test_every_body_comes_back_byte_for_byte(raw: bytes, key: str, style: str | None) -> None:
    stored = body_to_dict(raw)
    assert key in stored
    assert stored.get("body_style") == style
    assert body_from_dict(stored, "here") == raw


@given(st.binary(max_size=200))
def test_any_bytes_survive_the_file_format(raw: bytes) -> None:
    response = RecordedResponse(200, {"content-type": "application/octet-stream"}, body=raw)
    cassette = roundtrip(Cassette("c", [interaction(response, body=raw)]))
    assert cassette.interactions[0].response.body == raw
    assert cassette.interactions[0].request.body == raw


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@given(st.lists(json_values, min_size=1, max_size=5), st.booleans())
def test_streams_keep_every_frame_verbatim(payloads: list, named: bool) -> None:
    frames = []
    for payload in payloads:
        data = b"data: " + orjson.dumps(payload)
        frames.append((b"event: response.output_text.delta\n" if named else b"") + data)
    events = tuple(RecordedEvent(frame, at_ms=float(i)) for i, frame in enumerate(frames))
    response = RecordedResponse(
        200, {"content-type": "text/event-stream; charset=utf-8"}, events=events
    )
    back = roundtrip(Cassette("c", [interaction(response)])).interactions[0].response
    assert back.events == events
    assert back.content() == b"".join(frame + b"\n\n" for frame in frames)


def test_odd_frames_and_trailing_bytes_are_kept_as_text() -> None:
    raw = b'event: a\ndata: {"type":"a"}\n\n: keep-alive comment\n\nid: 7\ndata: x\n\npartial'
    frames, rest = split_frames(raw)
    events = tuple(RecordedEvent(frame, 1.0) for frame in frames)
    response = RecordedResponse(200, {}, events=events, trailing=rest)
    stored = response.to_dict()
    assert stored["events"][0] == {"at_ms": 1.0, "event": "a", "data": {"type": "a"}}
    assert stored["events"][1] == {"at_ms": 1.0, "frame": ": keep-alive comment"}
    assert stored["events"][2] == {"at_ms": 1.0, "frame": "id: 7\ndata: x"}
    assert stored["trailing_text"] == "partial"
    assert RecordedResponse.from_dict(stored, "r").content() == raw


def test_the_frame_splitter_emits_frames_as_soon_as_they_are_complete() -> None:
    splitter = FrameSplitter()
    assert splitter.feed(b"event: a\ndata: 1") == []
    assert splitter.feed(b"\n\nevent: b\n") == [b"event: a\ndata: 1"]
    assert splitter.feed(b"data: 2\n\n") == [b"event: b\ndata: 2"]
    assert splitter.rest == b""


def test_the_file_is_indented_json_with_one_line_per_event() -> None:
    events = tuple(
        RecordedEvent(b'event: t\ndata: {"type":"t","sequence_number":%d}' % i, float(i))
        for i in range(3)
    )
    response = RecordedResponse(
        200, {"content-type": "text/event-stream"}, events=events, elapsed_ms=5.0
    )
    text = dumps_cassette(Cassette("c", [interaction(response)])).decode()
    assert json.loads(text)["format_version"] == FORMAT_VERSION
    event_lines = [line for line in text.splitlines() if '"event": "t"' in line]
    assert len(event_lines) == 3
    assert json.loads(event_lines[0].strip().rstrip(",")) == {
        "at_ms": 0.0,
        "event": "t",
        "data": {"type": "t", "sequence_number": 0},
    }
    assert '\n        "method": "POST",\n' in text


def test_an_unknown_format_version_is_a_clear_error() -> None:
    with pytest.raises(
        RecordingFormatError, match=r"format_version 2.*reads only format_version 1.*Upgrade"
    ):
        loads_cassette(b'{"format_version": 2, "interactions": []}', "rec.json")


def test_a_file_without_format_version_is_not_taken_for_a_recording() -> None:
    with pytest.raises(RecordingFormatError, match=r"no 'format_version'.*mockserver import"):
        loads_cassette(b'{"interactions": []}', "cassette.yaml.json")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["interactions"][0]["response"].pop("status"),
            r"interactions\[0\]\.response\.status: expected an integer, got nothing",
        ),
        (lambda d: d["interactions"][0].update(source="real"), r"'real' is not a known source"),
        (
            lambda d: d["interactions"][0]["request"].update(method=3),
            r"request\.method: expected a string",
        ),
        (lambda d: d.update(interactions={}), r"interactions: expected a list"),
    ],
)
def test_a_damaged_file_names_the_place(change, message: str) -> None:
    data = Cassette("c", [interaction(RecordedResponse(200, {}, body=REAL_STYLE))]).to_dict()
    change(data)
    with pytest.raises(RecordingFormatError, match=message):
        Cassette.from_dict(data, "rec.json")


def test_timestamps_are_iso_utc_with_milliseconds() -> None:
    assert utc_iso(1_767_225_600.5) == "2026-01-01T00:00:00.500Z"
