"""The client address for throttling: the socket's, or X-Forwarded-For behind a trusted proxy."""

from __future__ import annotations

import ipaddress

import pytest

from modules.web.client import forwarded_client

PROXIES = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("fd00::/8"))


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "trusted", "client"),
    [
        ("203.0.113.5", [], (), "203.0.113.5"),
        ("10.0.0.2", ["198.51.100.7"], (), "10.0.0.2"),  # no setting: the header is ignored
        ("203.0.113.5", ["198.51.100.7"], PROXIES, "203.0.113.5"),  # not from our proxy
        ("10.0.0.2", ["198.51.100.7"], PROXIES, "198.51.100.7"),
        ("10.0.0.2", ["1.2.3.4, 198.51.100.7"], PROXIES, "198.51.100.7"),  # left is the client's
        ("10.0.0.2", ["1.2.3.4", "198.51.100.7"], PROXIES, "198.51.100.7"),  # two header lines
        ("10.0.0.2", ["198.51.100.7, 10.9.9.9"], PROXIES, "198.51.100.7"),  # two proxies
        ("10.0.0.2", ["10.1.1.1, 10.9.9.9"], PROXIES, "10.1.1.1"),  # all ours: the left-most
        ("10.0.0.2", ["nonsense, 198.51.100.7"], PROXIES, "198.51.100.7"),
        ("10.0.0.2", ["198.51.100.7, nonsense"], PROXIES, "10.0.0.2"),  # not a proxy's writing
        ("10.0.0.2", [], PROXIES, "10.0.0.2"),  # a proxy that does not say: the proxy
        ("fd00::1", ["2001:db8::7"], PROXIES, "2001:db8::7"),
        ("10.0.0.2", ["[2001:db8::7]"], PROXIES, "2001:db8::7"),
        ("::ffff:10.0.0.2", ["198.51.100.7"], PROXIES, "198.51.100.7"),
        ("testclient", ["198.51.100.7"], PROXIES, "testclient"),
    ],
)
def test_the_right_most_address_not_of_a_trusted_proxy_is_the_client(
    peer: str,
    forwarded_for: list[str],
    trusted: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...],
    client: str,
) -> None:
    assert forwarded_client(peer, forwarded_for, trusted) == client
