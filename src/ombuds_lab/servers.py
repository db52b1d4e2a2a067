"""Throw-away PostgreSQL and Redis servers, started from the Debian binaries.

The test suite and the benchmarks run on real servers, as users' installations do, without
touching any server of the machine: each is started in a temporary folder and thrown away.

PostgreSQL: ``initdb`` into a temporary folder, listening only on a unix socket inside that folder
(no port to collide with other runs), durability switched off because the data is thrown away.
One template database is migrated once; each user gets its own clone, made in milliseconds.
PostgreSQL refuses to run as root, so as root the server runs as the ``postgres`` system user.

Redis: on a free loopback port, keeping nothing on disk, so a restart loses whatever was queued,
which is what tests of a restart want.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import redis
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

TEMPLATE = "ombuds_template"

# Throw-away data: no fsync, no WAL for crash safety, small memory, no TCP listener.
SERVER_SETTINGS = {
    "listen_addresses": "''",
    "port": "5432",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_buffers": "'32MB'",
    "max_connections": "60",
    "log_min_messages": "warning",
    "logging_collector": "off",
}


class PostgresUnavailable(RuntimeError):
    """The server binaries are not installed here."""


def find_bindir() -> Path:
    """The folder holding initdb, pg_ctl and postgres, from pg_config or the Debian layout."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if found.returncode == 0 and found.stdout.strip():
            candidates.append(Path(found.stdout.strip()))
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    candidates.extend(Path(folder) for folder in debian)
    for folder in candidates:
        if all((folder / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
            return folder
    raise PostgresUnavailable(
        "PostgreSQL server binaries not found (looked at `pg_config --bindir` and "
        "/usr/lib/postgresql/*/bin); install the Debian package `postgresql` (`make test` does, as root)"
    )


def _version_key(folder: str) -> tuple[int, ...]:
    version = Path(folder).parent.name
    return tuple(int(part) for part in version.split(".") if part.isdigit())


@dataclass
class PostgresServer:
    """A running server; ``url(name)`` addresses one of its databases."""

    bindir: Path
    root: Path
    run_as: str | None
    _admin: Engine | None = None
    _version_num: int | None = None
    _names: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log_path(self) -> Path:
        return self.root / "server.log"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@/{database}?host={self.root}"

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        self._run("initdb", "-D", str(self.data_dir), "-U", "postgres", "--auth=trust",
                  "--encoding=UTF8", "--no-locale", "--no-sync")  # fmt: skip
        settings = dict(SERVER_SETTINGS, unix_socket_directories=f"'{self.root}'")
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("\n# test server\n")
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())
        # -w waits until the server accepts connections, so nothing below races its start.
        self._run("pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_path), "-w", "-t", "60", "start")
        self._admin = create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)

    def stop(self) -> None:
        if self._admin is not None:
            self._admin.dispose()
            self._admin = None
        if (self.data_dir / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "-t", "60", "stop")

    def restart(self) -> None:
        """Stop the server (connections are cut, as in a crash or an upgrade) and start it again."""
        self._run("pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_path),
                  "-m", "fast", "-w", "-t", "60", "restart")  # fmt: skip

    # --- databases ---------------------------------------------------------------------------

    def execute(self, statement: str) -> None:
        assert self._admin is not None, "server not started"
        with self._admin.connect() as connection:
            connection.execute(text(statement))

    def _version(self) -> int:
        if self._version_num is None:
            assert self._admin is not None, "server not started"
            with self._admin.connect() as connection:
                self._version_num = int(connection.execute(text("SHOW server_version_num")).scalar_one())
        return self._version_num

    def create_template(self, migrate: Callable[[Engine], None]) -> None:
        """Create and migrate the template every test database is cloned from."""
        self.execute(f"CREATE DATABASE {TEMPLATE}")
        engine = create_engine(self.url(TEMPLATE), poolclass=NullPool)
        try:
            migrate(engine)
        finally:
            engine.dispose()
        # Nobody may stay connected to a template, or cloning it fails.
        self.execute(f"ALTER DATABASE {TEMPLATE} WITH ALLOW_CONNECTIONS false IS_TEMPLATE true")

    def create_database(self) -> str:
        """A fresh clone of the migrated template; returns its name."""
        name = f"test_{os.getpid()}_{next(self._names)}"
        # FILE_COPY (PostgreSQL 15+) clones a small template about twice as fast as the default.
        strategy = " STRATEGY = FILE_COPY" if self._version() >= 150000 else ""
        self.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}{strategy}")
        return name

    def drop_database(self, name: str) -> None:
        # FORCE ends connections a test left open (a leaked session, a live server's pool).
        self.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    # --- helpers -----------------------------------------------------------------------------

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bindir / tool), *args]
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        done = subprocess.run(command, cwd=self.root, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            log = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
            raise RuntimeError(
                f"{tool} failed with exit code {done.returncode}:\n{done.stdout}\n{done.stderr}\n{log}"
            )


def start_server() -> PostgresServer:
    """Start a fresh server in a new temporary folder (the caller stops it)."""
    bindir = find_bindir()
    run_as = "postgres" if os.geteuid() == 0 else None
    # A short path: the socket's full path must stay under ~100 bytes.
    root = Path(tempfile.mkdtemp(prefix="ombuds-pg-", dir="/tmp" if Path("/tmp").is_dir() else None))
    if run_as:
        if shutil.which("runuser") is None:
            raise PostgresUnavailable("running as root needs `runuser` (util-linux) to start PostgreSQL")
        shutil.chown(root, user=run_as, group=run_as)
    server = PostgresServer(bindir=bindir, root=root, run_as=run_as)
    try:
        server.start()
    except BaseException:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
        raise
    return server


def remove_server(server: PostgresServer) -> None:
    try:
        server.stop()
    finally:
        shutil.rmtree(server.root, ignore_errors=True)


# --- Redis ---------------------------------------------------------------------------------------


class RedisUnavailable(RuntimeError):
    """redis-server is not installed here."""


#: What a server logs when another process took its port between ``free_port()`` and its bind.
ADDRESS_IN_USE = "Address already in use"
#: How many fresh ports a first start tries before it gives up.
PORT_ATTEMPTS = 5


class PortTaken(RuntimeError):
    """Another process took the port chosen for a server before the server could bind it."""


def free_port() -> int:
    """A port free now; the server binds it a moment later, so its first start retries on a collision.

    Servers that cannot be handed a listening socket (Redis, Dovecot) must choose a port up front.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class RedisServer:
    """A running server; ``url`` addresses its database 0."""

    root: Path
    port: int = field(default_factory=free_port)
    _process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def log_path(self) -> Path:
        return self.root / "redis.log"

    def start(self, timeout: float = 20.0) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RedisUnavailable(
                "redis-server not found; install the Debian package `redis-server` (`make test` does, as root)"
            )
        # No snapshots, no append-only file: the data is thrown away, and a restart starts empty.
        command = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                   "--appendonly", "no", "--dir", str(self.root), "--logfile", str(self.log_path)]  # fmt: skip
        logged = len(self._log_bytes())
        self._process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        deadline = time.monotonic() + timeout
        try:
            while True:
                try:
                    client.ping()
                    if int(client.info("server")["process_id"]) != self._process.pid:
                        # another process's Redis took the port first; this one cannot bind it
                        raise PortTaken(f"port {self.port} answers for another redis-server")
                    return
                except redis.ConnectionError:
                    if self._process.poll() is not None or time.monotonic() > deadline:
                        # this start's lines only: a restart appends to the same log
                        log = self._log_bytes()[logged:].decode(errors="replace")
                        failure = PortTaken if ADDRESS_IN_USE in log else RuntimeError
                        raise failure(f"redis-server did not start on port {self.port}:\n{log}") from None
                    time.sleep(0.05)  # the server is still binding its port
        finally:
            client.close()

    def _log_bytes(self) -> bytes:
        return self.log_path.read_bytes() if self.log_path.exists() else b""

    def stop(self) -> None:
        """Stop at once, as a crash would (SIGKILL): nothing queued survives."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait(timeout=20)
        self._process = None

    def restart(self) -> None:
        self.stop()
        self.start()


def start_redis(root: Path) -> RedisServer:
    """A running server on a fresh port: another when some process took the chosen one first."""
    for attempt in range(1, PORT_ATTEMPTS + 1):
        server = RedisServer(root=root)
        try:
            server.start()
        except PortTaken:
            server.stop()
            if attempt == PORT_ATTEMPTS:
                raise
        except BaseException:
            server.stop()
            raise
        else:
            return server
    raise AssertionError("unreachable")
