"""One store of each kind for the store benchmarks: ``memory``, ``sqlite`` (a file in a temporary
folder) or ``redis`` (a real ``redis-server`` started on a free loopback port, as the tests do)."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent / "tests")]

from redis_server import running_redis  # noqa: E402

from mockserver.state.store import Store, open_store  # noqa: E402

KINDS = ("memory", "sqlite", "redis")


@contextmanager
def opened_store(kind: str, memory_url: str = "memory://") -> Iterator[Store]:
    with ExitStack() as stack:
        if kind == "redis":
            url = stack.enter_context(running_redis())
        elif kind == "sqlite":
            url = f"sqlite:///{stack.enter_context(tempfile.TemporaryDirectory())}/state.db"
        else:
            url = memory_url
        store = open_store(url)
        stack.callback(store.close)
        yield store
