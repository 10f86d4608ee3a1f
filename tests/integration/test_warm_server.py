"""A replica has pandas and pyarrow loaded before it answers its health check (no learner pays
the ~3 s import inside his first table or chart)."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from deploy.replica import command
from tests.e2e.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


def mapped_files(pid: int) -> str:
    return Path(f"/proc/{pid}/maps").read_text()


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs Linux /proc")
def test_a_replica_loads_the_table_libraries_before_it_serves(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "ALLY_DATABASE_URL": f"sqlite:///{tmp_path / 'warm.db'}"}
    log = (tmp_path / "replica.log").open("wb")
    process = subprocess.Popen(
        command(port), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert process.poll() is None, (tmp_path / "replica.log").read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("the replica did not answer")
        maps = mapped_files(process.pid)  # before any browser has opened a page
        assert "/pyarrow/" in maps and "/pandas/" in maps
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()
