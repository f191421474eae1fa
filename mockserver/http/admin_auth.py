"""Who may use the admin API and the inspector (everything under ``/__mockserver``).

The key is ``admin_key`` when set, else ``api_key``; with neither, anyone may (today's convenience
for a server on loopback; the CLI warns when such a server binds to another address). A client
shows the key as ``Authorization: Bearer KEY``, or, in a browser, as the password of HTTP basic
auth (any user name): the 401 asks the browser to prompt, and the browser then sends it with the
inspector page's own requests (its event feed and data views) too.
"""

from __future__ import annotations

import base64
import binascii
import hmac

from starlette.types import Receive, Scope, Send

from mockserver.contract.errors import AuthenticationError
from mockserver.http.render import error_response
from mockserver.state.config import ServerConfig

REALM = 'Basic realm="mockserver admin", charset="UTF-8"'


def admin_key(config: ServerConfig) -> str | None:
    return config.admin_key or config.api_key


def presented_key(scope: Scope) -> str | None:
    """The key in a request's ``Authorization`` header (bearer, or basic auth's password)."""
    for name, value in scope["headers"]:
        if name != b"authorization":
            continue
        scheme, _, credentials = value.decode("latin-1").partition(" ")
        scheme, credentials = scheme.lower(), credentials.strip()
        if scheme == "bearer":
            return credentials
        if scheme == "basic":
            try:
                decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                return None
            return decoded.partition(":")[2]
        return None
    return None


def admin_allowed(scope: Scope, config: ServerConfig) -> bool:
    expected = admin_key(config)
    if expected is None:
        return True
    shown = presented_key(scope)
    return shown is not None and hmac.compare_digest(shown.encode(), expected.encode())


def admin_key_error(config: ServerConfig) -> AuthenticationError:
    which = "--admin-key" if config.admin_key else "--api-key (there is no --admin-key)"
    return AuthenticationError(
        "The admin API and the inspector need this server's admin key, which is "
        f"{which}. Send it as 'Authorization: Bearer KEY', or in a browser as the password "
        "when asked (any user name).",
        code="invalid_admin_key",
        headers={"www-authenticate": REALM},
    )


async def refused(scope: Scope, receive: Receive, send: Send, config: ServerConfig) -> bool:
    """Answer the 401 and return True when the request may not use the admin surface."""
    if admin_allowed(scope, config):
        return False
    await error_response(admin_key_error(config))(scope, receive, send)
    return True
