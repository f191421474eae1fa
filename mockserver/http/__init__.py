"""The Starlette edge: the app factory, middleware, routes, rendering JSON and SSE, CORS, the
record/replay layer, the self-check, the inspector, and ``MockServer`` (a server in a thread).

Handlers parse, call the layers below, and render. May import every other layer but ``cli``
and ``testing``.
"""
