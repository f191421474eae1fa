"""Importing VCR cassettes: the real ones under shared/wire, and ones vcrpy writes here."""

from __future__ import annotations

import gzip
from pathlib import Path

import httpx
import openai
import pytest
import vcr
import yaml

from mockserver import ConfigurationError, MockServer
from mockserver.recording.cassette import loads_cassette
from mockserver.recording.vcr_import import convert, import_cassettes, read_cassette

WIRE = Path(__file__).resolve().parents[2].parent / "shared" / "wire"
WIRE_DIRS = ("opentelemetry-python-contrib", "llm-openai-plugin")


def wire_cassettes() -> list[Path]:
    found = sorted(
        p for name in WIRE_DIRS if (WIRE / name).is_dir() for p in (WIRE / name).rglob("*.yaml")
    )
    if not found:
        pytest.skip(f"no vcrpy cassettes under {WIRE} (shared/wire is not part of this checkout)")
    return found


def vcr_response_bodies(path: Path) -> list[bytes]:
    """What the real API sent, straight from the YAML (gunzipped where it was gzip'd)."""
    bodies = []
    for item in yaml.safe_load(path.read_text())["interactions"]:
        raw = item["response"]["body"]["string"]
        raw = raw.encode() if isinstance(raw, str) else raw
        encoding = {k.lower(): v for k, v in item["response"]["headers"].items()}.get(
            "content-encoding"
        )
        bodies.append(gzip.decompress(raw) if encoding == ["gzip"] else raw)
    return bodies


def test_the_real_cassettes_import_with_every_body_intact() -> None:
    for path in wire_cassettes():
        interactions = read_cassette(path)
        assert [i.response.content() for i in interactions] == vcr_response_bodies(path), path
        for interaction in interactions:
            assert interaction.source == "imported"
            assert interaction.upstream == "https://api.openai.com/v1"
            assert interaction.recorded_at and interaction.recorded_at.endswith("Z")
            assert interaction.sdk_version and "Python" in interaction.sdk_version
            assert "authorization" not in interaction.request.headers
            assert "openai-organization" not in interaction.response.headers
            assert "set-cookie" not in interaction.response.headers


def test_gzipped_and_streamed_bodies_become_readable_json_and_events() -> None:
    paths = {p.name: p for p in wire_cassettes()}
    gzipped = paths.get("test_options[options0].yaml")
    if gzipped is None:
        pytest.skip("llm-openai-plugin's gzip'd cassette is not in shared/wire")
    [interaction] = read_cassette(gzipped)
    body = interaction.response.to_dict()
    assert body["body"]["object"] == "response"  # stored as JSON, not base64 of gzip
    assert "content-encoding" not in interaction.response.headers
    streamed = read_cassette(paths["test_tools.yaml"])[0].response
    assert streamed.events is not None
    assert streamed.events[0].data()["type"] == "response.created"
    assert all(event.at_ms is None for event in streamed.events)  # vcrpy keeps no timing


def test_imported_cassettes_replay_the_real_bytes(tmp_path: Path) -> None:
    paths = wire_cassettes()
    results = import_cassettes(
        [WIRE / name for name in WIRE_DIRS if (WIRE / name).is_dir()], tmp_path
    )
    assert len(results) == len(paths)
    assert all(result.written is not None for result in results)
    again = import_cassettes([WIRE / "llm-openai-plugin"], tmp_path)
    assert all(result.written is None for result in again)  # existing recordings are kept
    target = next(r for r in results if r.source.name == "test_tools.yaml")
    interactions = loads_cassette(target.written.read_bytes(), "x").interactions
    with MockServer(recordings=tmp_path, cassette=target.cassette) as server:
        replies = [
            httpx.post(
                f"http://127.0.0.1:{server.port}{i.request.path}",
                content=i.request.body,
                headers={"Authorization": "Bearer k"},
            )
            for i in interactions
        ]
    assert [r.content for r in replies] == vcr_response_bodies(target.source)


def record_with_vcrpy(
    server: MockServer, path: Path
) -> tuple[openai.types.responses.Response, list]:
    with vcr.VCR(record_mode="all").use_cassette(str(path), filter_headers=["authorization"]):
        sdk = openai.OpenAI(base_url=server.base_url, api_key="sk-vcr-test", max_retries=0)
        created = sdk.responses.create(model="gpt-4o-mini", input="Hello from vcrpy")
        with sdk.responses.stream(model="gpt-4o-mini", input="Stream for vcrpy") as stream:
            events = [event.model_dump(mode="json", warnings=False) for event in stream]
    return created, events


def test_cassettes_vcrpy_writes_against_our_server_import_and_replay(tmp_path: Path) -> None:
    with MockServer() as server:
        created, events = record_with_vcrpy(server, tmp_path / "vcr" / "test_app.yaml")
    [result] = import_cassettes([tmp_path / "vcr"], tmp_path / "recordings")
    assert result.cassette == "test_app" and result.interactions == 2
    with MockServer(recordings=tmp_path / "recordings", cassette="test_app") as server:
        sdk = openai.OpenAI(base_url=server.base_url, api_key="sk-other", max_retries=0)
        assert sdk.responses.create(model="gpt-4o-mini", input="Hello from vcrpy").id == created.id
        with sdk.responses.stream(model="gpt-4o-mini", input="Stream for vcrpy") as stream:
            assert [event.model_dump(mode="json", warnings=False) for event in stream] == events


def test_parsed_and_gzipped_bodies_are_understood(tmp_path: Path) -> None:
    with MockServer() as server:
        record_with_vcrpy(server, tmp_path / "plain.yaml")
    data = yaml.safe_load((tmp_path / "plain.yaml").read_text())
    plain = [i.response.content() for i in convert(data, "plain.yaml")]
    # A JSON-body serializer (pydantic-ai's) writes `parsed_body` instead of `body`.
    parsed = yaml.safe_load((tmp_path / "plain.yaml").read_text())
    json_item = parsed["interactions"][0]
    json_item["request"]["parsed_body"] = {"model": "gpt-4o-mini", "input": "Hello from vcrpy"}
    del json_item["request"]["body"]
    json_item["response"]["parsed_body"] = httpx.Response(200, content=plain[0]).json()
    del json_item["response"]["body"]
    # A server that gzips: the cassette holds the compressed bytes and says so.
    zipped = yaml.safe_load((tmp_path / "plain.yaml").read_text())
    zipped["interactions"][0]["response"]["body"]["string"] = gzip.compress(plain[0])
    zipped["interactions"][0]["response"]["headers"]["Content-Encoding"] = ["gzip"]
    assert [i.response.content() for i in convert(zipped, "zipped.yaml")] == plain
    from_parsed = convert(parsed, "parsed.yaml")
    assert from_parsed[0].response.content() == plain[0]  # the real API's indented style
    assert from_parsed[0].request.json() == {"model": "gpt-4o-mini", "input": "Hello from vcrpy"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"version": 1}, "not a VCR cassette"),
        (
            {"interactions": [{"request": {"uri": "http://x/v1/a"}, "response": {"status": {}}}]},
            "expected a status code",
        ),
        (
            {
                "interactions": [
                    {
                        "request": {"uri": "http://x/v1/a"},
                        "response": {
                            "status": {"code": 200},
                            "headers": {"Content-Encoding": ["zstd"]},
                            "body": {"string": "x"},
                        },
                    }
                ]
            },
            "unknown Content-Encoding 'zstd'",
        ),
    ],
)
def test_broken_cassettes_are_configuration_errors(data: dict, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        convert(data, "broken.yaml")
