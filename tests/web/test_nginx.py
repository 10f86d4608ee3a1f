"""deploy/nginx/ally.conf as nginx runs it, in front of two stand-in replicas.

The stand-ins are small HTTP servers that answer with their name and the headers they were
sent, so each property of the configuration is seen from the replica's side: which replica a
browser reaches, what X-Forwarded-For says, that a websocket upgrade is tunnelled, that a dead
replica's browsers go to the other one, that a roster-sized upload passes.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from deploy.cluster import free_port
from deploy.nginx import (
    HOST,
    SITE,
    Nginx,
    check,
    main_conf,
    make_prefix,
    nginx_binary,
    with_cache_in,
)
from modules.settings import load_settings
from modules.web.client import forwarded_client

pytestmark = pytest.mark.skipif(
    nginx_binary() is None, reason="nginx is not installed (apt-get install nginx): skipped"
)


class StandIn(BaseHTTPRequestHandler):
    """Answers with the replica's name and the request's headers; tunnels an upgrade."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        if self.headers.get("Upgrade"):
            self._tunnel()
        else:
            self._answer()

    def do_POST(self) -> None:
        received = len(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        self._answer(received)

    def _answer(self, received: int = 0) -> None:
        self.server.hits[self.path] += 1  # type: ignore[attr-defined]
        body = json.dumps(
            {"replica": self.server.name, "headers": dict(self.headers), "received": received}  # type: ignore[attr-defined]
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if self.path.startswith("/static/"):  # as Streamlit serves its hashed files
            self.send_header("Cache-Control", "public, immutable, max-age=31536000")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _tunnel(self) -> None:
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.end_headers()
        self.wfile.flush()
        heard = self.rfile.readline()  # what the client sends through the tunnel, echoed
        self.wfile.write(f"{self.server.name} heard ".encode() + heard)  # type: ignore[attr-defined]
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Proxy:
    nginx: Nginx
    replicas: dict[str, ThreadingHTTPServer]

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.nginx.port}"

    def get(self, path: str = "/", cookie: str | None = None, **headers: str) -> dict[str, Any]:
        request = urllib.request.Request(self.url + path, headers=headers)
        if cookie:
            request.add_header("Cookie", f"ally_session={cookie}")
        with urllib.request.urlopen(request, timeout=10) as answer:
            result: dict[str, Any] = json.load(answer)
        return result

    def tried(self, paths: list[str], timeout: float = 5.0) -> list[list[str]]:
        """The replicas nginx tried, in order, for the request of each of `paths`.

        nginx logs a request after sending its answer, so a line can come a moment after the
        client has read the answer: wait for it.
        """
        lines = [f"GET {path} HTTP/1.1" for path in paths]
        deadline = time.monotonic() + timeout
        while True:
            logged = dict(self.nginx.upstreams())
            if all(line in logged for line in lines) or time.monotonic() > deadline:
                return [logged.get(line, []) for line in lines]
            time.sleep(0.02)

    def stop_replica(self, name: str) -> None:
        self.replicas[name].shutdown()
        self.replicas[name].server_close()  # its port now refuses connections, as after kill -9


def stand_in(name: str) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((HOST, free_port()), StandIn)
    server.name = name  # type: ignore[attr-defined]
    server.hits = Counter()  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def proxy(tmp_path: Path) -> Iterator[Proxy]:
    replicas = {name: stand_in(name) for name in ("A", "B")}
    ports = [server.server_address[1] for server in replicas.values()]
    nginx = Nginx(tmp_path, free_port(), [int(port) for port in ports])
    nginx.start()
    try:
        yield Proxy(nginx, replicas)
    finally:
        nginx.stop()
        for server in replicas.values():
            server.shutdown()
            server.server_close()


def test_the_production_file_itself_passes_nginx_t(tmp_path: Path) -> None:
    make_prefix(tmp_path)
    conf = tmp_path / "nginx.conf"
    # deploy/nginx/ally.conf as it is (listen 80), but for the cache's root-owned directory
    site = tmp_path / "ally.conf"
    site.write_text(with_cache_in(SITE.read_text(), tmp_path / "cache"))
    conf.write_text(main_conf(tmp_path, site, 1))
    assert "test is successful" in check(tmp_path, conf)


def test_the_rendered_file_passes_nginx_t(tmp_path: Path) -> None:
    report = Nginx(tmp_path, free_port(), [8501, 8502, 8503]).test()
    assert "test is successful" in report


def test_the_same_cookie_always_reaches_the_same_replica(proxy: Proxy) -> None:
    reached = {
        f"session-{n}": {proxy.get(cookie=f"session-{n}")["replica"] for _ in range(4)}
        for n in range(30)
    }
    assert all(len(replicas) == 1 for replicas in reached.values()), reached
    assert set().union(*reached.values()) == {"A", "B"}, "the cookies should spread over both"


def test_without_a_cookie_the_client_address_decides(proxy: Proxy) -> None:
    reached = {}
    for last in range(2, 22):  # the whole of 127/8 is this machine: one client per address
        address = f"127.0.0.{last}"
        reached[address] = {raw_get(proxy.nginx.port, address)["replica"] for _ in range(3)}
    assert all(len(replicas) == 1 for replicas in reached.values()), reached
    assert set().union(*reached.values()) == {"A", "B"}, "addresses should spread over both"


def raw_get(port: int, source: str, headers: str = "") -> dict[str, Any]:
    """GET / from the client address `source` (any 127.x.y.z), with extra header lines."""
    with socket.create_connection((HOST, port), timeout=10, source_address=(source, 0)) as conn:
        head = f"GET / HTTP/1.1\r\nHost: {HOST}:{port}\r\nConnection: close\r\n{headers}\r\n"
        conn.sendall(head.encode())
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    result: dict[str, Any] = json.loads(answer.split(b"\r\n\r\n", 1)[1])
    return result


def test_the_replica_learns_the_client_address_and_the_host(proxy: Proxy) -> None:
    headers = proxy.get(cookie="x")["headers"]
    assert headers["X-Forwarded-For"] == "127.0.0.1"
    assert headers["X-Forwarded-Proto"] == "http"
    assert headers["Host"] == f"{HOST}:{proxy.nginx.port}"  # with the port, as Origin has it
    assert headers["Connection"] == "close"


def test_a_forged_x_forwarded_for_is_kept_left_of_the_real_address(proxy: Proxy) -> None:
    forged = "X-Forwarded-For: 203.0.113.9\r\n"
    headers = raw_get(proxy.nginx.port, "127.0.0.5", forged)["headers"]
    assert headers["X-Forwarded-For"] == "203.0.113.9, 127.0.0.5"
    trusted = load_settings({"ALLY_TRUSTED_PROXIES": "127.0.0.1"}).trusted_proxies
    # as the app reads it: the right-most hop nginx did not trust is the client
    assert forwarded_client("127.0.0.1", [headers["X-Forwarded-For"]], trusted) == "127.0.0.5"


def test_a_websocket_upgrade_is_tunnelled_both_ways(proxy: Proxy) -> None:
    port = proxy.nginx.port
    with socket.create_connection((HOST, port), timeout=10) as conn:
        conn.sendall(
            f"GET /_stcore/stream HTTP/1.1\r\nHost: {HOST}:{port}\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nCookie: ally_session=tunnel\r\n\r\n".encode()
        )
        reply = conn.makefile("rb")
        assert reply.readline().startswith(b"HTTP/1.1 101")
        while reply.readline() not in (b"\r\n", b""):
            pass
        conn.sendall(b"hello through nginx\n")
        echoed = reply.readline()
    expected = proxy.get(cookie="tunnel")["replica"]
    assert echoed == f"{expected} heard hello through nginx\n".encode()


def test_a_dead_replicas_browsers_reach_the_other_at_once(proxy: Proxy) -> None:
    on_a = next(
        c for c in (f"learner-{n}" for n in range(50)) if proxy.get(cookie=c)["replica"] == "A"
    )
    proxy.stop_replica("A")
    paths = [f"/?after-the-stop={n}" for n in range(3)]
    assert [proxy.get(path, cookie=on_a)["replica"] for path in paths] == ["B", "B", "B"]
    tried = proxy.tried(paths)
    port_a = proxy.replicas["A"].server_address[1]
    port_b = proxy.replicas["B"].server_address[1]
    # the first request tried A, was refused, went on to B; the next ones skip A (max_fails=1)
    assert tried == [
        [f"{HOST}:{port_a}", f"{HOST}:{port_b}"],
        [f"{HOST}:{port_b}"],
        [f"{HOST}:{port_b}"],
    ]


def test_streamlits_files_reach_a_replica_once_and_the_apps_pages_every_time(
    proxy: Proxy,
) -> None:
    asset, page = "/static/js/index.DormvYxC.js", "/player?module=m&step=s"
    browsers = [f"learner-{n}" for n in range(12)]  # spread over both replicas
    copies = {proxy.get(asset, cookie=c)["replica"] for c in browsers}
    pages = {proxy.get(page, cookie=c)["replica"] for c in browsers}
    hits = [server.hits for server in proxy.replicas.values()]  # type: ignore[attr-defined]
    assert sum(h[asset] for h in hits) == 1 and len(copies) == 1  # the first one's, kept
    assert sum(h[page] for h in hits) == len(browsers) and pages == {"A", "B"}


def test_a_roster_sized_upload_passes(proxy: Proxy) -> None:
    upload_limit = 2 * 1024 * 1024  # server.maxUploadSize = 2 (MB) in .streamlit/config.toml
    request = urllib.request.Request(proxy.url + "/upload", data=b"x" * upload_limit)
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert json.load(answer)["received"] == upload_limit
