"""Server settings: one frozen object, made by the CLI, the Python API or the pytest plugin."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mockserver.scenarios.journal import DEFAULT_BODY_BYTES, DEFAULT_MAX_BYTES
from mockserver.scenarios.pacing import INSTANT, Pacing
from mockserver.state.lifecycle import DEFAULT_TIMELINE, Timeline

DEFAULT_MAX_BODY_BYTES = 50 * 1024 * 1024
# The real API: "This response can no longer be streamed because it is more than 5 minutes old."
DEFAULT_STREAM_RESUME_TTL = 300.0
# Server-side failures kept for `MockServer.raise_failures` (each holds a traceback and its frames).
DEFAULT_MAX_FAILURES = 20


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
    # How long background jobs stay queued and run (see lifecycle.py).
    background_timeline: Timeline = DEFAULT_TIMELINE
    # Make every background job fail (status "failed"), to test failure handling; a request can
    # ask for it alone with the header `x-mockserver-background-outcome: failed`.
    fail_background_jobs: bool = False
    # Seconds after creation during which a background stream can be resumed.
    stream_resume_ttl: float = DEFAULT_STREAM_RESUME_TTL
    # Secret for compaction items' encrypted_content; random per server when unset (set it to
    # share compaction items between servers or across restarts).
    compaction_key: str | None = None
    # Browser origins allowed by CORS besides local ones (see cors.py); "*" allows any.
    cors_origins: tuple[str, ...] = ()
    # Answer every structured request (json_schema, json_object, tool arguments) with
    # Hypothesis-drawn edge cases, as the header `x-mockserver-edge-cases: 1` does for one.
    edge_cases: bool = False
    # Seed of those draws (mixed with each request's content); random per request when unset.
    edge_seed: int | None = None
    # Stub files or directories loaded at start-up (docs/stubs-faults-tools.md); a request that
    # matches no stub gets the default answer, or with `strict_stubs` a 400 naming the nearest.
    stubs: tuple[Path | str, ...] = ()
    strict_stubs: bool = False
    # Chaos runs: this share of API requests gets a random fault from `chaos_faults` (default:
    # rate_limit, server_error, service_unavailable, cut_stream), drawn from `chaos_seed`.
    chaos_rate: float = 0.0
    chaos_seed: int | None = None
    chaos_faults: tuple[str, ...] = ()
    # The request journal's bounds (scenarios/journal.py): body bytes held in all, and kept of
    # each request or reply body.
    journal_max_bytes: int = DEFAULT_MAX_BYTES
    journal_body_bytes: int = DEFAULT_BODY_BYTES
    # Unexpected exceptions kept for `MockServer` to re-raise; older ones are counted, not kept.
    max_failures: int = DEFAULT_MAX_FAILURES
    # The admin API and the inspector accept only this key (`Authorization: Bearer KEY`, or as
    # the password of HTTP basic auth in a browser); unset, they accept `api_key` when that is
    # set, and anyone when neither is (docs/security.md).
    admin_key: str | None = None
    # Host names the server answers besides IP addresses and localhost (host_check.py);
    # "*" answers any Host (turns the DNS-rebinding guard off).
    allowed_hosts: tuple[str, ...] = ()
    # Where state lives (store/open.py): memory:// (default, bounded), sqlite:///path/state.db,
    # redis://host:6379/0. SQLite and Redis survive restarts and are shared by workers/replicas.
    store_url: str = "memory://"
    # Multiplies the retention the real API documents (stored responses 30 days, background
    # responses about 10 minutes); e.g. 0.001 keeps responses 43 minutes.
    retention_scale: float = 1.0
