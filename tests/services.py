"""Real servers and real ``folio`` processes for the queue tests (registered in conftest.py).

Everything runs for real on free ports in temporary folders: ``redis-server``
(AOF on), PostgreSQL (``initdb`` + ``pg_ctl`` as the ``postgres`` user, since
it refuses to run as root), ``folio worker`` / ``folio beat`` / ``folio serve``
subprocesses in their own process groups. Every process is killed by the
fixture's finalizer. The test reads the service's database with plain SQL
(``read_ledger``; pytest-django owns this process's Django database).

Fixtures:
  ``sample_scans``   the bundled sample batch rendered once per session (clean300)
  ``run_baseline``   ``folio run`` on two of those files: the records a worker must equal
  ``postgres``       one PostgreSQL server per session; ``postgres.database()`` a fresh database URL
  ``make_service``   ``make_service(db="sqlite"|"postgresql")`` -> a Service (FOLIO_HOME, Redis, database)
"""
from __future__ import annotations

import glob
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timezone as dt_timezone
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FAULTS = ROOT / "tests" / "faults"
CATALOG = ROOT / "samples" / "data" / "catalog.csv"
SAMPLE_SEED = 5
BASELINE_FILES = ("scan-03.png", "scan-04.jpg")
SETTLE_TIMEOUT = 600  # a safety net only: the tests assert states, never durations


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Proc:
    """A child in its own process group, its output in a log file."""

    def __init__(self, args: list[str], env: dict, log: Path, cwd: Path = ROOT):
        self.log = log
        self._fh = open(log, "ab")
        self.popen = subprocess.Popen(args, env=env, cwd=cwd, stdout=self._fh, stderr=subprocess.STDOUT,
                                      start_new_session=True)
        self.pid = self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def children(self) -> list[int]:
        """Direct children (a Celery worker's pool processes)."""
        kids = []
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                fields = Path(stat).read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == self.pid:
                kids.append(int(Path(stat).parent.name))
        return kids

    def stop(self, sig=signal.SIGKILL, timeout: float = 20) -> None:
        try:
            os.killpg(self.pid, sig)
        except ProcessLookupError:
            pass
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.pid, signal.SIGKILL)
            self.popen.wait(10)
        self._fh.close()

    def tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


class RedisServer:
    """redis-server on a free port with AOF (``appendfsync always``) in its own folder."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: Proc | None = None
        self.start()

    def start(self) -> None:
        exe = shutil.which("redis-server")
        if not exe:
            pytest.fail("redis-server is not installed: run scripts/setup.sh (it installs Debian's redis-server)")
        args = [exe, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
                "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--protected-mode", "no"]
        self.proc = Proc(args, dict(os.environ), self.folder / "redis.log")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if self.client().ping():
                    return
            except Exception:  # noqa: BLE001 - not listening yet
                time.sleep(0.1)
        raise RuntimeError(f"redis-server did not start:\n{self.proc.tail()}")

    def client(self):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)

    def restart(self) -> None:
        """A clean stop (SIGTERM: the AOF is flushed) and a start on the same port and folder."""
        self.proc.stop(signal.SIGTERM)
        self.start()

    def stop(self) -> None:
        if self.proc:
            self.proc.stop(signal.SIGKILL)


class PostgresServer:
    """A throw-away PostgreSQL cluster (initdb into a temp folder owned by ``postgres``)."""

    def __init__(self):
        bindir = self._bindir()
        self.pg_ctl, self.initdb = str(Path(bindir) / "pg_ctl"), str(Path(bindir) / "initdb")
        self.folder = Path(tempfile.mkdtemp(prefix="folio-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.user = "postgres"
        self._as_user = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            pw = pwd.getpwnam("postgres")
            os.chown(self.folder, pw.pw_uid, pw.pw_gid)
            self._as_user = ["runuser", "-u", "postgres", "--"]
        self._run([self.initdb, "-D", str(self.data), "-A", "trust", "-U", self.user, "--no-sync",
                   "-E", "UTF8", "--locale=C"])
        opts = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60"
        self._run([self.pg_ctl, "-D", str(self.data), "-o", opts, "-l", str(self.folder / "pg.log"), "-w",
                   "-t", "60", "start"])
        self._n = 0

    @staticmethod
    def _bindir() -> str:
        found = shutil.which("pg_ctl")
        if found:
            return str(Path(found).resolve().parent)
        candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                            key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
        if not candidates:
            pytest.fail("the PostgreSQL server is not installed (no pg_ctl): run scripts/setup.sh, which installs "
                        "Debian's postgresql; the queue's integration test runs on a real server")
        return str(Path(candidates[-1]).parent)

    def _run(self, args: list[str]) -> None:
        done = subprocess.run(self._as_user + args, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")

    def database(self) -> str:
        """A new empty database; its URL."""
        import psycopg

        self._n += 1
        name = f"folio_test_{self._n}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={self.user} dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        subprocess.run(self._as_user + [self.pg_ctl, "-D", str(self.data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(self.folder, ignore_errors=True)


class Service:
    """One Folio installation: a FOLIO_HOME, a Redis, a database, and the processes started on them."""

    def __init__(self, home: Path, redis: RedisServer, database_url: str | None = None, **env: str):
        self.home, self.redis = home, redis
        home.mkdir(parents=True, exist_ok=True)
        self.env = {**os.environ, "FOLIO_HOME": str(home), "REDIS_URL": redis.url, "FOLIO_QUEUE": "celery",
                    "OMP_THREAD_LIMIT": "1", "DJANGO_SETTINGS_MODULE": "folio.settings",
                    "FOLIO_SWEEP_SECONDS": "2", "FOLIO_SWEEP_GRACE_SECONDS": "4", "FOLIO_RETRY_BACKOFF": "1",
                    "PYTHONUNBUFFERED": "1"}
        self.env.pop("DATABASE_URL", None)
        if database_url:
            self.env["DATABASE_URL"] = database_url
        self.env.update(env)
        self.procs: list[Proc] = []
        self.folio("catalog", "import", CATALOG)

    def folio(self, *args, check: bool = True, timeout: float = 300, env: dict | None = None):
        done = subprocess.run([sys.executable, "-m", "folio.cli", *map(str, args)], cwd=ROOT,
                              env={**self.env, **(env or {})}, capture_output=True, text=True, timeout=timeout)
        if check and done.returncode != 0:
            raise AssertionError(f"folio {' '.join(map(str, args))} exited {done.returncode}:\n"
                                 f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        return done

    def _start(self, name: str, args: list, env: dict | None) -> Proc:
        proc = Proc([sys.executable, "-m", "folio.cli", *map(str, args)], {**self.env, **(env or {})},
                    self.home / f"{name}-{len(self.procs)}.log")
        self.procs.append(proc)
        return proc

    def worker(self, concurrency: int = 1, *, faults: dict | None = None, queues: str | None = None) -> Proc:
        env = None
        if faults:
            env = {**faults, "PYTHONPATH": os.pathsep.join(filter(None, [str(FAULTS), os.environ.get("PYTHONPATH")]))}
        args = ["worker", "--concurrency", concurrency] + (["--queues", queues] if queues else [])
        return self._start("worker", args, env)

    def beat(self) -> Proc:
        return self._start("beat", ["beat"], None)

    def serve(self) -> str:
        port = free_port()
        proc = self._start("serve", ["serve", "--port", port], None)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return base
            except OSError:
                if not proc.alive():
                    break
                time.sleep(0.2)
        raise RuntimeError(f"folio serve did not start:\n{proc.tail()}")

    def probe(self) -> dict:
        """The service's ledger, read with plain SQL (cheap enough to poll every second)."""
        return read_ledger(self.env.get("DATABASE_URL") or f"sqlite:///{self.home / 'folio.sqlite3'}")

    def wait_for(self, predicate, what: str, timeout: float = SETTLE_TIMEOUT) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            state = self.probe()
            if predicate(state):
                return state
            if time.monotonic() > deadline:
                logs = "\n".join(f"--- {p.log.name}\n{p.tail(30)}" for p in self.procs)
                raise AssertionError(f"gave up waiting for {what}; pages: {state['pages']}\n{logs}")
            time.sleep(1.0)

    def wait_settled(self, timeout: float = SETTLE_TIMEOUT) -> dict:
        """Until no page is queued or running."""
        return self.wait_for(lambda s: s["pages"] and all(p["state"] not in ("queued", "running")
                                                           for p in s["pages"]), "every page to settle", timeout)

    def close(self) -> None:
        for proc in reversed(self.procs):
            proc.stop()


PAGES_SQL = """
SELECT p.id, d.batch_id, d.name, p.number, d.sha256, p.state, p.priority, p.attempts, p.crashes, p.error_code,
       p.error, p.claimed_by, p.updated_at, p.cpu_seconds, p.enqueued_at, r.id,
       r.report_type, r.ejercicio, r.trimestre, r.ramo_code, r.unidad_code
FROM ingest_page p JOIN ingest_document d ON d.id = p.document_id LEFT JOIN records_report r ON r.page_id = p.id
ORDER BY p.id"""
PAGE_KEYS = ("id", "batch", "file", "number", "sha256", "state", "priority", "attempts", "crashes", "error_code",
             "error", "claimed_by", "updated_at", "cpu_seconds", "enqueued_at", "report")
KEY_FIELDS = ("report_type", "ejercicio", "trimestre", "ramo_code", "unidad_code")  # records/rescans.py
RECORDS_SQL = """
SELECT d.sha256, p.number, COUNT(r.id) FROM records_report r JOIN ingest_page p ON p.id = r.page_id
JOIN ingest_document d ON d.id = p.document_id GROUP BY d.sha256, p.number"""
DOCUMENTS_SQL = """
SELECT d.id, d.batch_id, d.name, d.sha256, d.duplicate_of_id,
       (SELECT COUNT(*) FROM ingest_page p WHERE p.document_id = d.id) FROM ingest_document d ORDER BY d.id"""
RESCANS_SQL = "SELECT id, page_id, rescan_of_id FROM records_report WHERE rescan_of_id IS NOT NULL"


def _when(value) -> str | None:
    """Timestamps as ISO text, whether SQLite (text, UTC) or PostgreSQL (aware datetime) gave them."""
    if value is None or isinstance(value, str):
        return value.replace(" ", "T") if value else value
    return value.astimezone(dt_timezone.utc).replace(tzinfo=None).isoformat()


def read_ledger(url: str) -> dict:
    """Pages (state, attempts, crashes, error, claim, record), records per (sha256, page), documents, re-scans."""
    if url.startswith("sqlite:///"):
        import sqlite3

        conn = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30)
    else:
        import psycopg

        conn = psycopg.connect(url)
    try:
        cur = conn.cursor()
        pages = []
        for row in cur.execute(PAGES_SQL).fetchall():
            page = dict(zip(PAGE_KEYS, row))
            page["key"] = dict(zip(KEY_FIELDS, row[len(PAGE_KEYS):])) if page["report"] else None
            page["updated_at"], page["enqueued_at"] = _when(page["updated_at"]), _when(page["enqueued_at"])
            page["has_record"] = page["report"] is not None
            pages.append(page)
        return {
            "pages": pages,
            "records": [{"sha256": r[0], "page": r[1], "n": r[2]} for r in cur.execute(RECORDS_SQL).fetchall()],
            "documents": [dict(zip(("id", "batch", "file", "sha256", "duplicate_of", "pages"), r))
                          for r in cur.execute(DOCUMENTS_SQL).fetchall()],
            "rescans": [dict(zip(("report", "page", "rescan_of"), r)) for r in cur.execute(RESCANS_SQL).fetchall()],
        }
    finally:
        conn.close()


def ledger(state: dict, batches=None) -> dict:
    """Every submitted page done, failed with a reason, poison, or set aside with one; lost 0; duplicate records 0."""
    pages = [p for p in state["pages"] if batches is None or p["batch"] in batches]
    done = [p for p in pages if p["state"] == "done" and p["has_record"]]
    failed = [p for p in pages if p["state"] == "failed" and p["error"]]
    poison = [p for p in pages if p["state"] == "poison" and p["error"]]
    aside = [p for p in pages if p["state"] == "skipped" and p["error"]]  # read: not a report page
    return {
        "submitted": len(pages), "done": len(done), "failed": len(failed), "poison": len(poison),
        **({"skipped": len(aside)} if aside else {}),
        "lost": len(pages) - len(done) - len(failed) - len(poison) - len(aside),
        "duplicate_records": sum(r["n"] - 1 for r in state["records"]),
        "attempts": sum(p["attempts"] for p in pages), "crashes": sum(p["crashes"] for p in pages),
    }


def normalise(record: dict) -> dict:
    """A record without what differs between two runs of the same page (batch context only)."""
    record = json.loads(json.dumps(record))
    record.get("review", {}).pop("rescan_of", None)
    return record


def differences(got, want, path: str = "") -> list[str]:
    """Where two records differ (paths), to say what a failed equality is about."""
    if isinstance(got, dict) and isinstance(want, dict):
        return [d for k in sorted(set(got) | set(want), key=str)
                for d in differences(got.get(k), want.get(k), f"{path}.{k}" if path else str(k))]
    if isinstance(got, list) and isinstance(want, list) and len(got) == len(want):
        return [d for i, (g, w) in enumerate(zip(got, want)) for d in differences(g, w, f"{path}[{i}]")]
    return [] if got == want else [f"{path}: {got!r} != {want!r}"[:200]]


def same_records(got: dict, want: dict) -> str:
    """'' when equal, else the differing records and fields (first 20)."""
    if set(got) != set(want):
        return f"pages differ: {sorted(got)} != {sorted(want)}"
    diffs = [f"{k[0]} p.{k[1]} {d}" for k in sorted(got) for d in differences(got[k], want[k])]
    return "\n".join(diffs[:20])


def jsonl(text: str) -> dict:
    out = {}
    for line in text.splitlines():
        if line.strip():
            rec = json.loads(line)
            out[(rec["source"]["file"], rec["source"]["page"])] = normalise(rec)
    return out


@pytest.fixture(scope="session")
def sample_scans(tmp_path_factory) -> Path:
    from samples.generate import render_batch

    folder = tmp_path_factory.mktemp("queue-samples")
    render_batch(folder, "clean300", SAMPLE_SEED)
    return folder


@pytest.fixture(scope="session")
def run_baseline(sample_scans, tmp_path_factory) -> dict:
    """Records of ``folio run`` (in-process) on the baseline files: what the workers must equal."""
    home = tmp_path_factory.mktemp("queue-baseline")
    out = home / "export.jsonl"
    env = {**os.environ, "FOLIO_HOME": str(home), "OMP_THREAD_LIMIT": "1"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "folio.cli", "run", *[sample_scans / f for f in BASELINE_FILES],
                           "--catalog", CATALOG, "--export", out], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return jsonl(out.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def postgres():
    server = PostgresServer()
    yield server
    server.stop()


@pytest.fixture
def make_service(tmp_path, request):
    def make(db: str = "sqlite", **env) -> Service:
        redis = RedisServer(tmp_path / f"redis-{len(redises)}")
        redises.append(redis)
        url = request.getfixturevalue("postgres").database() if db == "postgresql" else None
        service = Service(tmp_path / f"home-{len(services)}", redis, url, **env)
        services.append(service)
        return service

    services: list[Service] = []
    redises: list[RedisServer] = []
    yield make
    for service in services:
        service.close()
    for redis in redises:
        redis.stop()
