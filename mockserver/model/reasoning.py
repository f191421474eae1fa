"""Reasoning items: what a reasoning model (``o*``, ``gpt-5*``) puts before its answer.

As on the real API (``../shared/wire``, MANIFEST quirk 6):

* one ``rs_`` item comes first, ``{"id", "type": "reasoning", "content": [], "summary": []}``
  (``content`` since 2026: ``shared/wire-2026``, rig and braintrust recordings);
* with ``reasoning.summary`` set (``auto``, ``concise``, ``detailed``) the summary carries
  ``summary_text`` parts (one, or two for ``detailed``), streamed as
  ``reasoning_summary_part.added`` → ``reasoning_summary_text.delta`` x N → ``…text.done`` →
  ``…part.done``;
* ``encrypted_content`` is present only with ``include: ["reasoning.encrypted_content"]``
  (an opaque Fernet-style token, ``gAAAAAB…``, deterministic here);
* the hidden reasoning is billed in ``usage.output_tokens_details.reasoning_tokens`` (and in
  ``output_tokens``), always a multiple of 64 as in every recording, more for higher effort;
  ``reasoning.effort: "none"`` means no reasoning item at all, and so does a model that does not
  reason or whose default effort is ``none`` (the model catalogue, ``contract/models.py``).
"""

from __future__ import annotations

import base64
import hashlib
import random
from collections.abc import Sequence
from typing import Any

from mockserver.contract.models import Model

ENCRYPTED_INCLUDE = "reasoning.encrypted_content"
TOKEN_STEP = 64
# effort -> (min, max) number of 64-token steps of hidden reasoning.
EFFORT_STEPS: dict[str, tuple[int, int]] = {
    "minimal": (0, 0),
    "low": (1, 4),
    "medium": (2, 8),
    "high": (4, 16),
    "xhigh": (8, 32),
}
DEFAULT_EFFORT = "medium"
SNIPPET_CHARS = 60


def requested_effort(params: dict[str, Any]) -> str | None:
    return (params.get("reasoning") or {}).get("effort")


def effort(params: dict[str, Any], model: Model | None = None) -> str:
    chosen = model.effort(requested_effort(params)) if model else requested_effort(params)
    return chosen or DEFAULT_EFFORT


def reasons(params: dict[str, Any], model: Model) -> bool:
    """Whether this request gets a reasoning item: a reasoning model at an effort other than
    ``none`` (its own or the catalogue's default; gpt-5.1 and newer default to ``none``)."""
    return model.reasons_at(requested_effort(params))


def reasoning_tokens(params: dict[str, Any], digest: str, budget: int | None = None) -> int:
    """Hidden reasoning tokens: a multiple of 64 within the effort's range, never more than half
    of ``max_output_tokens`` so that the answer still fits."""
    low, high = EFFORT_STEPS.get(effort(params), EFFORT_STEPS[DEFAULT_EFFORT])
    steps = random.Random(digest).randint(low, high)
    if budget is not None:
        steps = min(steps, (budget // 2) // TOKEN_STEP)
    return steps * TOKEN_STEP


def default_summary(params: dict[str, Any], question: str) -> list[str]:
    mode = (params.get("reasoning") or {}).get("summary")
    if not mode:
        return []
    snippet = " ".join(question.split())[:SNIPPET_CHARS]
    parts = [
        f'**Considering the request**\n\nThe user wrote "{snippet}". I will work out what they '
        "need and answer directly."
    ]
    if mode == "detailed":
        parts.append(
            "**Drafting the reply**\n\nI will keep the answer short and consistent, so the same "
            "question always gets the same reply."
        )
    return parts


def encrypted_content(seed: str) -> str:
    """An opaque token shaped like the real ones (Fernet: ``gAAAAAB`` + urlsafe base64)."""
    blocks = b"".join(hashlib.sha256(f"{seed}:{i}".encode()).digest() for i in range(18))
    return "gAAAAAB" + base64.urlsafe_b64encode(blocks).decode().rstrip("=")


def reasoning_item(
    item_id: str,
    params: dict[str, Any],
    *,
    summary: Sequence[str] | None,
    seed: str,
    encrypted: str | None = None,
) -> dict[str, Any]:
    """A finished reasoning item, with ``encrypted_content`` only when the request includes it."""
    # `content` (reasoning text parts; empty, as every 2026 recording has it) since 2026.
    item: dict[str, Any] = {"id": item_id, "type": "reasoning", "content": []}
    if ENCRYPTED_INCLUDE in (params.get("include") or []):
        item["encrypted_content"] = encrypted or encrypted_content(seed)
    item["summary"] = [{"type": "summary_text", "text": text} for text in summary or []]
    return item


def reasoning_echo(params: dict[str, Any], model: Model) -> dict[str, Any]:
    """``Response.reasoning`` as the 2026 API echoes it (``shared/wire-2026``): ``context`` always
    (null for models that do not reason), ``mode`` for the gpt-5 families, and the legacy
    ``generate_summary`` (shared/wire llm-openai-plugin, openai-dotnet computer-use) as null
    unless the request set it."""
    asked = params.get("reasoning") or {}
    family = model.family
    echo: dict[str, Any] = {
        "context": asked.get("context") or (family.context if model.reasoning else None),
        "effort": model.effort(asked.get("effort")) if model.reasoning else asked.get("effort"),
        "generate_summary": asked.get("generate_summary"),
    }
    if model.reasoning and family.mode:
        echo["mode"] = asked.get("mode") or "standard"
    echo["summary"] = asked.get("summary")
    return echo
