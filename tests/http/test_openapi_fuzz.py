"""Schema fuzzing: requests schemathesis draws from the API reference get no 5xx, ever.

Every Responses and Conversations operation of ``../shared/openapi/openai-openapi.yaml`` (the
paths under ``/responses`` and ``/conversations``, without the spec's ``?beta=true`` duplicates)
is called in-process with bodies, paths and query strings drawn from its schema, through the
whole app with the self-check on. Each answer must be below 500 and, when it is an error, have
the API's ``{"error": {...}}`` shape; no handler may raise.

The CI run is bounded (``MOCKSERVER_FUZZ_EXAMPLES``, default 10 per operation: about 150
requests, well under a minute). The longer run (docs/security.md):

    MOCKSERVER_FUZZ_EXAMPLES=2000 .venv/bin/pytest -q tests/http/test_openapi_fuzz.py -s
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import pytest

from mockserver import ServerConfig, create_app

try:  # `tests` is a package or a rootdir-less test directory, depending on the layout
    from tests.openapi_spec import SPEC_PATH, load_spec, spec_available
except ImportError:
    from openapi_spec import SPEC_PATH, load_spec, spec_available  # type: ignore[no-redef]

pytestmark = pytest.mark.skipif(
    not spec_available(), reason=f"the API reference is not there ({SPEC_PATH}): ../shared absent"
)
schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is in the test extras")
hypothesis = pytest.importorskip("hypothesis")

EXAMPLES = int(os.environ.get("MOCKSERVER_FUZZ_EXAMPLES", "10"))
OPERATIONS = r"^/(responses|conversations)[^?]*$"
AUTH = {"authorization": "Bearer sk-test"}


def _error_shape(body: Any) -> bool:
    error = body.get("error") if isinstance(body, dict) else None
    return isinstance(error, dict) and {"message", "type", "param", "code"} <= set(error)


def test_no_drawn_request_gets_a_5xx_or_a_malformed_error() -> None:
    app = create_app(ServerConfig(self_check=True, api_key="sk-test"))
    schema = schemathesis.openapi.from_dict(load_spec()).include(path_regex=OPERATIONS)
    schema.app = app
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 14, [f"{op.method} {op.path}" for op in operations]
    statuses: Counter[int] = Counter()
    problems: list[str] = []

    for operation in operations:

        @hypothesis.settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(hypothesis.HealthCheck),
            phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        )
        @hypothesis.given(case=operation.as_strategy())
        def call(case: Any) -> None:
            reply = case.call(headers=AUTH)
            statuses[reply.status_code] += 1
            where = f"{case.method} {case.formatted_path}"
            if reply.status_code >= 500:
                problems.append(f"{where}: {reply.status_code} {reply.text[:300]}")
            elif reply.status_code >= 400 and not _error_shape(reply.json()):
                problems.append(f"{where}: {reply.status_code} not the API's error shape")

        call()

    sent = sum(statuses.values())
    print(f"schemathesis: {sent} requests, statuses {dict(sorted(statuses.items()))}")
    assert problems == []
    assert sent >= EXAMPLES * len(operations) // 2
    assert not any(status >= 500 for status in statuses)
    assert app.state.mock.take_failures() == []
