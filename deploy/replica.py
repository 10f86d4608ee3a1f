"""The production command of one replica: `python -m deploy.replica PORT`.

It runs `python -m uvicorn app:app --host 127.0.0.1 --port PORT --ws
websockets-sansio --no-access-log --ws-per-message-deflate false` from the repository root (so
`.streamlit/config.toml` applies). Websocket compression is off, as in Streamlit's own server
(`server.enableWebsocketCompression`): it costs CPU on every message, and nginx sits next to
the replicas. Streamlit supports serving its `st.App` with uvicorn; uvicorn binds the socket
itself, which lets asyncio set TCP_NODELAY on every connection (`streamlit run` leaves Nagle's
algorithm on, ~40 ms an interaction). The systemd unit, the README and deploy/cluster.py all
start replicas through this module and `command()`, so this is the one place to change it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"  # nginx, on the same machine, is the only client


def uvicorn_arguments(port: int, target: str = "app:app") -> list[str]:
    """uvicorn's arguments for serving `target` (an `st.App`) on 127.0.0.1:`port`."""
    return [
        target,
        "--host",
        HOST,
        "--port",
        str(port),
        "--ws",
        "websockets-sansio",
        "--no-access-log",
        "--ws-per-message-deflate",
        "false",
    ]


def command(port: int, target: str = "app:app", python: str = sys.executable) -> list[str]:
    """The replica's command line: `python -m uvicorn app:app ...`."""
    return [python, "-m", "uvicorn", *uvicorn_arguments(port, target)]


def _port(arguments: list[str]) -> int:
    if len(arguments) != 1 or not arguments[0].isdigit() or not 0 < int(arguments[0]) < 65536:
        raise SystemExit("usage: python -m deploy.replica PORT   (for example 8501)")
    return int(arguments[0])


def main(arguments: list[str]) -> None:
    argv = command(_port(arguments))
    os.chdir(ROOT)
    os.execv(argv[0], argv)  # the replica's pid is this one: systemd and kill -9 reach uvicorn


if __name__ == "__main__":
    main(sys.argv[1:])
