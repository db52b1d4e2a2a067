"""A throw-away Redis server for the test session, started from the Debian ``redis-server``.

The distributed runner's tests talk to a real Redis, as users' workers do: one server per test
process (each xdist worker starts its own), on a free loopback port, keeping nothing on disk, so a
restart loses whatever was queued, which is what the tests of a restart want.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis


class RedisUnavailable(RuntimeError):
    """redis-server is not installed here."""


def free_port() -> int:
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
        self._process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        deadline = time.monotonic() + timeout
        try:
            while True:
                try:
                    client.ping()
                    return
                except redis.ConnectionError:
                    if self._process.poll() is not None or time.monotonic() > deadline:
                        log = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
                        raise RuntimeError(
                            f"redis-server did not start on port {self.port}:\n{log}"
                        ) from None
                    time.sleep(0.05)  # the server is still binding its port
        finally:
            client.close()

    def stop(self) -> None:
        """Stop at once, as a crash would (SIGKILL): nothing queued survives."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait(timeout=20)
        self._process = None

    def restart(self) -> None:
        self.stop()
        self.start()


def start_server(root: Path) -> RedisServer:
    server = RedisServer(root=root)
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    return server
