"""``mockserver serve --edge-cases --edge-seed N`` configures server-wide edge-case answers."""

from __future__ import annotations

from typing import Any

import pytest
import uvicorn

from mockserver.cli.main import main


def test_serve_passes_the_edge_options(monkeypatch: pytest.MonkeyPatch) -> None:
    served: dict[str, Any] = {}
    monkeypatch.setattr(
        uvicorn.Server, "run", lambda server, **_: served.setdefault("app", server.config.app)
    )
    assert main(["serve", "--edge-cases", "--edge-seed", "42"]) == 0
    config = served["app"].state.mock.config
    assert config.edge_cases is True and config.edge_seed == 42
    served.clear()
    assert main(["serve"]) == 0
    config = served["app"].state.mock.config
    assert config.edge_cases is False and config.edge_seed is None
