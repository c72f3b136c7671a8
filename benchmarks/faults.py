"""Fault drills under load: what clients were told against what was stored.

Starts, on a fresh PostgreSQL database with the demo loaded: its own Redis (append-only, so a
restart keeps the queue, as a production Redis does), gunicorn (3 sync workers) reaching
PostgreSQL through a TCP proxy the drill can cut or hang, a Celery worker and Celery beat. Eight
client threads submit whole survey responses with client-generated ids throughout, and each
fault is inflicted at least three times:

* kill -9 of every gunicorn worker; kill -9 of the gunicorn master (the drill then kills what is
  left of its process group, as systemd's KillMode=control-group does, and starts a new master
  on the same port);
* pg_terminate_backend of every backend of the site;
* the database down (connections refused) and hung (connections accepted, nothing answered);
* Redis (cache and broker) stopped: Compute and sign-in must answer 503, not 500;
* kill -9 of the Celery worker's pool child, and of the whole worker, in the middle of a LEXIMIN
  computation of 2,000 people (the facilitator presses Compute on the web page).

Then every acknowledged submission must be stored exactly once (lost = acknowledged but missing,
duplicated = stored twice), no request may answer 500, and every computation must end computed
or back at "frozen" with its reason (stuck = still "computing" after the recovery window:
the broker's visibility timeout, plus the task's time limit, plus the watchdog's minute). A
last drill runs the embedded SQLite set-up with 3 workers at 16 connections and counts
"database is locked", and redeems one one-time link 20 times at once.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/faults.py [--rounds 3] [--quick]

The database named in DATABASE_URL is only used to create and drop the drill's own database.
Benchmarks are not tests: this is never part of `make test`.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import itertools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent / "faults"
PYTHON = ROOT / ".venv" / "bin" / "python"
BIN = ROOT / ".venv" / "bin"
DRILL_DB = "cpps_faults_drill"
CLIENTS = 8
PANEL_POOL = 2000
FACILITATOR = ("demo-facilitator", "cpps-demo-facilitator")
SUBMISSION = {
    "language": "en",
    "area": "8",
    "demographics": {"age_band": "35_44", "sex": "female", "race_ethnicity": "hispanic_latino"},
    "answers": {
        "safe_crime": ["6"],
        "safe_day": ["7"],
        "safe_night": ["4"],
        "police_listen": ["5"],
        "police_respect": ["6"],
        "police_explain": ["3"],
        "police_accountable": ["2"],
        "police_contact": ["no"],
        "worries": ["theft", "traffic"],
        "safer_one_thing": ["More lights"],
    },
}
# Short limits so a drill ends in minutes: a task is handed back 100 s after its worker vanished.
TASK_ENV = {"TASK_TIME_LIMIT": "90", "TASK_VISIBILITY_TIMEOUT": "100"}
# The longest a computation may honestly stay "computing" after its worker died: the broker
# hands the task out again after the visibility timeout, the new run is stopped at the time
# limit if it has not finished by then, and the watchdog (every minute) returns it to "frozen".
# Still computing after that (plus a little slack) is stuck.
RECOVERY_SECONDS = (
    int(TASK_ENV["TASK_VISIBILITY_TIMEOUT"]) + int(TASK_ENV["TASK_TIME_LIMIT"]) + 60 + 20
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def database_url(base: str, name: str, *, port: int | None = None) -> str:
    parts = urlsplit(base)
    netloc = parts.netloc if port is None else f"{parts.netloc.rsplit(':', 1)[0]}:{port}"
    return urlunsplit((parts.scheme, netloc, f"/{name}", parts.query, parts.fragment))


# ------------------------------------------------------------------------------------ services


class DatabaseProxy:
    """A TCP proxy in front of PostgreSQL: "open" forwards; "down" drops every connection and
    refuses new ones (the server stopped); "hung" drops every connection and accepts new ones
    without ever answering (the address now leads to a host that accepts and never replies)."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.mode = "open"
        self.listener = socket.create_server(("127.0.0.1", 0), reuse_port=False)
        self.port = int(self.listener.getsockname()[1])
        self.lock = threading.Lock()
        self.open_sockets: set[socket.socket] = set()
        self.resumed = threading.Event()
        self.resumed.set()
        threading.Thread(target=self._accept, daemon=True).start()

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        if mode == "open":
            self.resumed.set()
            return
        self.resumed.clear()
        with self.lock:
            for sock in list(self.open_sockets):
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                    sock.close()
            self.open_sockets.clear()

    def _accept(self) -> None:
        while True:
            client, _address = self.listener.accept()
            if self.mode == "down":
                client.close()
                continue
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        self.resumed.wait()  # a hung server: the connection is accepted and nothing answers
        if self.mode == "down":
            client.close()
            return
        try:
            upstream = socket.create_connection(self.target)
        except OSError:
            client.close()
            return
        with self.lock:
            self.open_sockets |= {client, upstream}
        threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
        self._pump(upstream, client)

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                self.resumed.wait()
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with suppress(OSError):
                    sock.close()
            with self.lock:
                self.open_sockets -= {source, sink}


@dataclass
class Site:
    """The drill's processes and addresses."""

    work: Path
    url: str  # the drill database, directly
    proxy: DatabaseProxy
    redis_port: int
    web_port: int
    redis: subprocess.Popen[bytes] | None = None
    web: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None
    beat: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def env(self, *, through_proxy: bool) -> dict[str, str]:
        url = database_url(self.url, DRILL_DB, port=self.proxy.port) if through_proxy else self.url
        return {
            **os.environ,
            **TASK_ENV,
            "DATABASE_URL": url,
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SETTINGS_MODULE": "fault_settings",
            "PYTHONPATH": f"{ROOT}:{HERE}",
            "LOG_LEVEL": "WARNING",
            # As deployed (behind nginx, see the README): the clients below stand for residents
            # on many connections, so the open survey's limit per connection holds none back.
            "BEHIND_PROXY": "1",
        }

    def start_redis(self) -> None:
        self.redis = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.redis_port),
             "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
             "--appendfsync", "always", "--dir", str(self.work)],
            stdout=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        wait_for(lambda: redis_ping(self.redis_port), "redis")

    def stop_redis(self) -> None:
        assert self.redis is not None  # noqa: S101 - started first
        self.redis.terminate()
        self.redis.wait(timeout=30)

    def start_web(self, workers: int = 3) -> None:
        log = (self.work / "gunicorn.log").open("ab")
        self.web = subprocess.Popen(
            [BIN / "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{self.web_port}",
             "--timeout", "40", "--graceful-timeout", "10", "cpps.config.wsgi:application"],
            cwd=ROOT, env=self.env(through_proxy=True), stderr=log, start_new_session=True,
        )  # fmt: skip
        wait_for(lambda: healthy(self.base), "gunicorn")

    def start_worker(self) -> None:
        log = (self.work / "celery.log").open("ab")
        self.worker = subprocess.Popen(
            [BIN / "celery", "-A", "cpps.config", "worker", "--concurrency", "1",
             "--loglevel", "WARNING", "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=self.env(through_proxy=False), stdout=log, stderr=log,
            start_new_session=True,
        )  # fmt: skip

    def start_beat(self) -> None:
        log = (self.work / "beat.log").open("ab")
        self.beat = subprocess.Popen(
            [BIN / "celery", "-A", "cpps.config", "beat", "--loglevel", "WARNING",
             "--schedule", str(self.work / "beat-schedule")],
            cwd=ROOT, env=self.env(through_proxy=False), stdout=log, stderr=log,
            start_new_session=True,
        )  # fmt: skip

    def stop_all(self) -> None:
        for process in (self.web, self.worker, self.beat, self.redis):
            if process is not None and process.poll() is None:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)


def redis_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=3) as answer:
            return bool(answer.status == 200)
    except (OSError, urllib.error.HTTPError):
        return False


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 90) -> float:
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > seconds:
            raise RuntimeError(f"{what} did not come up within {seconds:.0f} s")
        time.sleep(0.2)
    return time.monotonic() - start


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
    return [int(line) for line in found.stdout.split()]


# ------------------------------------------------------------------------------- the database


def recreate_database(base: str) -> str:
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DRILL_DB} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DRILL_DB}")
    url = database_url(base, DRILL_DB)
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([BIN / "cpps", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([BIN / "cpps", "demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(
        [PYTHON, HERE / "prepare_panel.py", str(PANEL_POOL)], cwd=ROOT, env=env, check=True
    )
    return url


def scalar(url: str, sql: str, *params: object) -> Any:
    with psycopg.connect(url) as connection:
        row = connection.execute(sql, params).fetchone()
    return row[0] if row else None


# --------------------------------------------------------------------------------- the clients


# Every submission of the whole drill comes from a connection of its own (a city's residents,
# not one machine), so no drill's answers are refused by the survey's limit per connection.
ADDRESSES = itertools.count(1)


def resident_address(number: int) -> str:
    return f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}"


@dataclass
class Tally:
    """What the clients were told, per drill."""

    acknowledged: set[str] = field(default_factory=set)
    statuses: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, client_id: str, outcome: str) -> None:
        with self.lock:
            self.statuses[outcome] += 1
            if outcome in {"200", "201"}:
                self.acknowledged.add(client_id)


class Load:
    """Client threads posting survey submissions with their own ids until stopped."""

    def __init__(self, base: str, survey: int, clients: int = CLIENTS) -> None:
        self.base = base
        self.clients = clients
        self.path = f"/api/jurisdictions/chicago/surveys/{survey}/responses"
        self.stop = threading.Event()
        self.tally = Tally()
        self.tag = ""
        self.threads: list[threading.Thread] = []

    @contextmanager
    def running(self, tag: str) -> Iterator[Tally]:
        self.tag, self.tally, self.stop = tag, Tally(), threading.Event()
        self.threads = [
            threading.Thread(target=self._client, args=(number,), daemon=True)
            for number in range(self.clients)
        ]
        for thread in self.threads:
            thread.start()
        try:
            yield self.tally
        finally:
            self.stop.set()
            for thread in self.threads:
                thread.join(timeout=60)

    def _client(self, number: int) -> None:
        sent = 0
        while not self.stop.is_set():
            sent += 1
            client_id = f"{self.tag}-{number:02d}-{sent:06d}"
            body = json.dumps({**SUBMISSION, "client_id": client_id}).encode()
            request = urllib.request.Request(
                self.base + self.path,
                data=body,
                headers={
                    "Content-Type": "application/json",
                    "X-Forwarded-For": resident_address(next(ADDRESSES)),
                },
                method="POST",
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:
                    outcome = str(answer.status)
            except urllib.error.HTTPError as error:
                outcome = str(error.code)
            except OSError:
                outcome = "no answer"
                time.sleep(0.05)
            self.tally.record(client_id, outcome)


class Facilitator:
    """A browser without JavaScript (signed in once `sign_in` is called): pages, forms, CSRF."""

    def __init__(self, base: str, *, redirects: bool = True) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        handlers: list[urllib.request.BaseHandler] = [urllib.request.HTTPCookieProcessor(self.jar)]
        if not redirects:
            handlers.append(NoRedirect())
        self.opener = urllib.request.build_opener(*handlers)

    def form_token(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as page:
            html = page.read().decode()
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        return found.group(1) if found else ""

    def post(self, path: str, fields: dict[str, str], *, form_page: str) -> tuple[int, str]:
        data = urllib.parse.urlencode(
            {**fields, "csrfmiddlewaretoken": self.form_token(form_page)}
        ).encode()
        try:
            with self.opener.open(self.base + path, data=data, timeout=60) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def sign_in(self) -> None:
        status, _page = self.post(
            "/accounts/login/",
            {"username": FACILITATOR[0], "password": FACILITATOR[1]},
            form_page="/accounts/login/",
        )
        if status != 200:
            raise RuntimeError(f"sign-in answered {status}")

    def compute(self, panel: int) -> tuple[int, str]:
        manage = f"/j/chicago/panels/{panel}/manage/"
        return self.post(manage + "compute/", {}, form_page=manage)


# ---------------------------------------------------------------------------------- the drills


@dataclass
class Row:
    fault: str
    rounds: int = 0
    requests: int = 0
    acknowledged: int = 0
    lost: int = 0
    duplicated: int = 0
    errors_500: int = 0
    answers_503: int = 0
    no_answer: int = 0
    tasks: int = 0
    stuck: int = 0
    notes: list[str] = field(default_factory=list)

    def add(self, tally: Tally, stored: set[str], duplicated: int) -> None:
        self.rounds += 1
        self.requests += sum(tally.statuses.values())
        self.acknowledged += len(tally.acknowledged)
        self.errors_500 += sum(n for s, n in tally.statuses.items() if s.startswith("5"))
        self.errors_500 -= tally.statuses["503"]
        self.answers_503 += tally.statuses["503"]
        self.no_answer += tally.statuses["no answer"]
        self.lost += len(tally.acknowledged - stored)
        self.duplicated += duplicated


def stored_ids(url: str, tag: str) -> set[str]:
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT client_id FROM listening_response WHERE client_id LIKE %s", (f"{tag}-%",)
        )
        return {row[0] for row in rows}


def duplicates(url: str, tag: str) -> int:
    """Submissions stored twice, and answers stored twice within one submission."""
    return int(
        scalar(
            url,
            "SELECT (SELECT count(*) - count(DISTINCT client_id) FROM listening_response "
            "WHERE client_id LIKE %s) + (SELECT count(*) FROM (SELECT 1 FROM listening_answer a "
            "JOIN listening_response r ON a.response_id = r.id WHERE r.client_id LIKE %s "
            "GROUP BY a.response_id, a.question_id HAVING count(*) > 1) d)",
            f"{tag}-%",
            f"{tag}-%",
        )
    )


def under_load(site: Site, load: Load, row: Row, tag: str, fault: Callable[[], None]) -> None:
    """Three seconds of load, the fault, then load until the site answers again."""
    with load.running(tag) as tally:
        time.sleep(3)
        fault()
        wait_for(lambda: healthy(site.base), "the site after the fault", seconds=120)
        time.sleep(3)
    row.add(tally, stored_ids(site.url, tag), duplicates(site.url, tag))


def kill_workers(site: Site) -> None:
    assert site.web is not None  # noqa: S101 - started first
    for pid in children(site.web.pid):
        os.kill(pid, signal.SIGKILL)


def kill_master(site: Site, row: Row) -> None:
    assert site.web is not None  # noqa: S101 - started first
    orphans = children(site.web.pid)
    os.kill(site.web.pid, signal.SIGKILL)
    site.web.wait()
    time.sleep(1)
    # systemd's KillMode=control-group: every process left in the unit goes with its master.
    with suppress(ProcessLookupError):
        os.killpg(site.web.pid, signal.SIGKILL)
    start = time.monotonic()
    site.start_web()
    row.notes.append(f"{len(orphans)} orphans killed, back in {time.monotonic() - start:.1f} s")


def terminate_backends(site: Site) -> None:
    with psycopg.connect(site.url, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (DRILL_DB,),
        )


def database_outage(site: Site, mode: str, row: Row) -> None:
    site.proxy.set_mode(mode)
    time.sleep(2)
    start = time.monotonic()
    try:
        with urllib.request.urlopen(f"{site.base}/healthz", timeout=30) as answer:
            status = str(answer.status)
    except urllib.error.HTTPError as error:
        status = str(error.code)
    except OSError:
        status = "no answer"
    row.notes.append(f"/healthz {status} in {time.monotonic() - start:.1f} s")
    time.sleep(4)
    site.proxy.set_mode("open")


def redis_outage(site: Site, panel: int, row: Row) -> None:
    facilitator = Facilitator(site.base)
    facilitator.sign_in()
    site.stop_redis()
    status, page = facilitator.compute(panel)
    stage = scalar(site.url, "SELECT stage FROM panels_panel WHERE process_id = %s", panel)
    told = "did not start" in page
    signed_in, _page = Facilitator(site.base).post(
        "/accounts/login/",
        {"username": FACILITATOR[0], "password": FACILITATOR[1]},
        form_page="/accounts/login/",
    )
    row.notes.append(f"Compute {status} ({stage}{', told' if told else ''}), sign-in {signed_in}")
    row.tasks += 1
    row.stuck += stage != "frozen"
    row.errors_500 += (status >= 500 and status != 503) + (signed_in >= 500 and signed_in != 503)
    site.start_redis()


def reset_panel(url: str, panel: int) -> None:
    """Back to frozen for the next round (drill set-up, not an application path)."""
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            "UPDATE panels_panel SET stage = 'frozen', lottery = '[]', probabilities = '[]', "
            "commitment = '{}', commitment_digest = '', compute_error = '', progress = 0 "
            "WHERE process_id = %s",
            (panel,),
        )


def computation_drill(site: Site, panel: int, row: Row, *, whole_worker: bool) -> None:
    """Press Compute, kill the worker (or its pool child) mid-computation, restart it, wait."""
    reset_panel(site.url, panel)
    published_before = scalar(
        site.url,
        "SELECT count(*) FROM audit_auditevent WHERE action = 'panel.lottery_published'",
    )
    facilitator = Facilitator(site.base)
    facilitator.sign_in()
    status, _page = facilitator.compute(panel)
    row.tasks += 1

    def stage() -> tuple[str, str]:
        with psycopg.connect(site.url) as connection:
            found = connection.execute(
                "SELECT stage, progress_message FROM panels_panel WHERE process_id = %s",
                (panel,),
            ).fetchone()
        return (str(found[0]), str(found[1])) if found else ("", "")

    wait_for(lambda: stage()[1].startswith("Step 3"), "the computation's third step", 120)
    assert site.worker is not None  # noqa: S101 - started first
    if whole_worker:
        os.killpg(site.worker.pid, signal.SIGKILL)
        site.worker.wait()
        site.start_worker()
    else:
        for pid in children(site.worker.pid):
            os.kill(pid, signal.SIGKILL)
    start = time.monotonic()
    with suppress(RuntimeError):
        wait_for(
            lambda: stage()[0] != "computing", "the computation's end", seconds=RECOVERY_SECONDS
        )
    final, _message = stage()
    published = scalar(
        site.url,
        "SELECT count(*) FROM audit_auditevent WHERE action = 'panel.lottery_published'",
    )
    row.stuck += final == "computing"
    row.duplicated += max(0, published - published_before - 1)
    row.lost += final == "frozen" and not scalar(
        site.url, "SELECT compute_error FROM panels_panel WHERE process_id = %s", panel
    )
    row.errors_500 += status >= 500
    row.notes.append(f"{final} {time.monotonic() - start:.0f} s after the kill")


def drills(site: Site, survey: int, panel: int, rounds: int) -> list[Row]:
    load = Load(site.base, survey)
    table: list[Row] = []

    def drill(name: str, fault: Callable[[Row], None], *, loaded: bool = True) -> None:
        row = Row(name)
        print(f"{name} ...", flush=True)
        for number in range(rounds):
            tag = f"{re.sub(r'[^a-z]', '', name.lower())[:12]}{number}"
            if loaded:
                under_load(site, load, row, tag, lambda: fault(row))
            else:
                fault(row)
                row.rounds += 1
        table.append(row)

    drill("kill -9 all gunicorn workers", lambda row: kill_workers(site))
    drill("kill -9 gunicorn master", lambda row: kill_master(site, row))
    drill("pg_terminate_backend (all)", lambda row: terminate_backends(site))
    drill("database down 6 s", lambda row: database_outage(site, "down", row))
    drill("database hung 6 s", lambda row: database_outage(site, "hung", row))
    drill(
        "database hung, /healthz alone",
        lambda row: database_outage(site, "hung", row),
        loaded=False,
    )
    drill("Redis (broker, cache) down", lambda row: redis_outage(site, panel, row))
    reset_panel(site.url, panel)
    drill(
        "kill -9 Celery pool child",
        lambda row: computation_drill(site, panel, row, whole_worker=False),
    )
    drill(
        "kill -9 whole Celery worker",
        lambda row: computation_drill(site, panel, row, whole_worker=True),
    )
    return table


# ----------------------------------------------------------------------------------- SQLite


def sqlite_drill(work: Path, seconds: int) -> Row:
    """The embedded set-up with 3 workers at 16 connections, and 20 redemptions of one link."""
    url = f"sqlite:///{work / 'embedded.sqlite3'}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "REDIS_URL": "",
        "BEHIND_PROXY": "1",  # residents on many connections, as for PostgreSQL above
    }
    subprocess.run([BIN / "cpps", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([BIN / "cpps", "demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    issued = subprocess.run(
        [PYTHON, HERE / "issue_link.py"], cwd=ROOT, env=env, check=True, capture_output=True,
        text=True,
    )  # fmt: skip
    survey, token = issued.stdout.split()
    port = free_port()
    log_path = work / "gunicorn-sqlite.log"
    server = subprocess.Popen(
        [BIN / "gunicorn", "--workers", "3", "--bind", f"127.0.0.1:{port}",
         "cpps.config.wsgi:application"],
        cwd=ROOT, env=env, stderr=log_path.open("ab"), start_new_session=True,
    )  # fmt: skip
    row = Row(f"SQLite, 3 workers, c=16, {seconds} s")
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: healthy(base), "gunicorn on SQLite")
        with Load(base, int(survey), clients=16).running("sqlite") as tally:
            time.sleep(seconds)
        row.add(tally, *sqlite_stored(work / "embedded.sqlite3"))
        redemptions = redeem_all_at_once(base, token, 20)
        row.notes.append(f"one link redeemed 20 times at once: {dict(redemptions)}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    locked = log_path.read_text(errors="replace").count("database is locked")
    row.notes.append(f'"database is locked": {locked}')
    row.errors_500 += locked
    return row


def sqlite_stored(path: Path) -> tuple[set[str], int]:
    """The drill's stored ids, and how many were stored twice."""
    import sqlite3  # noqa: PLC0415 - only the SQLite drill reads SQLite

    with sqlite3.connect(path) as connection:
        ids = [
            row[0]
            for row in connection.execute(
                "SELECT client_id FROM listening_response WHERE client_id LIKE 'sqlite-%'"
            )
        ]
    connection.close()
    return set(ids), len(ids) - len(set(ids))


def redeem_all_at_once(base: str, token: str, count: int) -> Counter[str]:
    barrier = threading.Barrier(count)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def redeem() -> None:
        browser = Facilitator(base, redirects=False)  # a resident's browser, signed in as nobody
        path = f"/take-part/{token}/"
        form = browser.form_token(path)
        barrier.wait()
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": form}).encode()
        try:
            with browser.opener.open(base + path, data=data, timeout=60) as answer:
                outcome = str(answer.status)
        except urllib.error.HTTPError as error:
            body = error.read().decode()
            outcome = str(error.code)
            if error.code == 400 and "already been used" in body:
                outcome = "400 already used"
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=redeem) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# ----------------------------------------------------------------------------------- report


def report(table: list[Row]) -> int:
    columns = ("rounds", "requests", "acknowledged", "lost", "duplicated", "500s", "503s",
               "no answer", "tasks", "stuck")  # fmt: skip
    print()
    print(f"{'fault':<36}" + "".join(f"{name:>13}" for name in columns))
    bad = 0
    for row in table:
        values = (row.rounds, row.requests, row.acknowledged, row.lost, row.duplicated,
                  row.errors_500, row.answers_503, row.no_answer, row.tasks, row.stuck)  # fmt: skip
        print(f"{row.fault:<36}" + "".join(f"{value:>13}" for value in values))
        bad += row.lost + row.duplicated + row.errors_500 + row.stuck
    print()
    for row in table:
        if row.notes:
            print(f"{row.fault}: " + "; ".join(row.notes))
    print(f"\nlost + duplicated + 500s + stuck: {bad}")
    return bad


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sqlite-seconds", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the database for inspection")
    parser.add_argument("--quick", action="store_true", help="one round of each (a smoke check)")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.sqlite_seconds = 1, 5
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if not base.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL server; the drills run on PostgreSQL.")
    print("Preparing a fresh database with the demo and a 2,000-person panel ...", flush=True)
    url = recreate_database(base)
    host = urlsplit(url)
    with tempfile.TemporaryDirectory() as work:
        site = Site(
            Path(work),
            url,
            DatabaseProxy((host.hostname or "127.0.0.1", host.port or 5432)),
            free_port(),
            free_port(),
        )
        survey = int(
            scalar(url, "SELECT id FROM processes_process WHERE kind = 'survey' AND state = 'open'"
                   " ORDER BY id LIMIT 1")
        )  # fmt: skip
        panel = int(scalar(url, "SELECT process_id FROM panels_panel WHERE stage = 'frozen'"))
        try:
            site.start_redis()
            site.start_web()
            site.start_worker()
            site.start_beat()
            table = drills(site, survey, panel, args.rounds)
        except Exception:
            # The work folder goes with the run: show what the services said before it does.
            for log in sorted(Path(work).glob("*.log")):
                print(f"--- last lines of {log.name}", file=sys.stderr)
                tail = log.read_text(errors="replace").splitlines()[-25:]
                print("\n".join(tail), file=sys.stderr)
            raise
        finally:
            site.stop_all()
        table.append(sqlite_drill(Path(work), args.sqlite_seconds))
    verified = subprocess.run(
        [BIN / "cpps", "audit", "verify"], cwd=ROOT, env={**os.environ, "DATABASE_URL": url},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    print(verified.stdout.strip().splitlines()[-1] if verified.stdout else verified.stderr)
    bad = report(table) + verified.returncode
    if not args.keep:
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {DRILL_DB} WITH (FORCE)")
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
