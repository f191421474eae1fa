"""Who can reach the server: the ``--allow-host`` option, and the warning off loopback."""

from __future__ import annotations

import argparse
import ipaddress
import sys

LOOPBACK_NAMES = frozenset({"localhost", "ip6-localhost", "ip6-loopback"})


def add_exposure_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-host", action="append", default=[], metavar="HOST", dest="allow_hosts",
        help="also answer requests whose Host header names HOST (repeatable; '.example.test' "
        "for a domain and its subdomains; '*' for any). IP addresses and localhost are always "
        "answered; other names get 403 (a guard against DNS rebinding)",
    )


def allowed_hosts(args: argparse.Namespace) -> tuple[str, ...]:
    """``--allow-host`` values, plus ``--host`` when that is a name rather than an address."""
    hosts = list(args.allow_hosts)
    if not _is_address(args.host) and args.host not in LOOPBACK_NAMES:
        hosts.append(args.host)
    return tuple(hosts)


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def warn_if_exposed(host: str, key: str | None) -> bool:
    """Print a warning when the server binds beyond loopback with no key; True if it did."""
    if key is not None or is_loopback(host):
        return False
    print(
        f"mockserver: WARNING: listening on {host}, beyond this machine, with no key: anyone "
        "who can reach it can read the journal and every stored response, reset state and "
        "add stubs that change what other clients get (and, under `record`, send requests "
        "with your OPENAI_API_KEY). Bind to 127.0.0.1, or start `serve` with --api-key KEY "
        "(or --admin-key KEY to protect only /__mockserver/).",
        file=sys.stderr,
    )
    return True


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
