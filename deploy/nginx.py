"""nginx for tests and benchmarks: deploy/nginx/ally.conf rendered for their ports, unprivileged.

`render_site` rewrites only the replica `server` lines of the `ally_replicas` upstream (keeping
their parameters) and the `listen` lines, and `with_cache_in` only the cache's directory, so
what runs in a test is the production file.
`Nginx` writes a minimal main configuration around it into a prefix directory (pid, logs and
temporary files all inside it) and runs `nginx -p PREFIX -c CONF -g 'daemon off;'` in the
foreground, as a child process that any user may start.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

SITE = Path(__file__).resolve().parent / "nginx" / "ally.conf"
UPSTREAM = "ally_replicas"
HOST = "127.0.0.1"
_SERVER_LINE = re.compile(r"^(?P<indent>[ \t]*)server[ \t]+(?P<address>\S+)(?P<params>[^;\n]*);")
_CACHE_PATH_LINE = re.compile(r"^[ \t]*proxy_cache_path[ \t]+(?P<path>[^\s;]+)", re.MULTILINE)
_LISTEN_LINE = re.compile(r"^(?P<indent>[ \t]*)listen[ \t]+[^;\n]+;[ \t]*\n", re.MULTILINE)
# $upstream_addr says which replica served each request (and, after a failover, the ones tried).
_LOG_FORMAT = '\'$msec $remote_addr "$request" $status upstream="$upstream_addr" $request_time\''
_TEMP_DIRS = ("client", "proxy", "fastcgi", "uwsgi", "scgi")


class NginxError(RuntimeError):
    """nginx is missing, refuses the configuration, or did not start."""


def nginx_binary() -> str | None:
    """The nginx executable (Debian installs it in /usr/sbin, often not on a user's PATH)."""
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None


def render_site(text: str, replica_ports: Sequence[int], listen: str) -> str:
    """The site file `text` with one upstream server per port and one `listen` line."""
    if not replica_ports:
        raise ValueError("at least one replica port is needed")
    start = re.search(rf"^upstream[ \t]+{UPSTREAM}[ \t]*\{{[^\n]*\n", text, re.MULTILINE)
    if start is None:
        raise ValueError(f"no 'upstream {UPSTREAM} {{' block")
    end = text.index("\n}", start.end())
    block = text[start.end() : end + 1].splitlines(keepends=True)
    servers = [i for i, line in enumerate(block) if _SERVER_LINE.match(line)]
    if not servers or servers != list(range(servers[0], servers[-1] + 1)):
        raise ValueError(f"upstream {UPSTREAM} needs its server lines together, one after another")
    first = _SERVER_LINE.match(block[servers[0]])
    assert first is not None
    indent, params = first["indent"], first["params"]
    wanted = [f"{indent}server {HOST}:{port}{params};\n" for port in replica_ports]
    block[servers[0] : servers[-1] + 1] = wanted
    text = text[: start.end()] + "".join(block) + text[end + 1 :]
    listens = list(_LISTEN_LINE.finditer(text))
    if not listens:
        raise ValueError("no 'listen' line")
    line = f"{listens[0]['indent']}listen {listen};\n"
    text = text[: listens[0].start()] + line + text[listens[-1].end() :]
    return text


def with_cache_in(text: str, folder: Path) -> str:
    """The site file `text` with its `proxy_cache_path` directory moved to `folder`.

    nginx creates that directory when it starts, and at `nginx -t` too: the production one,
    under /var/lib/nginx, needs root.
    """
    found = _CACHE_PATH_LINE.search(text)
    if found is None:
        raise ValueError("no 'proxy_cache_path' line")
    return text[: found.start("path")] + str(folder) + text[found.end("path") :]


def main_conf(prefix: Path, site: Path, worker_processes: int) -> str:
    """A main nginx.conf whose every path is inside `prefix`, around the `site` file."""
    temp = {name: prefix / "temp" / name for name in _TEMP_DIRS}
    # Started as root, nginx runs its workers as another user, who could not write to the
    # prefix; started by anyone else it runs them as that user and the directive is refused.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}worker_processes {worker_processes};\n"
        f"pid {prefix / 'nginx.pid'};\n"
        f"error_log {prefix / 'error.log'} info;\n"
        "events { worker_connections 4096; }\n"
        "http {\n"
        f"    log_format upstream {_LOG_FORMAT};\n"
        f"    access_log {prefix / 'access.log'} upstream;\n"
        f"    client_body_temp_path {temp['client']};\n"
        f"    proxy_temp_path {temp['proxy']};\n"
        f"    fastcgi_temp_path {temp['fastcgi']};\n"
        f"    uwsgi_temp_path {temp['uwsgi']};\n"
        f"    scgi_temp_path {temp['scgi']};\n"
        f"    include {site};\n"
        "}\n"
    )


def _arguments(prefix: Path, conf: Path) -> list[str]:
    binary = nginx_binary()
    if binary is None:
        raise NginxError("nginx is not installed (apt-get install nginx)")
    return [binary, "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(conf)]


def check(prefix: Path, conf: Path) -> str:
    """`nginx -t` on `conf` with paths inside `prefix`: its report; NginxError if refused."""
    done = subprocess.run(
        [*_arguments(prefix, conf), "-t"], capture_output=True, text=True, timeout=30, check=False
    )
    if done.returncode != 0:
        raise NginxError(f"nginx -t refused {conf}:\n{done.stderr}")
    return done.stderr


def make_prefix(prefix: Path) -> None:
    """The temporary-file directories nginx needs inside `prefix`."""
    for name in _TEMP_DIRS:
        (prefix / "temp" / name).mkdir(parents=True, exist_ok=True)


class Nginx:
    """nginx in the foreground, proxying 127.0.0.1:`port` to the replicas on `replica_ports`."""

    def __init__(
        self,
        prefix: Path,
        port: int,
        replica_ports: Sequence[int],
        site: Path = SITE,
        worker_processes: int = 1,
    ) -> None:
        self.prefix, self.port = prefix, port
        make_prefix(prefix)
        self.site = prefix / "ally.conf"
        rendered = render_site(site.read_text(), replica_ports, f"{HOST}:{port}")
        self.site.write_text(with_cache_in(rendered, prefix / "cache"))
        self.conf = prefix / "nginx.conf"
        self.conf.write_text(main_conf(prefix, self.site, worker_processes))
        self.access_log = prefix / "access.log"
        self.error_log = prefix / "error.log"
        self.process: subprocess.Popen[bytes] | None = None

    def test(self) -> str:
        """`nginx -t` on the rendered configuration: its report; NginxError if it is refused."""
        return check(self.prefix, self.conf)

    def start(self, timeout: float = 20) -> None:
        self.test()
        with (self.prefix / "nginx.out").open("wb") as out:
            self.process = subprocess.Popen(
                [*_arguments(self.prefix, self.conf), "-g", "daemon off;"],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        self._wait_listening(timeout)

    def _wait_listening(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise NginxError(f"nginx exited:\n{self.error_log.read_text(errors='replace')}")
            try:
                urllib.request.urlopen(f"http://{HOST}:{self.port}/", timeout=2).close()
                return
            except urllib.error.HTTPError:
                return  # nginx answered (a replica's answer or nginx's own 502)
            except OSError:
                time.sleep(0.1)
        raise NginxError(f"nginx did not listen on {self.port} within {timeout:.0f} s")

    def helper_pids(self) -> dict[str, int]:
        """The master's children, for CPU accounting: nginx-worker (nginx-worker-<n> when
        there are several), nginx-cache-manager, and nginx-cache-loader while it runs (it
        reads the cache's directory a minute after the start, then exits)."""
        if self.process is None:
            return {}
        roles: dict[str, list[int]] = {}
        for pid in children(self.process.pid):
            try:  # "nginx: worker process", "nginx: cache manager process", ...
                title = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            role = next((r for r in ("cache manager", "cache loader") if r in title), "worker")
            roles.setdefault("nginx-" + role.replace(" ", "-"), []).append(pid)
        return {
            name if len(pids) == 1 else f"{name}-{number}": pid
            for name, pids in roles.items()
            for number, pid in enumerate(pids)
        }

    def upstreams(self) -> list[tuple[str, list[str]]]:
        """(request line, the replicas tried in order) of every request logged so far."""
        found = re.findall(r'"([^"]*)" \d+ upstream="([^"]*)"', self.access_log.read_text())
        return [(request, tried.split(", ")) for request, tried in found]

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # fast shutdown: open websockets are cut
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def children(pid: int) -> list[int]:
    """The pids whose parent is `pid` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)
