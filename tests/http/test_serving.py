"""The foreground server tunes the garbage collector for throughput, then runs uvicorn."""

from __future__ import annotations

import argparse
import gc
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from mockserver.http.serving import GC_THRESHOLDS, run_foreground


@pytest.fixture
def restored_gc() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.set_threshold(*thresholds)
    gc.unfreeze()


def test_run_foreground_tunes_gc_and_serves(
    monkeypatch: pytest.MonkeyPatch, restored_gc: None
) -> None:
    seen: dict[str, Any] = {}

    def fake_run(app: Any, **options: Any) -> None:
        seen.update(options, app=app, thresholds=gc.get_threshold(), frozen=gc.get_freeze_count())

    monkeypatch.setattr(uvicorn, "run", fake_run)
    args = argparse.Namespace(host="127.0.0.1", port=8123, access_log=False)
    assert run_foreground("the-app", args) == 0
    assert seen["app"] == "the-app"
    assert (seen["host"], seen["port"], seen["access_log"]) == ("127.0.0.1", 8123, False)
    assert seen["log_level"] == "warning"
    assert seen["thresholds"] == GC_THRESHOLDS
    assert seen["frozen"] > 0


def test_the_access_log_shows_no_key_from_the_query_or_the_path() -> None:
    import logging

    from mockserver.http.serving import RedactedAccessLog

    secret = "sk-proj-abcdefghijklmnopqrstuvwxyz"
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:1", "GET", f"/v1/{secret}/x?api_key={secret}&limit=2", "1.1", 200), None,
    )
    assert RedactedAccessLog().filter(record)
    line = record.getMessage()
    assert secret not in line
    assert "/v1/[REDACTED]/x?api_key=[REDACTED]&limit=2" in line


def test_run_foreground_installs_the_access_log_filter_once(
    monkeypatch: pytest.MonkeyPatch, restored_gc: None
) -> None:
    import logging

    from mockserver.http.serving import ACCESS_LOG_FILTER

    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: None)
    args = argparse.Namespace(host="127.0.0.1", port=8123, access_log=True)
    run_foreground("app", args)
    run_foreground("app", args)
    assert logging.getLogger("uvicorn.access").filters.count(ACCESS_LOG_FILTER) == 1
