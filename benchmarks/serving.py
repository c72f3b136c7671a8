"""What the load benchmarks share: a fresh migrated PostgreSQL database, gunicorn serving the
project on it, wrk driving it at a fixed concurrency (p50 / p95 / p99, throughput), the table of
rates against a ceiling, and the reconciliation of what clients were told with what is stored.

The ceiling every load benchmark measures in the same run is `load/bare.lua`: a bare Django view
(`load/bench_urls.py`) inserting one row per request, through the same gunicorn, at the same
concurrency. Whatever a real endpoint costs above that is the project's own work.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parents[1]
LOAD_FILES = Path(__file__).resolve().parent / "load"
PYTHON = Path(sys.executable)
GUNICORN = PYTHON.parent / "gunicorn"
CONNECTIONS = 16
DEFAULT_BASE = "postgres://postgres@127.0.0.1:5432/postgres"


def admin_url() -> str:
    """The PostgreSQL server to create benchmark databases on (DATABASE_URL names it)."""
    base = os.environ.get("DATABASE_URL", DEFAULT_BASE)
    if not base.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL server; this benchmark measures PostgreSQL.")
    return base


def require_wrk() -> None:
    if not shutil.which("wrk"):
        sys.exit("Install wrk first (apt-get install -y wrk).")


def database_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def project_env(url: str, **extra: str) -> dict[str, str]:
    """The environment of a project process on ``url``: this checkout first on the path (the
    shared virtualenv's editable install may point at another checkout)."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "DATABASE_URL": url, "PYTHONPATH": path, **extra}


def manage(url: str, *arguments: str, quiet: bool = True) -> None:
    subprocess.run(
        [PYTHON, "manage.py", *arguments],
        cwd=ROOT,
        env=project_env(url),
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def recreate_database(base: str, name: str, *, demo: bool = True) -> str:
    """Drop and create database ``name``, migrate it, load the demo, and add the ceiling's
    table (``bench_insert``); return its URL."""
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")
    url = database_url(base, name)
    manage(url, "migrate", "-v0")
    if demo:
        manage(url, "demo")
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            "CREATE TABLE bench_insert (id bigserial PRIMARY KEY, client_id text UNIQUE NOT NULL)"
        )
    return url


def drop_database(base: str, name: str) -> None:
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def machine_load() -> str:
    """The load averages (1, 5, 15 minutes) against the cores: the machine is shared."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


@dataclass(frozen=True)
class Server:
    port: int
    process: subprocess.Popen[bytes]

    def address(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@contextmanager
def gunicorn(
    url: str,
    *,
    workers: int,
    extra_paths: Sequence[Path] = (),
    env: Mapping[str, str] | None = None,
) -> Iterator[Server]:
    """gunicorn (sync workers, 127.0.0.1, a free port) serving the project with the benchmark
    settings on ``url``; stopped gracefully on leaving, so requests in flight finish first."""
    port = free_port()
    paths = ",".join(str(p) for p in (ROOT, LOAD_FILES, *extra_paths))
    process = subprocess.Popen(
        [
            GUNICORN,
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--pythonpath",
            paths,
            "--log-level",
            "warning",
            "cpps.config.wsgi:application",
        ],
        cwd=ROOT,
        env=project_env(
            url,
            DJANGO_SETTINGS_MODULE="bench_settings",
            DATABASE_CONN_MAX_AGE="600",
            ALLOWED_HOSTS="127.0.0.1",
            **(env or {}),
        ),
        start_new_session=True,
    )
    server = Server(port, process)
    try:
        _wait_healthy(server)
        yield server
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)


def _wait_healthy(server: Server) -> None:
    deadline = time.monotonic() + 180  # a busy machine imports slowly
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.process.returncode}")
        try:
            with urllib.request.urlopen(server.address("/healthz"), timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("gunicorn did not start within 180 seconds")


def wrk(
    script: Path,
    server: Server,
    seconds: int,
    connections: int,
    env: Mapping[str, str],
    *,
    tag: str = "",
) -> subprocess.Popen[str]:
    """Start wrk with ``script`` (one thread per connection, so each connection's requests are
    in order); read its numbers with `wrk_summary`."""
    return subprocess.Popen(
        [
            "wrk",
            "-t",
            str(connections),
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            server.address(),
        ],
        env={**os.environ, **env, "BENCH_LOAD_DIR": str(LOAD_FILES), "BENCH_RUN_TAG": tag},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wrk_summary(process: subprocess.Popen[str]) -> dict[str, Any]:
    """The JSON line `load/common.lua` prints when wrk is done."""
    _out, err = process.communicate()
    lines = [line for line in err.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"wrk printed no summary (exit {process.returncode}): {err[-500:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def run_wrk(
    script: Path,
    server: Server,
    seconds: int,
    env: Mapping[str, str],
    *,
    connections: int = CONNECTIONS,
    tag: str = "",
) -> dict[str, Any]:
    return wrk_summary(wrk(script, server, seconds, connections, env, tag=tag))


def ceiling(server: Server, seconds: int, env: Mapping[str, str]) -> dict[str, Any]:
    """The bare insert at `CONNECTIONS` (see the module's docstring)."""
    return run_wrk(LOAD_FILES / "bare.lua", server, seconds, env, tag="ceiling")


def rate(measured: Mapping[str, Any]) -> float:
    return float(measured["ok"]) / float(measured["seconds"])


def print_rates(bare: Mapping[str, Any], rows: Sequence[tuple[str, Mapping[str, Any]]]) -> None:
    """One line per run: acknowledged requests per second, their share of the ceiling, the
    latency percentiles and the errors (non-2xx answers and socket errors)."""
    top = rate(bare)
    print()
    print(
        f"{'run':<46}{'req/s':>9}{'of ceiling':>11}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'errors':>8}"
    )
    for name, measured in [(f"bare insert (ceiling), c={CONNECTIONS}", bare), *rows]:
        errors = measured["bad"] + measured["socket_errors"]
        print(
            f"{name:<46}{rate(measured):>9.0f}{rate(measured) / top:>11.0%}"
            f"{measured['p50_ms']:>9.1f}{measured['p95_ms']:>9.1f}{measured['p99_ms']:>9.1f}"
            f"{errors:>8}"
        )


def target_line(
    what: str, measured: Mapping[str, Any], bare: Mapping[str, Any], *, share: float = 0.5
) -> bool:
    """Print whether ``measured`` reached ``share`` of the ceiling with p95 under 100 ms."""
    ratio = rate(measured) / rate(bare)
    met = ratio >= share and measured["p95_ms"] < 100
    print(
        f"target ({what} >= {share:.0%} of the ceiling, p95 < 100 ms at c={CONNECTIONS}): "
        f"{ratio:.0%}, p95 {measured['p95_ms']:.1f} ms: " + ("met" if met else "NOT met")
    )
    return met


def reconciled(acknowledged: int, stored: int, duplicated: int) -> dict[str, int]:
    """What clients were told against what the database holds. Requests still in flight when
    wrk stops are stored but never acknowledged: counted apart, not as errors."""
    return {
        "acknowledged": acknowledged,
        "stored": stored,
        "lost": max(0, acknowledged - stored),
        "in_flight_at_stop": max(0, stored - acknowledged),
        "duplicated": duplicated,
    }
