"""``--store URL`` -> a store: ``memory://`` (default), ``sqlite:///path/state.db``,
``redis://host:port/db`` (also ``rediss://`` and ``unix://``)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from mockserver.contract.errors import ConfigurationError
from mockserver.state.store.base import Retention, Store
from mockserver.state.store.memory import MemoryStore

DEFAULT_STORE_URL = "memory://"
SCHEMES = ("memory", "sqlite", "redis", "rediss", "unix")
MEMORY_OPTIONS = ("max_responses", "max_mb")


def _memory(url: str, retention: Retention) -> MemoryStore:
    options = dict(parse_qsl(urlsplit(url).query))
    unknown = sorted(set(options) - set(MEMORY_OPTIONS))
    if unknown:
        raise ConfigurationError(
            f"--store {url}: unknown option(s) {unknown}; memory:// takes {list(MEMORY_OPTIONS)}, "
            "e.g. memory://?max_responses=50000&max_mb=256"
        )
    try:
        return MemoryStore(
            max_responses=int(options.get("max_responses", 100_000)),
            max_mb=float(options.get("max_mb", 512)),
            retention=retention,
        )
    except ValueError as exc:
        raise ConfigurationError(
            f"--store {url}: {exc}; give max_responses as a whole number >= 1 and max_mb as a "
            "number of MiB > 0"
        ) from None


def _sqlite_path(url: str) -> str:
    # sqlite:///relative.db or sqlite:////absolute/path.db, as SQLAlchemy spells them.
    path = url[len("sqlite://") :]
    path = path[1:] if path.startswith("/") else path
    path = path.split("?", 1)[0]
    if not path:
        raise ConfigurationError(
            f"--store {url}: no file named; use sqlite:///state.db (relative) or "
            "sqlite:////var/lib/mockserver/state.db (absolute)"
        )
    return path


def open_store(url: str = DEFAULT_STORE_URL, retention: Retention | None = None) -> Store:
    retention = retention or Retention()
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme == "memory":
        return _memory(url, retention)
    if scheme == "sqlite":
        from mockserver.state.store.sqlite_store import SqliteStore

        return SqliteStore(_sqlite_path(url), retention=retention)
    if scheme in ("redis", "rediss", "unix"):
        from mockserver.state.store.redis_store import RedisStore

        return RedisStore(url, retention=retention)
    raise ConfigurationError(
        f"--store {url!r}: unknown kind of store; use memory:// (the default), "
        "sqlite:///path/state.db or redis://host:6379/0"
    )


def is_shared(url: str) -> bool:
    """Whether several processes can share a store at this URL (all but memory://)."""
    return not url.startswith("memory:")
