"""``image_generation``: an ``ig_`` call whose ``result`` is a real, decodable image.

Recorded shape (vercel-ai openai-image-generation-tool): added as ``{"id", "type":
"image_generation_call", "status": "in_progress"}``, then ``image_generation_call.in_progress`` →
``.generating`` → ``.partial_image`` x ``partial_images`` (streams only) → ``.completed``, and
done as ``{…, "background", "output_format", "quality", "result", "revised_prompt", "size"}``
with ``auto`` settings resolved (``opaque``, ``medium``, ``1024x1024``).

The image is a solid-colour PNG of the reported size (the colour comes from the prompt), base64
encoded; it is PNG even when ``output_format`` asks for ``jpeg`` or ``webp`` (a documented
difference: no image encoders offline).
"""

from __future__ import annotations

import base64
import functools
import struct
import zlib
from collections.abc import Mapping
from typing import Any

from mockserver.model.builtin_tools.base import ToolContext, ToolResult

TYPES = ("image_generation",)
CHOICES = ("image_generation",)
DEFAULTS = {
    "background": "auto",
    "moderation": "auto",
    "n": 1,
    "output_compression": 100,
    "output_format": "png",
    "quality": "auto",
    "size": "auto",
}
# Output image tokens by quality for a square image (gpt-image-1's published table); portrait
# and landscape cost half as much again.
IMAGE_TOKENS = {"low": 272, "medium": 1056, "high": 4160}


def echo(tool: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "image_generation"}
    out.update({key: tool.get(key, default) for key, default in DEFAULTS.items()})
    out.update({k: v for k, v in tool.items() if k not in out})
    return out


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@functools.lru_cache(maxsize=16)
def png_base64(width: int, height: int, rgb: tuple[int, int, int]) -> str:
    """A valid ``width`` by ``height`` solid-colour PNG, base64 encoded (a few kilobytes)."""
    row = b"\x00" + bytes(rgb) * width
    pixels = zlib.compress(row * height, 9)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    png = (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", pixels)
        + _chunk(b"IEND", b"")
    )
    return base64.b64encode(png).decode()


def resolved(tool: Mapping[str, Any]) -> dict[str, str]:
    size = tool.get("size") or "auto"
    quality = tool.get("quality") or "auto"
    background = tool.get("background") or "auto"
    return {
        "background": "opaque" if background == "auto" else background,
        "output_format": tool.get("output_format") or "png",
        "quality": "medium" if quality == "auto" else quality,
        "size": "1024x1024" if size == "auto" else size,
    }


def build_call(
    ctx: ToolContext, tool: Mapping[str, Any] | None, spec: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    spec = spec or {}
    settings = resolved(tool or {})
    settings.update(
        {k: spec[k] for k in ("background", "output_format", "quality", "size") if k in spec}
    )
    width, _, height = settings["size"].partition("x")
    digest = ctx.digest("image")
    rgb = (int(digest[0:2], 16), int(digest[2:4], 16), int(digest[4:6], 16))
    result = spec.get("result") or png_base64(int(width or 1024), int(height or 1024), rgb)
    prompt = (
        spec.get("revised_prompt") or f"An illustration of: {ctx.snippet(200) or 'a mock image'}"
    )
    return {
        "id": ctx.new_item_id("ig"),
        "type": "image_generation_call",
        "status": "completed",
        "background": settings["background"],
        "output_format": settings["output_format"],
        "quality": settings["quality"],
        "result": result,
        "revised_prompt": prompt,
        "size": settings["size"],
    }


def call(tool: Mapping[str, Any], ctx: ToolContext) -> ToolResult:
    return ToolResult(calls=[build_call(ctx, tool)])


def usage(item: Mapping[str, Any], prompt_tokens: int) -> dict[str, int]:
    """Image tokens one call costs (for ``tool_usage.image_gen``)."""
    tokens = IMAGE_TOKENS.get(str(item.get("quality")), IMAGE_TOKENS["medium"])
    if item.get("size") not in (None, "1024x1024"):
        tokens = tokens * 3 // 2
    return {"input_tokens": prompt_tokens, "output_tokens": tokens}
