"""Server settings: one frozen object, made by the CLI, the Python API or the pytest plugin."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .pacing import INSTANT, Pacing

DEFAULT_MAX_BODY_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class ServerConfig:
    # When set, only this bearer key is accepted; any other gets the real `invalid_api_key` 401.
    api_key: str | None = None
    # JSON file that preloads state (`{"responses": [...]}`).
    seed_file: Path | None = None
    # Seeds id generation, so a seeded server makes the same ids in every run.
    id_seed: int | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    # Delivery speed of replies (time to first event, tokens per second); instant by default.
    pacing: Pacing = INSTANT
    # Validate every emitted body and event against schemas/ (slow; for tests).
    self_check: bool = False
