"""The address a request came from, for sign-in throttling.

The socket's peer, unless that peer is a proxy named in ALLY_TRUSTED_PROXIES: then the
right-most address in X-Forwarded-For that is not itself a trusted proxy. Everything to the
left of that was written by the client, who can put anything there, so it is never read.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from starlette.requests import Request

from modules.settings import Network

IP = ipaddress.IPv4Address | ipaddress.IPv6Address


def client_address(request: Request, trusted: Sequence[Network]) -> str:
    peer = request.client.host if request.client else ""
    return forwarded_client(peer, request.headers.getlist("x-forwarded-for"), trusted)


def forwarded_client(peer: str, forwarded_for: Iterable[str], trusted: Sequence[Network]) -> str:
    """The client's address given the socket's `peer` and the X-Forwarded-For header values."""
    if not _is_trusted(_ip(peer), trusted):
        return peer
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",")]
    client = peer
    for hop in reversed(hops):
        ip = _ip(hop)
        if ip is None:  # not written by a proxy of ours: stop at the last one that was
            break
        client = str(ip)
        if not _is_trusted(ip, trusted):
            break
    return client


def _is_trusted(ip: IP | None, trusted: Sequence[Network]) -> bool:
    return ip is not None and any(ip in network for network in trusted)


def _ip(text: str) -> IP | None:
    try:
        ip = ipaddress.ip_address(text.strip().removeprefix("[").removesuffix("]"))
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip
