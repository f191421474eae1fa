"""``mockserver validate``: recordings checked against schemas/, drift reported per recording."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from mockserver import MockServer
from mockserver.cli.main import main
from mockserver.recording.cassette import (
    Cassette,
    Interaction,
    RecordedEvent,
    RecordedRequest,
    RecordedResponse,
)
from mockserver.recording.drift import DriftChecker, render

AUTH = {"authorization": "Bearer sk-test"}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Recordings made with the mock as upstream: a JSON create, a stream, a GET, an error."""
    directory = tmp_path_factory.mktemp("recordings")
    with MockServer(recordings=directory, record_mode="all", cassette="made") as server:
        created = httpx.post(
            f"{server.base_url}/responses",
            json={"model": "gpt-4o-mini", "input": "hi"},
            headers=AUTH,
        )
        httpx.post(
            f"{server.base_url}/responses",
            json={"model": "gpt-4o-mini", "input": "s", "stream": True},
            headers=AUTH,
        )
        httpx.get(f"{server.base_url}/responses/{created.json()['id']}", headers=AUTH)
        httpx.post(f"{server.base_url}/responses", json={"model": "gpt-4o-mini"}, headers=AUTH)
        httpx.delete(f"{server.base_url}/responses/{created.json()['id']}", headers=AUTH)
    return directory


def body_interaction(body: dict, path: str = "/v1/responses", status: int = 200) -> Interaction:
    return Interaction(
        RecordedRequest("POST", path),
        RecordedResponse(status, {}, json.dumps(body).encode()),
        None,
        "live",
    )


def response_body(generated: Path) -> dict:
    data = json.loads((generated / "made.json").read_text())
    return data["interactions"][0]["response"]["body"]


def test_what_the_mock_generates_is_clean(
    generated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(generated), "--verbose"]) == 0
    out = capsys.readouterr().out
    assert "5 recording(s) checked, 0 with findings" in out
    assert "ok   made#3  POST /v1/responses -> 400" in out  # checked against ErrorBody
    assert "(not checked: no schema for DELETE /v1/responses/" in out  # the SDK has no type


def test_each_kind_of_drift_is_reported(generated: Path) -> None:
    grown = response_body(generated) | {"brand_new_field": 1}
    missing = {k: v for k, v in response_body(generated).items() if k != "created_at"}
    retyped = response_body(generated) | {"created_at": "yesterday"}
    new_value = response_body(generated) | {"status": "pondering"}
    unknown_event = RecordedEvent(
        b'event: response.thinking\ndata: {"type":"response.thinking","sequence_number":0}'
    )
    stream = Interaction(
        RecordedRequest("POST", "/v1/responses"),
        RecordedResponse(200, {}, events=(unknown_event,)),
        None,
        "live",
    )
    cassette = Cassette(
        "drifted", [body_interaction(b) for b in (grown, missing, retyped, new_value)] + [stream]
    )
    reports = DriftChecker().cassettes([cassette])
    kinds = [{finding.kind for finding in report.findings} for report in reports]
    assert kinds == [
        {"unknown_field"},
        {"missing_required"},
        {"wrong_type"},
        {"unknown_value"},
        {"unknown_event_type"},
    ]
    assert "brand_new_field" in reports[0].findings[0].detail
    text = render(reports)
    assert "DRIFT drifted#0  POST /v1/responses -> 200  [source: live]" in text
    assert "unknown_field (1): fields the SDK does not model (the API grew)" in text
    assert text.endswith(
        "5 recording(s) checked, 5 with findings: 1 unknown_event_type, 1 unknown_field, "
        "1 unknown_value, 1 missing_required, 1 wrong_type"
    )


def test_error_bodies_are_checked_against_the_error_schema() -> None:
    [report] = DriftChecker().cassettes(
        [Cassette("e", [body_interaction({"error": {"message": 3}}, status=400)])]
    )
    assert {finding.kind for finding in report.findings} >= {"wrong_type", "missing_required"}


def test_validate_exits_1_on_drift_and_prints_json(
    generated: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads((generated / "made.json").read_text())
    data["interactions"][0]["response"]["body"]["brand_new_field"] = True
    drifted = tmp_path / "drifted.json"
    drifted.write_text(json.dumps(data))
    assert main(["validate", str(drifted), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report[0]["recording"] == "drifted#0"
    assert report[0]["findings"][0]["kind"] == "unknown_field"
    assert all(entry["findings"] == [] for entry in report[1:])


def test_validate_reports_unreadable_recordings_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "old.json").write_text(json.dumps({"format_version": 0, "interactions": []}))
    assert main(["validate", str(tmp_path)]) == 2
    assert "format_version 0" in capsys.readouterr().err
    assert main(["validate", str(tmp_path / "absent")]) == 2


WIRE = Path(__file__).resolve().parents[2].parent / "shared" / "wire"


def test_old_real_cassettes_show_how_the_api_changed() -> None:
    old = (
        WIRE / "llm-openai-plugin" / "tests" / "cassettes" / "test_openai" / "test_async_model.yaml"
    )
    if not old.exists():
        pytest.skip(f"{old} is not here (shared/wire is not part of this checkout)")
    from mockserver.recording.vcr_import import read_cassette

    [report] = DriftChecker().cassettes([Cassette("old", read_cassette(old))])
    # Recorded in March 2025, before the API numbered stream events.
    assert any(
        "sequence_number" in f.detail and f.kind == "missing_required" for f in report.findings
    )
