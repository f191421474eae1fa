"""How deeply a client's JSON may nest, and the 400 for a body that nests deeper.

The real API's answer to absurdly deep JSON is not recorded anywhere we know of, so the mock sets
a documented limit of its own (docs/real-errors.md, "Limits of the mock"): :data:`MAX_JSON_DEPTH`
levels of arrays and objects, counted from the body itself (``{}`` is depth 1). That is far above
anything the real API accepts where it does document a limit (a strict ``text.format`` schema may
nest 10 objects, i.e. about 20 JSON levels) and far below where the parts that walk JSON
recursively give up (orjson serialises at most 255 levels; the JSON Schema validator about as
many; Python's own recursion limit is 1000).
"""

from __future__ import annotations

from typing import Any

from mockserver.contract.errors import InvalidRequestError

MAX_JSON_DEPTH = 128


def json_depth_exceeds(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether ``value`` (parsed JSON) nests more than ``limit`` arrays/objects deep.

    Iterative (no recursion to overflow) and stops at the first container past the limit.
    """
    if not isinstance(value, (dict, list)):
        return False
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else node
        for child in children:
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1))
    return False


def raw_may_exceed(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """A cheap pre-check on the bytes: fewer opening brackets than the limit cannot nest deeper."""
    return raw.count(b"[") + raw.count(b"{") > limit


def too_deep_error(limit: int = MAX_JSON_DEPTH) -> InvalidRequestError:
    return InvalidRequestError(
        f"Invalid body: the JSON value nests deeper than {limit} levels of arrays and objects. "
        "Flatten the request (a strict text.format schema or tool parameters may nest at most "
        "10 objects deep).",
        code="invalid_json",
    )
