"""Which SDK schema a 2xx JSON body of each route must match (used by the self-check and drift)."""

from __future__ import annotations

import re

# (method, path pattern) -> schema of a 2xx JSON body; the first match wins. Bodies the SDK has
# no type for (`response.deleted`) are checked by name: `None` means "no SDK schema, shape is
# asserted in tests/test_routes_responses.py".
ROUTE_SCHEMAS: list[tuple[str, re.Pattern[str], str | None]] = [
    ("POST", re.compile(r"^/v1/responses/input_tokens$"), "InputTokenCountResponse"),
    # The SDK types `output` as ResponseOutputItem, which cannot hold the kept user messages
    # (`input_text`) the real API returns (openai-dotnet CanCompactConversation.json); the shape
    # is asserted in tests/test_routes_compact.py.
    ("POST", re.compile(r"^/v1/responses/compact$"), None),
    ("POST", re.compile(r"^/v1/responses$"), "Response"),
    ("GET", re.compile(r"^/v1/responses/[^/]+/input_items$"), "ResponseItemList"),
    ("POST", re.compile(r"^/v1/responses/[^/]+/cancel$"), "Response"),
    ("GET", re.compile(r"^/v1/responses/[^/]+$"), "Response"),
    ("DELETE", re.compile(r"^/v1/responses/[^/]+$"), None),
    ("POST", re.compile(r"^/v1/conversations$"), "Conversation"),
    ("GET", re.compile(r"^/v1/conversations/[^/]+$"), "Conversation"),
    ("POST", re.compile(r"^/v1/conversations/[^/]+$"), "Conversation"),
    ("DELETE", re.compile(r"^/v1/conversations/[^/]+$"), "ConversationDeletedResource"),
    ("POST", re.compile(r"^/v1/conversations/[^/]+/items$"), "ConversationItemList"),
    ("GET", re.compile(r"^/v1/conversations/[^/]+/items$"), "ConversationItemList"),
    ("GET", re.compile(r"^/v1/conversations/[^/]+/items/[^/]+$"), "ConversationItem"),
    ("DELETE", re.compile(r"^/v1/conversations/[^/]+/items/[^/]+$"), "Conversation"),
]


def schema_for(method: str, path: str) -> tuple[bool, str | None]:
    """(known route?, schema name) for a 2xx JSON body."""
    for route_method, pattern, schema in ROUTE_SCHEMAS:
        if route_method == method and pattern.match(path):
            return True, schema
    return False, None

