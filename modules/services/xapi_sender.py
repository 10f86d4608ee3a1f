"""The outbox's sender: posts queued statements to the LRS, retrying with backoff.

One sender thread runs in each app process (started by the web lifespan when ALLY_LRS_URL is
set), so a site needs nothing more than the app to report into its LRS. Several replicas each
run one: a sender claims rows with a lease before posting them (see progress/xapi_repo.claim),
so no two senders hold a row at once. A sender that dies mid-post lets the lease run out and
the row is posted again, with the same statement id, which the LRS stores once.
"""

from __future__ import annotations

import base64
import json
import logging
import random
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from modules.services.runtime import Runtime
from modules.services.xapi import XAPI_VERSION
from modules.settings import LrsSettings
from progress import xapi_repo
from progress.xapi_repo import OutboxEntry

log = logging.getLogger(__name__)

ACCEPTED = (200, 204)
# 409: the LRS holds a statement with this id already (ours: ids are derived from the record).
ALREADY_THERE = 409
# The statement itself is wrong: send the batch one by one and set aside only the bad ones.
REFUSED = (400, 413)


class LrsUnreachable(Exception):
    """No answer from the LRS (refused connection, time-out, DNS)."""


@dataclass(frozen=True)
class LrsClient:
    """POST /statements with basic auth, as xAPI 1.0.3 asks."""

    settings: LrsSettings
    timeout: float = 10.0

    def post(self, statements: list[dict[str, object]]) -> tuple[int, str]:
        """The LRS's status code and the start of its answer."""
        credentials = f"{self.settings.username}:{self.settings.password}".encode()
        request = urllib.request.Request(
            f"{self.settings.url}/statements",
            data=json.dumps(statements).encode(),
            method="POST",
            headers={
                "Authorization": "Basic " + base64.b64encode(credentials).decode(),
                "Content-Type": "application/json",
                "X-Experience-API-Version": XAPI_VERSION,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, response.read(300).decode(errors="replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read(300).decode(errors="replace")
        except (urllib.error.URLError, OSError) as error:  # includes time-outs
            raise LrsUnreachable(str(getattr(error, "reason", error))) from error


@dataclass(frozen=True)
class BatchOutcome:
    sent: int = 0
    rejected: int = 0
    deferred: int = 0

    @property
    def claimed(self) -> int:
        return self.sent + self.rejected + self.deferred


@dataclass
class Backoff:
    """Exponential, capped, with jitter so that replicas do not retry in step."""

    first: float = 2.0
    most: float = 300.0

    def delay(self, failures: int) -> float:
        base = min(self.first * 2.0 ** max(failures - 1, 0), self.most)
        return base * random.uniform(0.5, 1.0)


class OutboxSender:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        client: LrsClient,
        *,
        batch_size: int = 50,
        lease: timedelta = timedelta(minutes=2),
        backoff: Backoff | None = None,
        idle_wait: float = 2.0,
    ) -> None:
        self.sessions = sessions
        self.client = client
        self.batch_size = batch_size
        self.lease = lease
        self.backoff = backoff or Backoff()
        self.idle_wait = idle_wait

    def send_batch(self) -> BatchOutcome:
        """Claim up to one batch of due rows, post them, record what became of each."""
        token = xapi_repo.new_token()
        with self.sessions.begin() as session:
            entries = xapi_repo.claim(session, token, self.lease, self.batch_size)
        if not entries:
            return BatchOutcome()
        started = time.monotonic()
        sent, rejected, deferred, error = self._post(entries, started)
        with self.sessions.begin() as session:
            xapi_repo.mark_sent(session, token, [e.id for e in sent])
            for entry, reason in rejected:
                xapi_repo.mark_rejected(session, token, [entry.id], reason)
            for entry in deferred:
                wait = timedelta(seconds=self.backoff.delay(entry.attempts + 1))
                xapi_repo.defer(session, token, [entry.id], error or "not sent", wait)
        if rejected:
            log.warning("the LRS refused %d xAPI statement(s): %s", len(rejected), rejected[0][1])
        return BatchOutcome(len(sent), len(rejected), len(deferred))

    def _post(
        self, entries: list[OutboxEntry], started: float
    ) -> tuple[list[OutboxEntry], list[tuple[OutboxEntry, str]], list[OutboxEntry], str | None]:
        """Post the batch; when the LRS refuses it, post one by one to find the bad ones."""
        try:
            status, answer = self.client.post([e.statement for e in entries])
        except LrsUnreachable as error:
            return [], [], entries, f"LRS unreachable: {error}"
        if status in ACCEPTED:
            return entries, [], [], None
        if status not in (*REFUSED, ALREADY_THERE):
            return [], [], entries, f"LRS answered {status}: {answer}"
        sent: list[OutboxEntry] = []
        rejected: list[tuple[OutboxEntry, str]] = []
        for index, entry in enumerate(entries):
            if len(entries) > 1:
                if time.monotonic() - started > self.lease.total_seconds() / 2:
                    return sent, rejected, entries[index:], "left for the next batch"
                try:
                    status, answer = self.client.post([entry.statement])
                except LrsUnreachable as error:
                    return sent, rejected, entries[index:], f"LRS unreachable: {error}"
            if status in ACCEPTED or status == ALREADY_THERE:
                sent.append(entry)
            elif status in REFUSED:
                rejected.append((entry, f"LRS answered {status}: {answer}"))
            else:
                return sent, rejected, entries[index:], f"LRS answered {status}: {answer}"
        return sent, rejected, [], None

    def run(self, stop: threading.Event) -> None:
        """Send until `stop` is set: at once while rows are due, waiting when idle or failing."""
        failures = 0
        while not stop.is_set():
            try:
                outcome = self.send_batch()
            except DBAPIError:
                log.warning("xAPI sender: the database cannot be reached; will retry")
                outcome = BatchOutcome(deferred=1)
            except Exception:  # noqa: BLE001 - the thread must outlive any one bad batch
                log.exception("xAPI sender: unexpected error; will retry")
                outcome = BatchOutcome(deferred=1)
            if outcome.deferred:
                failures += 1
                stop.wait(self.backoff.delay(failures))
            else:
                failures = 0
                if outcome.claimed < self.batch_size:
                    stop.wait(self.idle_wait)


class SenderThread:
    """The process's one sender, as a daemon thread; `stop()` ends it at the next wait."""

    def __init__(self, sender: OutboxSender) -> None:
        self.sender = sender
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=sender.run, args=(self._stop,), name="xapi-sender", daemon=True
        )

    def start(self) -> SenderThread:
        self._thread.start()
        return self

    def stop(self, timeout: float = 15.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()


_lock = threading.Lock()
_running: dict[str, SenderThread] = {}


def start_sender(rt: Runtime) -> SenderThread | None:
    """The process's sender for this database, started once; None when no LRS is set."""
    if rt.settings.lrs is None:
        return None
    with _lock:
        found = _running.get(rt.settings.database_url)
        if found is None or not found.alive:
            sender = OutboxSender(rt.sessions, LrsClient(rt.settings.lrs))
            found = _running[rt.settings.database_url] = SenderThread(sender).start()
        return found


def stop_senders() -> None:
    with _lock:
        running = list(_running.values())
        _running.clear()
    for sender in running:
        sender.stop()
