"""The DNS-rebinding guard: answer only requests addressed to this server by a name we expect.

A web page on ``attacker.example`` can make its name resolve to 127.0.0.1 and then call a
developer's local server from the victim's browser, same-origin, with ``Host: attacker.example``.
Refusing Host names we do not know stops that. Allowed, cheaply, without configuration:

- IP addresses (``127.0.0.1``, ``[::1]``, the LAN address the server is bound to): a page whose
  origin is an IP address is not a rebinding attack;
- ``localhost`` and ``*.localhost``;
- ``testserver`` from Starlette's ``TestClient`` (recognised by the client address ``testclient``
  it puts in the ASGI scope; no socket connection has that), so tests over the app in-process
  need no option;
- a request without a ``Host`` header (HTTP/1.0; browsers always send one);
- the names given with ``--allow-host`` (``allowed_hosts``): ``api.test`` exactly, ``.test`` for
  it and every subdomain, ``*`` for any Host (the guard off).

Others get 403 with the API's error shape. Pure ASGI and cheap: one header lookup, and the
verdict for a Host value is cached.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.contract.errors import PermissionDeniedError
from mockserver.http.render import error_response

TEST_CLIENT = "testclient"
_CACHE_LIMIT = 256


def host_name(host: str) -> str:
    """The name in a Host header, without port or IPv6 brackets, lower-cased."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host[1:]
    name, colon, port = host.rpartition(":")
    return name if colon and port.isdigit() else host


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class HostPolicy:
    def __init__(self, allowed: Iterable[str] = ()) -> None:
        names = [host_name(h) if h != "*" else h for h in allowed]
        self.any = "*" in names
        self.exact = frozenset(n for n in names if not n.startswith("."))
        self.suffixes = tuple(n for n in names if n.startswith("."))

    def allows(self, name: str) -> bool:
        return (
            self.any
            or name in self.exact
            or name == "localhost"
            or name.endswith(".localhost")
            or self._in_domain(name)
            or _is_ip(name)
        )


    def _in_domain(self, name: str) -> bool:
        return bool(self.suffixes) and (name.endswith(self.suffixes) or f".{name}" in self.suffixes)


def refused(host: str) -> PermissionDeniedError:
    return PermissionDeniedError(
        f"Host {host!r} is not allowed. This server answers requests addressed to an IP address, "
        "localhost, or a name given with --allow-host (a guard against DNS rebinding). Start it "
        f"with --allow-host {host_name(host) or 'NAME'} to allow this one, or --allow-host '*' "
        "for any.",
        code="host_not_allowed",
    )


class HostCheckMiddleware:
    """Outermost middleware: refuse requests whose Host is not allowed (see the module doc)."""

    def __init__(self, app: ASGIApp, allowed: Iterable[str] = ()) -> None:
        self.app = app
        self.policy = HostPolicy(allowed)
        self._verdicts: dict[bytes, bool] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.policy.any:
            await self.app(scope, receive, send)
            return
        host = None
        for name, value in scope["headers"]:
            if name == b"host":
                host = value
                break
        if host is None or self._allowed(host, scope):
            await self.app(scope, receive, send)
            return
        await error_response(refused(host.decode("latin-1")))(scope, receive, send)

    def allows(self, host: bytes, scope: Scope) -> bool:
        """Whether a request with this ``Host`` value passes the guard."""
        return self.policy.any or self._allowed(host, scope)

    def _allowed(self, host: bytes, scope: Scope) -> bool:
        verdict = self._verdicts.get(host)
        if verdict is None:
            verdict = self.policy.allows(host_name(host.decode("latin-1")))
            if len(self._verdicts) < _CACHE_LIMIT:
                self._verdicts[host] = verdict
        if verdict:
            return True
        client = scope.get("client")
        return host == b"testserver" and bool(client) and client[0] == TEST_CLIENT
