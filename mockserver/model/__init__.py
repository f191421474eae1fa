"""The fake model, pure: request + context + directives -> output items, usage and the SSE event
plan. Decides what the "model" does (text, JSON, which tool), reasons, runs built-in tools.

May import ``scenarios`` and ``contract``. Never Starlette, the disk, or a clock but the injected
one.
"""
