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
