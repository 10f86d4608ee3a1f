"""R replicas behind nginx on one machine, as the production recipe runs them (tests, benches).

    with Cluster(replicas=2, env={"ALLY_DATABASE_URL": url}, log_dir=folder) as cluster:
        cluster.url              # nginx, e.g. http://127.0.0.1:41234
        cluster.replica_ports    # [41235, 41236]
        cluster.websockets()     # established connections per replica: who holds the browsers
        cluster.upstreams()      # [(request line, ["127.0.0.1:41235"]), ...] from nginx's log
        cluster.kill(0)          # SIGKILL replica 0, as a crash would
        cluster.pids()           # {"replica-41235": pid, "nginx": pid, "nginx-worker": pid, ...}
        cluster.cpu_seconds()    # the same names: user + system CPU so far

Starting runs `python -m progress migrate` once (ally-migrate.service), then each replica with
`python -m deploy.replica PORT` (ally@.service), waits for `/_stcore/health` on each, and
starts nginx from deploy/nginx/ally.conf rendered for these ports (deploy/nginx.py). The
replicas get ALLY_TRUSTED_PROXIES=127.0.0.1 and ALLY_PUBLIC_URL=the nginx URL unless `env`
names them. Standard library only; Linux (/proc) for pids, CPU and connections.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

from deploy.nginx import HOST, Nginx, NginxError, nginx_binary
from deploy.replica import ROOT

__all__ = ["Cluster", "ClusterError", "NginxError", "free_port", "nginx_binary"]

_TCP_ESTABLISHED = "01"


class ClusterError(RuntimeError):
    """A replica or the migration failed; the message ends with the end of its log."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"({path} is missing)"


def cpu_seconds_of(pid: int) -> float:
    """CPU time process `pid` has used (every thread, ended ones included), to the nanosecond.

    Read from the process's CPU clock (Linux's MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED)); where
    that is refused, from /proc/<pid>/stat, whose user and system times count 10 ms ticks.
    """
    try:
        return time.clock_gettime((~pid << 3) | 2)
    except OSError:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def established(port: int) -> int:
    """TCP connections established to 127.0.0.1:`port` on this machine (Linux /proc/net)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == _TCP_ESTABLISHED:
                count += 1
    return count


class Replica:
    """One `python -m deploy.replica PORT` process, its output in `log`."""

    def __init__(self, port: int, env: Mapping[str, str], log: Path) -> None:
        self.port, self.log = port, log
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "deploy.replica", str(port)],
                cwd=ROOT,
                env=dict(env),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )

    def wait_healthy(self, deadline: float) -> None:
        url = f"http://{HOST}:{self.port}/_stcore/health"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ClusterError(
                    f"replica {self.port} exited ({self.process.returncode}):\n{_tail(self.log)}"
                )
            try:
                with urllib.request.urlopen(url, timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise ClusterError(f"replica {self.port} was not healthy in time:\n{_tail(self.log)}")

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Cluster:
    """`replicas` app processes on free ports behind nginx; a context manager."""

    def __init__(
        self,
        replicas: int = 2,
        env: Mapping[str, str] | None = None,
        log_dir: Path | None = None,
        migrate: bool = True,
        nginx_workers: int = 1,
        start_timeout: float = 180,  # two replicas took over 90 s to start on a loaded 2-core box
    ) -> None:
        if replicas < 1:
            raise ValueError("a cluster needs at least one replica")
        if nginx_binary() is None:
            raise NginxError("nginx is not installed (apt-get install nginx)")
        self._own_dir = log_dir is None
        self.log_dir = (
            Path(tempfile.mkdtemp(prefix="ally-cluster-")) if log_dir is None else log_dir
        )
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.replica_ports = [free_port() for _ in range(replicas)]
        self.env = {
            **os.environ,
            "ALLY_TRUSTED_PROXIES": HOST,
            "ALLY_PUBLIC_URL": self.url,
            **(env or {}),
        }
        self._migrate, self._nginx_workers, self._timeout = migrate, nginx_workers, start_timeout
        self.replicas: list[Replica] = []
        self.nginx: Nginx | None = None

    def __enter__(self) -> Cluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        if self._migrate:
            self.migrate()
        for port in self.replica_ports:
            self.replicas.append(Replica(port, self.env, self.log_dir / f"replica-{port}.log"))
        deadline = time.monotonic() + self._timeout
        for replica in self.replicas:
            replica.wait_healthy(deadline)
        prefix = self.log_dir / "nginx"
        prefix.mkdir(exist_ok=True)
        self.nginx = Nginx(
            prefix, self.port, self.replica_ports, worker_processes=self._nginx_workers
        )
        self.nginx.start()

    def migrate(self) -> None:
        """`python -m progress migrate` on the cluster's database, before any replica starts."""
        log = self.log_dir / "migrate.log"
        with log.open("wb") as out:
            done = subprocess.run(
                [sys.executable, "-m", "progress", "migrate"],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                timeout=self._timeout,
                check=False,
            )
        if done.returncode != 0:
            raise ClusterError(f"python -m progress migrate failed:\n{_tail(log)}")

    def kill(self, index: int) -> None:
        """SIGKILL replica `index` (no cleanup, as in a crash) and reap it."""
        replica = self.replicas[index]
        replica.process.send_signal(signal.SIGKILL)
        replica.process.wait(timeout=10)

    def alive(self) -> list[bool]:
        return [replica.alive() for replica in self.replicas]

    def websockets(self) -> list[int]:
        """Per replica, its established connections: nginx keeps none open but websockets."""
        return [established(port) for port in self.replica_ports]

    def upstreams(self) -> list[tuple[str, list[str]]]:
        """(request line, replicas tried in order) of each request nginx has answered so far."""
        return self.nginx.upstreams() if self.nginx is not None else []

    def pids(self) -> dict[str, int]:
        """The live processes by name: replica-<port>, nginx (master) and its helpers
        (`Nginx.helper_pids`: nginx-worker[-n], nginx-cache-manager, nginx-cache-loader)."""
        found = {f"replica-{r.port}": r.process.pid for r in self.replicas if r.alive()}
        if self.nginx is not None and self.nginx.process is not None:
            found["nginx"] = self.nginx.process.pid
            found |= self.nginx.helper_pids()
        return found

    def cpu_seconds(self) -> dict[str, float]:
        """User + system CPU each live process has used, by the names of pids()."""
        usage = {}
        for name, pid in self.pids().items():
            try:
                usage[name] = cpu_seconds_of(pid)
            except OSError:  # it ended since pids() looked
                continue
        return usage

    def log_problems(self) -> list[str]:
        """Lines of the replicas' logs that report a traceback or an error."""
        markers = ("Traceback", "ERROR", "Exception")
        return [
            f"{replica.log.name}: {line}"
            for replica in self.replicas
            for line in replica.log.read_text(errors="replace").splitlines()
            if any(marker in line for marker in markers)
        ]

    def stop(self) -> None:
        if self.nginx is not None:
            self.nginx.stop()
        for replica in self.replicas:
            replica.stop()
        if self._own_dir:
            shutil.rmtree(self.log_dir, ignore_errors=True)
