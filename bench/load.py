"""Load benchmark at the protocol level: N signed-in learners against a trivial page.

    python bench/load.py                                  # N = 1, 20, 100; K = 20 decisions
    python bench/load.py --smoke                          # N = 1, 5; K = 3; exit 1 on errors
    python bench/load.py --database-url postgresql://postgres@127.0.0.1:5432/test

Clients speak Streamlit's own protocol, as the browser does: a websocket to /_stcore/stream
(subprotocol "streamlit", the session cookie on the upgrade request) carrying BackMsg
protobufs (`rerun_script` with a ClientState: widget states, page script hash, query string)
and receiving ForwardMsg protobufs until `script_finished`. No browser, no AppTest.

For each N, in one run: (1) the trivial page (bench/trivial/app.py, one radio and one button,
the project's .streamlit/config.toml) served as the app is (`trivial`: deploy/replica.py's
uvicorn command) and (2) in one plain `streamlit run` process (`plain`, the baseline issue 9
names; on uvloop, which requirements.txt installs, it too has TCP_NODELAY), N clients each
clicking K times and reloading once; (3) the app as the production recipe serves it
(deploy/replica.py; with --replicas R, R of them behind nginx, and then, at the largest N, one
replica alone as the scale-out baseline) with N learners signed in through the /auth/login
form, each opening Home, opening a scenario in the player, making K decisions through endings
and replays, reloading the player in a fresh session, submitting one knowledge check (answered
right), then opening My progress and Home. Every response is checked (the next node's or
ending's text from the YAML is on the page; no exception, error or warning element), and
afterwards the database: every acknowledged choice stored exactly once, nothing stored that was
not acknowledged.

Each server is fresh for each N and warmed by one client first (not counted); server CPU is
read from each process's CPU clock around the measured phase (and, with one client, around
each interaction, read 50 ms after it as a learner's pause: N=1's timings all follow such a
pause), memory per extra session is the growth of the server's resident set over
the phase divided by N. It prints per N every kind's p50 and p95 (and their ratios to both
trivial baselines), CPU per interaction, interactions per second and memory, then issue 9's
goals, met or not, each a ratio to the trivial page in this run. Exits 1 on any error or lost
write, never on a timing. The last line is, for the largest N (errors and lost summed over all
N):
`load: N=<n> db=<sqlite|postgresql> replicas=<r> choose p95 <ms> ms = <x>x trivial;
cpu <c>x trivial; errors <e>; lost <l>` (one line), where trivial is the page as issue 9
defines it for the latency goal, one plain `streamlit run` process, and cpu is server CPU per
interaction (every kind, Home included) over its per interaction.

What the protocol needs (Streamlit 1.67, read from its source and checked here):
- The server runs nothing on connect: the client sends `rerun_script` and reads until
  `script_finished`; on FINISHED_EARLY_FOR_RERUN (st.rerun, switch_page) it reads on until
  FINISHED_SUCCESSFULLY. `new_session` starts every run; its page_script_hash is the page shown.
- With st.navigation the pages arrive in the `navigation` message (url_pathname -> hash).
- The first run names the page by its URL path (`page_name`); a page change sends the target's
  hash and query string; a widget rerun sends the current hash and query string. The server
  keeps no URL: adopt the query string of `page_info_changed` and send it back each time.
- A radio's WidgetState is a string_value holding the shown option; buttons and form submit
  buttons are trigger_value=True; a form submit sends the form's values with the trigger.
- The session cookie goes on the websocket upgrade's Cookie header (st.context.cookies).
- Send no websocket pings: a busy server may not answer them in time.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ClientState_pb2 import ClientState  # noqa: E402
from streamlit.proto.Element_pb2 import Element  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402
from websockets.asyncio.client import ClientConnection  # noqa: E402
from websockets.typing import Origin, Subprotocol  # noqa: E402

from deploy.cluster import Cluster, cpu_seconds_of  # noqa: E402
from deploy.replica import command as replica_command  # noqa: E402

TRIVIAL_SCRIPT = ROOT / "bench" / "trivial" / "app.py"
TRIVIAL_TARGET = "bench.trivial.asgi:app"  # the same page, served as the app is
APP_TARGET = "app:app"
PASSWORD = "load benchmark password, long enough"
HOST = "127.0.0.1"  # every byte of traffic stays on this machine
FRESH_SAMPLES = 50  # fresh sessions (reloads) per client when N=1: the efficiency goal's sample
# (10 gave 3.1-4.5x for the same code on one day; each costs ~0.1 s of the run)
ALERT_NAMES = {1: "error", 2: "warning"}  # streamlit.proto.Alert.Format ERROR, WARNING
FINISHED = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)
_INVISIBLE = dict.fromkeys(map(ord, "\u2060\u2068\u2069\u200b\u00ad"), None)
_SPECIAL = re.compile(r"\[@[^\]]*\]|[*_`\[\]<>$\\#|~]|\n\s*[-+]\s|\n\s*\d+[.)]\s")

# With one client: the pause after each interaction before its CPU is read (so interactions/s
# at N=1 is not a throughput).
SETTLE_SECONDS = 0.05


class BenchError(Exception):
    """A check failed for one client; counted as an error, the client stops."""


# ---------------------------------------------------------------- text checks


def normal(text: str) -> str:
    """Shown text, compared loosely: markdown escapes, invisible marks and spacing removed."""
    text = text.translate(_INVISIBLE).replace("\u00a0", " ")
    text = re.sub(r"\\(.)", r"\1", text)
    return " ".join(text.split())


def probe(text: str, length: int = 60) -> str:
    """The longest plain stretch of course text, which any rendering must show as written."""
    pieces = (" ".join(piece.split()) for piece in _SPECIAL.split(text.translate(_INVISIBLE)))
    best = max(pieces, key=len, default="")
    return best[:length].strip()


def element_texts(element: Element) -> Iterator[str]:
    kind = element.WhichOneof("type")
    if kind in ("markdown", "alert", "heading", "text"):
        yield getattr(element, kind).body
    elif kind == "radio":
        yield element.radio.label
        yield from element.radio.options
    elif kind in ("button", "checkbox", "page_link", "metric"):
        yield getattr(element, kind).label
    elif kind == "exception":
        yield element.exception.message


# ---------------------------------------------------------------- one browser tab


@dataclass
class Run:
    """What one script run chain put on the page, and how long it took."""

    elements: dict[tuple[int, ...], Element] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    fragments: dict[str, str] = field(default_factory=dict)  # widget id -> its fragment's id
    messages: int = 0  # ForwardMsgs received: each is a hop through Streamlit's server thread

    def text(self) -> str:
        return normal(" ".join(t for e in self.elements.values() for t in element_texts(e)))

    def of_kind(self, kind: str) -> list[Any]:
        found = [e for e in self.elements.values() if e.WhichOneof("type") == kind]
        return [getattr(e, kind) for e in found]

    def button(self, label: str) -> Any:
        for button in self.of_kind("button"):
            if button.label == label:
                return button
        raise BenchError(f"no button {label!r} on the page")

    def fragment_of(self, widget: Any) -> str | None:
        """The fragment a widget was drawn in: its rerun names it, as the frontend does."""
        return self.fragments.get(widget.id)

    def expect(self, *texts: str) -> None:
        shown = self.text()
        for wanted in texts:
            if wanted and normal(wanted) not in shown:
                raise BenchError(f"expected text not shown: {wanted!r}")


class Tab:
    """One browser tab: a websocket session, its page and query string, as the frontend keeps."""

    def __init__(self, port: int, cookie: str | None, timeout: float) -> None:
        self.port = port
        self.cookie = cookie
        self.timeout = timeout
        self.ws: ClientConnection | None = None
        self.page_hash = ""
        self.query = ""
        self.pages: dict[str, str] = {}  # url path ("" for the default page) -> script hash

    async def open(self) -> None:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        self.ws = await websockets.connect(
            f"ws://{HOST}:{self.port}/_stcore/stream",
            origin=Origin(f"http://{HOST}:{self.port}"),
            subprotocols=[Subprotocol("streamlit")],
            additional_headers=headers,
            proxy=None,
            open_timeout=self.timeout,
            ping_interval=None,  # the browser sends no pings; a busy server may not answer one
            close_timeout=2,
            max_size=None,
        )

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def rerun(
        self,
        widgets: Iterable[WidgetState] = (),
        *,
        page: str | None = None,
        query: str | None = None,
        fragment: str | None = None,
    ) -> Run:
        """Send rerun_script as the frontend does and read until the chain's script_finished.

        Like the frontend: a page change names the target's script hash and its query string;
        a widget rerun names the current page and query; the first run, before the server has
        listed its pages, names the page by its URL path (`page_name`).
        """
        assert self.ws is not None
        state = ClientState()
        if page is not None and page in self.pages:
            state.page_script_hash = self.pages[page]
            self.query = query or ""
        elif self.page_hash:
            state.page_script_hash = self.page_hash
            self.query = self.query if query is None else query
        else:
            state.page_name = page or ""
            self.query = query or ""
        state.query_string = self.query
        state.widget_states.widgets.extend(widgets)
        if fragment:
            state.fragment_id = fragment
        state.context_info.timezone = "UTC"
        state.context_info.locale = "en-US"
        message = BackMsg()
        message.rerun_script.CopyFrom(state)
        run = Run()
        started = time.perf_counter()
        await self.ws.send(message.SerializeToString())
        deadline = started + self.timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise BenchError(f"no script_finished within {self.timeout:.0f} s")
            try:
                data = await asyncio.wait_for(self.ws.recv(), left)
            except TimeoutError as error:
                raise BenchError(f"no script_finished within {self.timeout:.0f} s") from error
            if not isinstance(data, bytes):
                raise BenchError("the server sent a text frame")
            forward = ForwardMsg()
            forward.ParseFromString(data)
            run.messages += 1
            if self._read(forward, run):
                run.seconds = time.perf_counter() - started
                return run

    def _read(self, msg: ForwardMsg, run: Run) -> bool:
        """Take in one ForwardMsg; True when the run chain has finished."""
        kind = msg.WhichOneof("type")
        if kind == "new_session":  # sent as every run starts: the page is drawn again
            run.elements.clear()
            if msg.new_session.page_script_hash:
                self.page_hash = msg.new_session.page_script_hash
        elif kind == "navigation":
            self.pages = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
            for app_page in msg.navigation.app_pages:
                if app_page.is_default:
                    self.pages[""] = app_page.page_script_hash
            if msg.navigation.page_script_hash:
                self.page_hash = msg.navigation.page_script_hash
        elif kind == "page_info_changed":  # st.query_params changed: the URL follows
            self.query = msg.page_info_changed.query_string
        elif kind == "delta":
            delta = msg.delta
            if delta.WhichOneof("type") == "new_element":
                element = delta.new_element
                run.elements[tuple(msg.metadata.delta_path)] = element
                element_kind = element.WhichOneof("type")
                widget_id = getattr(getattr(element, element_kind or "empty"), "id", None)
                if delta.fragment_id and isinstance(widget_id, str):
                    run.fragments[widget_id] = delta.fragment_id
                if element_kind == "exception":
                    run.problems.append(f"exception element: {element.exception.message!r}")
                elif element_kind == "alert" and element.alert.format in ALERT_NAMES:
                    name = ALERT_NAMES[element.alert.format]
                    run.problems.append(f"{name} element: {element.alert.body!r}")
        elif kind == "page_not_found":
            run.problems.append(f"page not found: {msg.page_not_found.page_name!r}")
        elif kind == "session_event":
            if msg.session_event.HasField("script_compilation_exception"):
                run.problems.append("script compilation exception")
        elif kind == "ref_hash":  # only sent for hashes the client said it had; we say none
            run.problems.append("unexpected ref_hash message")
        elif kind == "script_finished":
            status = msg.script_finished
            if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                run.problems.append("script finished with a compile error")
                return True
            return status in FINISHED
        return False


def radio_value(radio: Any, label: str) -> WidgetState:
    """A radio's state is its shown option string (Streamlit 1.67's RadioSerde)."""
    return WidgetState(id=radio.id, string_value=label)


def trigger(button: Any) -> WidgetState:
    return WidgetState(id=button.id, trigger_value=True)


# ---------------------------------------------------------------- results


@dataclass
class Stats:
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    acknowledged: dict[int, set[tuple[int, int, str, str]]] = field(
        default_factory=lambda: defaultdict(set)
    )
    # With one client the server does nothing else: its CPU is read around each interaction.
    cpu_meter: Callable[[], float] | None = None
    cpu: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    messages: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    @property
    def interactions(self) -> int:
        return sum(len(v) for v in self.timings.values())


async def timed(stats: Stats, kind: str, pending: Any) -> Run:
    before = stats.cpu_meter() if stats.cpu_meter else 0.0
    run: Run = await pending
    stats.timings[kind].append(run.seconds)
    stats.messages[kind].append(run.messages)
    if stats.cpu_meter:
        # As a learner pauses between clicks: the CPU is read once the server has settled, so
        # that the work after script_finished (the run's thread ending) counts too, and the
        # next interaction comes after a pause, not back to back (which costs ~10% less).
        await asyncio.sleep(SETTLE_SECONDS)
        stats.cpu[kind].append(stats.cpu_meter() - before)
    if run.problems:
        raise BenchError(f"{kind}: " + "; ".join(run.problems))
    return run


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


# ---------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def serve_command(target: str, port: int) -> list[str]:
    """One process as the production recipe serves it (deploy/replica.py: uvicorn, st.App)."""
    if target == APP_TARGET:  # the replica itself, with its reconnect rule
        return [sys.executable, "-m", "deploy.replica", str(port)]
    return replica_command(port, target)


def plain_command(script: Path, port: int) -> list[str]:
    """`streamlit run`, as a newcomer starts it (on asyncio's own loop Nagle would stay on)."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.port",
        str(port),
        "--server.address",
        HOST,
    ]


class Server:
    """One server process on 127.0.0.1, run from the checkout (its .streamlit/config.toml)."""

    def __init__(self, command: Callable[[int], list[str]], env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.log = log
        with open(log, "wb") as out:
            self.process = subprocess.Popen(
                command(self.port), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited ({self.process.returncode}); see {self.log}")
            try:
                status, _, _ = http_request(self.port, "GET", "/_stcore/health", timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server not ready within {timeout:.0f} s; see {self.log}")

    def cpu_seconds(self) -> float:
        return cpu_seconds_of(self.process.pid)

    def rss_bytes(self) -> int:
        return resident_bytes(self.process.pid)

    def stop(self) -> list[str]:
        """Stop the process; the tracebacks and errors its log holds."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        lines = self.log.read_text(errors="replace").splitlines()
        return [line for line in lines if "Traceback" in line or " ERROR " in line]


class ClusterServer:
    """R replicas behind nginx (deploy/cluster.py), measured as one server: CPU and memory are
    the replicas' sums; `cpu_by_process` names each process, nginx and this client included."""

    def __init__(self, replicas: int, env: dict[str, str], folder: Path) -> None:
        self.cluster = Cluster(replicas, env=env, log_dir=folder)
        self.port = int(self.cluster.url.rsplit(":", 1)[1])

    def wait_ready(self, timeout: float) -> None:
        self.cluster.start()

    def cpu_seconds(self) -> float:
        usage = self.cluster.cpu_seconds()
        return sum(v for k, v in usage.items() if k.startswith("replica-"))

    def cpu_by_process(self) -> dict[str, float]:
        times = os.times()
        return self.cluster.cpu_seconds() | {"load client": times.user + times.system}

    def rss_bytes(self) -> int:
        pids = [p for k, p in self.cluster.pids().items() if k.startswith("replica-")]
        return sum(resident_bytes(pid) for pid in pids)

    def stop(self) -> list[str]:
        problems = self.cluster.log_problems()
        self.cluster.stop()
        return problems


def resident_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def http_request(
    port: int,
    method: str,
    path: str,
    body: str | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> tuple[int, http.client.HTTPMessage, str]:
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode(errors="replace")
    finally:
        connection.close()


def cookies_of(headers: http.client.HTTPMessage) -> dict[str, str]:
    found: dict[str, str] = {}
    for value in headers.get_all("Set-Cookie") or []:
        jar: SimpleCookie = SimpleCookie()
        jar.load(value)
        found.update({name: morsel.value for name, morsel in jar.items()})
    return found


def sign_in(port: int, email: str, timeout: float) -> str:
    """The browser's sign-in: GET the form, POST it with the CSRF cookie; the session cookie."""
    from modules.services.accounts import SESSION_COOKIE
    from modules.web.csrf import CSRF_COOKIE, CSRF_FIELD

    status, headers, html = http_request(port, "GET", "/auth/login", timeout=timeout)
    csrf = cookies_of(headers).get(CSRF_COOKIE)
    field_match = re.search(rf'name="{CSRF_FIELD}" value="([^"]+)"', html)
    if status != 200 or csrf is None or field_match is None:
        raise BenchError(f"sign-in form: status {status}, no CSRF token")
    form = urllib.parse.urlencode(
        {"email": email, "password": PASSWORD, CSRF_FIELD: field_match.group(1)}
    )
    status, headers, _ = http_request(
        port,
        "POST",
        "/auth/login",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"{CSRF_COOKIE}={csrf}",
            "Origin": f"http://{HOST}:{port}",
        },
        timeout=timeout,
    )
    session = cookies_of(headers).get(SESSION_COOKIE)
    if status != 303 or session is None:
        raise BenchError(f"sign-in of {email}: status {status}, no session cookie")
    return f"{SESSION_COOKIE}={session}"


# ---------------------------------------------------------------- the course


@dataclass(frozen=True)
class Plan:
    """Where one learner plays: a module with a scenario and a knowledge check."""

    module: Any
    scenario: Any
    quiz: Any

    def node(self, node_id: str) -> Any:
        return next(n for n in self.scenario.nodes if n.id == node_id)


def course_plans(content_dir: Path) -> tuple[Any, list[Plan]]:
    from modules.course.models import Quiz, Scenario
    from modules.course.validation import validate_directory

    validation = validate_directory(content_dir)
    content = validation.content
    if content is None:
        problems = "\n".join(str(p) for p in validation.problems[:10])
        raise SystemExit(f"the course in {content_dir} does not validate:\n{problems}")
    plans = []
    for module_id in content.course.modules:
        module = content.modules[module_id]
        scenario = next((s for s in module.steps if isinstance(s, Scenario)), None)
        quiz = next((s for s in module.steps if isinstance(s, Quiz)), None)
        if scenario is not None and quiz is not None:
            plans.append(Plan(module, scenario, quiz))
    if not plans:
        raise SystemExit("no module has both a scenario and a knowledge check")
    return content, plans


def match_label(labels: Iterable[str], text: str) -> str:
    """The shown option (a label from the page) that renders the course text `text`."""
    wanted = normal(probe(text, 200))
    for label in labels:
        if wanted in normal(label):
            return label
    raise BenchError(f"no option shows {text[:60]!r}")


# ---------------------------------------------------------------- the clients


async def trivial_client(
    port: int, clicks: int, timeout: float, stats: Stats, reloads: int = 1
) -> None:
    tab = Tab(port, None, timeout)
    try:
        await tab.open()
        run = await timed(stats, "first", tab.rerun())
        for index in range(clicks):
            radio = next(r for r in run.of_kind("radio") if r.label == "What do you do?")
            value = "abc"[index % 3]
            states = [radio_value(radio, value), trigger(run.button("Choose"))]
            run = await timed(stats, "click", tab.rerun(states))
            run.expect(f"You chose {value}")
        # Reloads, as the app's learners make: more fresh sessions' first runs.
        for _ in range(reloads):
            reloaded = Tab(port, None, timeout)
            await reloaded.open()
            await tab.close()
            tab = reloaded
            run = await timed(stats, "first", tab.rerun())
            run.expect("What do you do?")
    finally:
        await tab.close()


@dataclass
class Learner:
    user_id: int
    email: str
    plan: Plan
    seed: int
    cookie: str = ""


async def learner_client(
    learner: Learner, port: int, decisions: int, timeout: float, stats: Stats, reloads: int = 1
) -> None:
    plan, rng = learner.plan, random.Random(learner.seed)
    module, scenario = plan.module, plan.scenario
    tab = Tab(port, learner.cookie, timeout)
    try:
        await tab.open()
        run = await timed(stats, "home", tab.rerun())
        run.expect("Welcome,")
        query = urllib.parse.urlencode({"module": module.id, "step": scenario.id})
        run = await timed(stats, "open", tab.rerun(page="player", query=query))
        node = plan.node(scenario.start)
        run.expect(probe(scenario.intro), probe(node.text))
        attempt, position = 0, 0
        for _ in range(decisions):
            if not hasattr(node, "choices"):  # an ending: play it again
                again = run.button("Play it again")
                run = await timed(
                    stats, "replay", tab.rerun([trigger(again)], fragment=run.fragment_of(again))
                )
                attempt, position, node = attempt + 1, 0, plan.node(scenario.start)
                run.expect(probe(node.text))
            choice = rng.choice(node.choices)
            options = {b.label: b for b in run.of_kind("button") if "choose-" in b.id}
            button = options[match_label(options, choice.text)]  # one button per option
            run = await timed(
                stats, "choose", tab.rerun([trigger(button)], fragment=run.fragment_of(button))
            )
            following = plan.node(choice.next)
            run.expect(probe(choice.feedback), probe(following.text))
            stats.acknowledged[learner.user_id].add((attempt, position, node.id, choice.id))
            position, node = position + 1, following
        # A reload mid-scenario: a fresh session opens the player's URL and resumes there.
        for _ in range(reloads):
            reloaded = Tab(port, learner.cookie, timeout)
            await reloaded.open()
            await tab.close()
            tab = reloaded
            run = await timed(stats, "reload", tab.rerun(page="player", query=query))
            run.expect(probe(node.text))
        await take_quiz(tab, plan, stats)
        run = await timed(stats, "page", tab.rerun(page="progress"))
        run.expect("My progress")
        run = await timed(stats, "page", tab.rerun(page=""))
        run.expect("Welcome,")
    finally:
        await tab.close()


async def take_quiz(tab: Tab, plan: Plan, stats: Stats) -> None:
    """Open the module's knowledge check, tick the right answers, submit; it must pass."""
    query = urllib.parse.urlencode({"module": plan.module.id, "step": plan.quiz.id})
    run = await timed(stats, "open", tab.rerun(page="player", query=query))
    states = []
    radios = {r.label: r for r in run.of_kind("radio")}
    boxes = {b.label: b for b in run.of_kind("checkbox")}
    for number, question in enumerate(plan.quiz.questions, start=1):
        right = [o for o in question.options if o.correct]
        if question.multiple:
            for option in right:
                box = boxes[match_label(boxes, option.text)]
                states.append(WidgetState(id=box.id, bool_value=True))
        else:
            radio = radios.get(f"Answer to question {number:d}")
            if radio is None:
                raise BenchError(f"quiz: no radio for question {number}")
            states.append(radio_value(radio, match_label(radio.options, right[0].text)))
    states.append(trigger(run.button("Check my answers")))
    run = await timed(stats, "quiz", tab.rerun(states))
    run.expect("You passed this check")


def reloads(n: int) -> int:
    """Fresh sessions per client: with one client, enough that their CPU is a fair mean."""
    return FRESH_SAMPLES if n == 1 else 1


async def guarded(stats: Stats, name: str, pending: Any) -> None:
    try:
        await pending
    except (BenchError, OSError, websockets.exceptions.WebSocketException) as error:
        stats.errors.append(f"{name}: {type(error).__name__}: {error}")
    except StopIteration:
        stats.errors.append(f"{name}: an expected widget is missing")


# ---------------------------------------------------------------- the database


class Database:
    """The app's database, fresh for this run, reached through the app's own repositories."""

    def __init__(self, url: str | None, folder: Path) -> None:
        self.schema: str | None = None
        self.admin_url = url
        if url is None:
            self.url = f"sqlite:///{folder / 'load.db'}"
            self.kind = "sqlite"
        else:
            self.kind = "postgresql"
            self.schema = f"load_{os.getpid()}_{int(time.time())}"
            self._execute(f'CREATE SCHEMA "{self.schema}"')
            options = urllib.parse.quote(f"-csearch_path={self.schema}")
            self.url = f"{url}{'&' if '?' in url else '?'}options={options}"

    def _execute(self, statement: str) -> None:
        from sqlalchemy import create_engine, text

        assert self.admin_url is not None
        engine = create_engine(self.admin_url.replace("postgresql://", "postgresql+psycopg://"))
        with engine.begin() as connection:
            connection.execute(text(statement))
        engine.dispose()

    def drop(self) -> None:
        if self.schema is not None:
            self._execute(f'DROP SCHEMA "{self.schema}" CASCADE')

    def runtime(self, content_dir: Path) -> Any:
        from modules.services.runtime import runtime
        from modules.settings import Settings

        return runtime(Settings(database_url=self.url, content_dir=content_dir))

    def create_users(self, content_dir: Path, emails: list[str]) -> list[int]:
        from progress.account_repo import create_user
        from progress.passwords import hash_password

        password_hash = hash_password(PASSWORD)  # one hash for all: argon2 is slow on purpose
        with self.runtime(content_dir).transaction() as session:
            users = [create_user(session, e, e.split("@")[0], password_hash) for e in emails]
            return [u.id for u in users]

    def check(
        self, content_dir: Path, course_id: str, learners: list[Learner], stats: Stats
    ) -> int:
        """Lost choices (acknowledged, not stored once); stored but unacknowledged are errors."""
        from progress.scenario_repo import scenario_attempts

        lost = 0
        with self.runtime(content_dir).transaction() as session:
            for learner in learners:
                attempts = [
                    a
                    for a in scenario_attempts(
                        session, learner.user_id, course_id, learner.plan.module.id
                    )
                    if a.step.step_id == learner.plan.scenario.id
                ]
                stored = [
                    (number, c.position, c.node_id, c.choice_id)
                    for number, attempt in enumerate(attempts)
                    for c in attempt.choices
                ]
                acknowledged = stats.acknowledged.get(learner.user_id, set())
                lost += len(acknowledged - set(stored))
                extra = len(set(stored) - acknowledged) + len(stored) - len(set(stored))
                if extra:
                    stats.errors.append(
                        f"{learner.email}: {extra} choices stored, never acknowledged"
                    )
        return lost


# ---------------------------------------------------------------- one N


@dataclass
class Phase:
    stats: Stats
    cpu_seconds: float
    rss_growth: int
    wall_seconds: float
    lost: int = 0
    processes: dict[str, float] = field(default_factory=dict)  # CPU seconds, behind nginx


def server_env(db: Database, content_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    env.update(ALLY_DATABASE_URL=db.url, ALLY_CONTENT_DIR=str(content_dir))
    env.pop("ALLY_TRUSTED_PROXIES", None)
    return env


async def measured(server: Server | ClusterServer, stats: Stats, clients: list[Any]) -> Phase:
    by_process = server.cpu_by_process() if isinstance(server, ClusterServer) else {}
    rss, cpu, wall = server.rss_bytes(), server.cpu_seconds(), time.perf_counter()
    await asyncio.gather(*clients)
    phase = Phase(
        stats,
        server.cpu_seconds() - cpu,
        server.rss_bytes() - rss,
        time.perf_counter() - wall,
    )
    if isinstance(server, ClusterServer):
        after = server.cpu_by_process()
        phase.processes = {name: after[name] - by_process.get(name, 0.0) for name in after}
    return phase


async def trivial_phase(
    n: int,
    args: argparse.Namespace,
    folder: Path,
    env: dict[str, str],
    command: Callable[[int], list[str]] = lambda port: serve_command(TRIVIAL_TARGET, port),
) -> Phase:
    server = Server(command, env, folder / f"trivial-{n}-{len(os.listdir(folder))}.log")
    warm, stats = Stats(), Stats()
    try:
        await asyncio.to_thread(server.wait_ready, args.timeout)
        await guarded(warm, "warm-up", trivial_client(server.port, 3, args.timeout, warm))
        clients = [
            guarded(
                stats,
                f"client {i}",
                trivial_client(server.port, args.decisions, args.timeout, stats, reloads(n)),
            )
            for i in range(n)
        ]
        if n == 1:
            stats.cpu_meter = server.cpu_seconds
        phase = await measured(server, stats, clients)
    finally:
        logged = await asyncio.to_thread(server.stop)
    stats.errors += warm.errors + [f"trivial server log: {line}" for line in logged]
    return phase


async def app_phase(
    n: int,
    args: argparse.Namespace,
    folder: Path,
    db: Database,
    content_dir: Path,
    course_id: str,
    plans: list[Plan],
    replicas: int,
) -> Phase:
    warmers = replicas  # one warm-up learner per replica, straight to its port
    tag = f"{n}-{replicas}"
    emails = [f"warm-{tag}-{r}@example.org" for r in range(warmers)]
    emails += [f"learner-{tag}-{i}@example.org" for i in range(n)]
    ids = await asyncio.to_thread(db.create_users, content_dir, emails)
    learners = [
        Learner(user_id, email, plans[i % len(plans)], seed=i)
        for i, (user_id, email) in enumerate(zip(ids, emails, strict=True))
    ]
    env = server_env(db, content_dir)
    server: Server | ClusterServer = (
        ClusterServer(replicas, env, folder / f"cluster-{n}")
        if replicas > 1
        else Server(lambda port: serve_command(APP_TARGET, port), env, folder / f"app-{n}.log")
    )
    warm, stats = Stats(), Stats()
    try:
        await asyncio.to_thread(server.wait_ready, args.timeout)
        # Signing in is not what is measured: one at a time, below the per-address throttle.
        for learner in learners[warmers:]:
            learner.cookie = await asyncio.to_thread(
                sign_in, server.port, learner.email, args.timeout
            )
        ports = server.cluster.replica_ports if isinstance(server, ClusterServer) else [server.port]
        for learner, port in zip(learners[:warmers], ports, strict=True):
            learner.cookie = await asyncio.to_thread(sign_in, port, learner.email, args.timeout)
            await guarded(warm, "warm-up", learner_client(learner, port, 3, args.timeout, warm))
        clients = [
            guarded(
                stats,
                learner.email,
                learner_client(
                    learner, server.port, args.decisions, args.timeout, stats, reloads(n)
                ),
            )
            for learner in learners[warmers:]
        ]
        if n == 1:
            stats.cpu_meter = server.cpu_seconds
        phase = await measured(server, stats, clients)
    finally:
        logged = await asyncio.to_thread(server.stop)
    stats.errors += warm.errors + [f"app server log: {line}" for line in logged]
    for user_id, acks in warm.acknowledged.items():
        stats.acknowledged[user_id] |= acks
    phase.lost = await asyncio.to_thread(db.check, content_dir, course_id, learners, stats)
    return phase


@dataclass
class Result:
    """One N: the trivial page served as the app is and under `streamlit run`, and the app
    (as the production recipe serves it; with R > 1 replicas, also one replica alone)."""

    n: int
    served: Phase
    plain: Phase
    app: Phase
    single: Phase | None = None

    def phases(self) -> list[tuple[str, Phase]]:
        named = [("trivial", self.served), ("plain", self.plain), ("app", self.app)]
        return named + ([("app x1", self.single)] if self.single else [])

    @property
    def errors(self) -> list[str]:
        return [line for _, phase in self.phases() for line in phase.stats.errors]

    @property
    def lost(self) -> int:
        return self.app.lost + (self.single.lost if self.single else 0)


def p95_ms(phase: Phase, kind: str) -> float:
    return percentile(phase.stats.timings[kind], 0.95) * 1000


def p50_ms(phase: Phase, kind: str) -> float:
    return percentile(phase.stats.timings[kind], 0.5) * 1000


def cpu_each(phase: Phase) -> float:
    """Server CPU per interaction over the phase, every kind together (seconds)."""
    return phase.cpu_seconds / max(1, phase.stats.interactions)


def cpu_of(phase: Phase, kind: str) -> float:
    """Server CPU per interaction of one kind, read around each (one client only; seconds)."""
    values = phase.stats.cpu.get(kind) or [float("nan")]
    return sum(values) / len(values)


def rate(phase: Phase) -> float:
    return phase.stats.interactions / phase.wall_seconds if phase.wall_seconds else float("nan")


def report(result: Result) -> None:
    """Print one N's figures: every kind of interaction against both trivial baselines."""
    served, plain = p95_ms(result.served, "click"), p95_ms(result.plain, "click")
    print(
        f"\nN={result.n}  (p95 ratios: to the trivial click served as the app is / under"
        " streamlit run)"
    )
    for name, phase in result.phases():
        for kind, values in sorted(phase.stats.timings.items()):
            p50, p95 = p50_ms(phase, kind), p95_ms(phase, kind)
            print(
                f"  {name:7} {kind:7} {len(values):5d} x  p50 {p50:8.1f} ms  p95 {p95:8.1f} ms"
                f"  p95 {p95 / served:5.1f}x / {p95 / plain:5.1f}x"
            )
    for name, phase in result.phases():
        count = phase.stats.interactions
        print(
            f"  {name:7} server CPU {phase.cpu_seconds:6.2f} s over {count} interactions:"
            f" {cpu_each(phase) * 1000:.1f} ms each; {rate(phase):.1f} interactions/s;"
            f" resident memory {phase.rss_growth / 2**20 / result.n:+.2f} MiB per extra session"
        )
        if phase.processes:
            used = ", ".join(f"{k} {sec:.2f} s" for k, sec in sorted(phase.processes.items()))
            print(f"  {name:7} CPU by process over {phase.wall_seconds:.1f} s: {used}")
    if result.served.stats.cpu:
        per_click = cpu_of(result.served, "click")
        print("  server CPU per kind, one client (the process's CPU clock), and messages sent:")
        for name, phase in result.phases():
            for kind in sorted(phase.stats.cpu):
                each = cpu_of(phase, kind)
                sent = phase.stats.messages[kind]
                print(
                    f"    {name:7} {kind:7} {each * 1000:6.1f} ms each"
                    f"  {each / per_click:5.1f}x trivial click;"
                    f" {sum(sent) / len(sent):5.1f} messages"
                )
    app = cpu_each(result.app)
    print(
        f"  server CPU per interaction: app {app / cpu_each(result.served):.1f}x the trivial page"
        f" served as the app is, {app / cpu_each(result.plain):.1f}x under streamlit run"
    )
    print(f"  errors {len(result.errors)}; lost {result.lost}")
    for line in result.errors[:10]:
        print(f"    {line}")


def goals(results: list[Result], replicas: int) -> None:
    """Issue 9's goals, each a ratio to the trivial page in this same run."""
    first, last = results[0], results[-1]
    rows: list[tuple[str, float, str, bool]] = []
    if first.n == 1 and replicas > 1:
        print("\n(efficiency goals compare one process each: see a run with --replicas 1)")
    elif first.n == 1:
        click, fresh = cpu_of(first.served, "click"), cpu_of(first.served, "first")
        choose, reload = cpu_of(first.app, "choose"), cpu_of(first.app, "reload")
        rows.append(
            (
                f"choose CPU {choose * 1000:.1f} ms vs a trivial click's {click * 1000:.1f} ms",
                choose / click,
                "<= 3x",
                choose / click <= 3,
            )
        )
        rows.append(
            (
                f"fresh player CPU {reload * 1000:.1f} ms vs a fresh trivial run's"
                f" {fresh * 1000:.1f} ms",
                reload / fresh,
                "<= 3x",
                reload / fresh <= 3,
            )
        )
        floor, nagle = p50_ms(first.served, "click"), p50_ms(first.plain, "click")
        chosen = p50_ms(first.app, "choose")
        rows.append(
            (
                f"N=1 choose p50 {chosen:.1f} ms vs a trivial click's {floor:.1f} ms"
                f" (under streamlit run: {nagle:.1f} ms)",
                chosen / floor,
                "<= 3x",
                chosen / floor <= 3,
            )
        )
    choose_p95, plain_p95 = p95_ms(last.app, "choose"), p95_ms(last.plain, "click")
    rows.append(
        (
            f"N={last.n} choose p95 {choose_p95:.0f} ms vs the streamlit-run trivial's"
            f" {plain_p95:.0f} ms ({choose_p95 / p95_ms(last.served, 'click'):.1f}x the one served"
            " as the app is)",
            choose_p95 / plain_p95,
            "<= 2x",
            choose_p95 / plain_p95 <= 2,
        )
    )
    memory = last.app.rss_growth / 2**20 / last.n
    rows.append(
        (f"N={last.n} memory {memory:+.2f} MiB per extra session", memory, "< 1 MiB", memory < 1)
    )
    if last.single is not None:
        scaled = rate(last.app) / rate(last.single)
        rows.append(
            (
                f"N={last.n} {replicas} replicas {rate(last.app):.1f} interactions/s vs one"
                f" replica's {rate(last.single):.1f}",
                scaled,
                ">= 1.4x",
                scaled >= 1.4,
            )
        )
    print("\ngoals (ratios to the trivial page in this run):")
    for text, ratio, goal, met in rows:
        print(f"  {'met    ' if met else 'NOT met'}  {ratio:6.2f}  goal {goal:8}  {text}")


@contextmanager
def content_snapshot(folder: Path, source: Path) -> Iterator[Path]:
    """A copy of the course, so edits made during the run cannot change what is measured."""
    target = folder / "content"
    shutil.copytree(source, target)
    yield target


async def run_all(args: argparse.Namespace, folder: Path) -> int:
    with content_snapshot(folder, Path(args.content_dir)) as content_dir:
        content, plans = course_plans(content_dir)
        db = Database(args.database_url, folder)
        results: list[Result] = []
        try:
            await asyncio.to_thread(db.create_users, content_dir, ["admin@example.org"])
            env = server_env(db, content_dir)
            for n in args.sessions:
                served = await trivial_phase(n, args, folder, env)
                plain = await trivial_phase(
                    n, args, folder, env, partial(plain_command, TRIVIAL_SCRIPT)
                )
                course = (content_dir, content.course.id, plans)
                app = await app_phase(n, args, folder, db, *course, args.replicas)
                single = None
                if args.replicas > 1 and n == args.sessions[-1]:  # the scale-out baseline
                    single = await app_phase(n, args, folder, db, *course, 1)
                results.append(Result(n, served, plain, app, single))
                report(results[-1])
        finally:
            db.drop()
    goals(results, args.replicas)
    last = results[-1]
    errors = sum(len(r.errors) for r in results)
    lost = sum(r.lost for r in results)
    choose_p95 = p95_ms(last.app, "choose")
    print(
        f"load: N={last.n} db={db.kind} replicas={args.replicas} "
        f"choose p95 {choose_p95:.0f} ms = {choose_p95 / p95_ms(last.plain, 'click'):.1f}x trivial;"
        f" cpu {cpu_each(last.app) / cpu_each(last.plain):.1f}x trivial; "
        f"errors {errors}; lost {lost}"
    )
    return 1 if errors or lost else 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Load benchmark at the protocol level.")
    parser.add_argument(
        "--sessions", default="1,20,100", help="comma-separated N (default 1,20,100)"
    )
    parser.add_argument(
        "--decisions", type=int, default=20, help="K decisions (and trivial clicks) per client"
    )
    parser.add_argument("--database-url", help="PostgreSQL URL; a fresh schema is made and dropped")
    parser.add_argument(
        "--replicas", type=int, default=1, help="app replicas behind nginx (deploy/); 1: no nginx"
    )
    parser.add_argument("--timeout", type=float, default=120, help="seconds per interaction")
    parser.add_argument(
        "--max-minutes", type=float, default=30, help="the whole run stops after this"
    )
    parser.add_argument(
        "--content-dir", default=str(ROOT / "content"), help="the course (copied first)"
    )
    parser.add_argument("--smoke", action="store_true", help="N=1,5 and K=3: for CI")
    args = parser.parse_args(argv)
    if args.smoke:
        args.sessions, args.decisions = "1,5", 3
    args.sessions = sorted({int(n) for n in str(args.sessions).split(",") if n.strip()})
    if not args.sessions or min(args.sessions) < 1 or args.decisions < 1:
        parser.error("--sessions needs positive numbers and --decisions at least 1")
    if args.replicas < 1:
        parser.error("--replicas: at least 1")
    if args.database_url and not args.database_url.startswith(("postgresql://", "postgres://")):
        parser.error("--database-url: a postgresql:// URL (SQLite is the default)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ally-load-") as tmp:
        try:
            return asyncio.run(asyncio.wait_for(run_all(args, Path(tmp)), args.max_minutes * 60))
        except TimeoutError:
            print(f"load: stopped after {args.max_minutes:g} minutes", file=sys.stderr)
            return 2


if __name__ == "__main__":
    sys.exit(main())
