"""The throw-away servers the suite starts: a port another process took first costs a retry, not a run."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from ombuds_lab import servers
from tests.support import dovecot
from tests.support.ports import refused_port

needs_redis = pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server not installed")


@needs_redis
def test_redis_on_a_port_another_process_holds_names_the_collision(tmp_path: Path) -> None:
    with refused_port() as taken:
        server = servers.RedisServer(root=tmp_path, port=taken)
        try:
            with pytest.raises(servers.PortTaken, match=f"did not start on port {taken}"):
                server.start()
        finally:
            server.stop()


@needs_redis
def test_redis_s_first_start_moves_to_a_fresh_port_when_the_chosen_one_was_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with refused_port() as taken:
        ports = iter([taken])
        real = servers.RedisServer

        def chosen_then_free(root: Path) -> servers.RedisServer:
            # the first port is the one someone took between choosing and binding it
            return real(root=root, port=next(ports, None) or servers.free_port())

        monkeypatch.setattr(servers, "RedisServer", chosen_then_free)
        server = servers.start_redis(tmp_path)
        try:
            assert server.port != taken
            assert server.url.endswith(f":{server.port}/0")
        finally:
            server.stop()


def test_dovecot_on_a_port_another_process_holds_names_the_collision(tmp_path: Path) -> None:
    try:
        binary = dovecot.find_binary()
    except dovecot.DovecotUnavailable as exc:
        pytest.skip(str(exc))
    root = Path(tempfile.mkdtemp(prefix="ombuds-imap-"))  # readable by the user Dovecot runs as
    root.chmod(0o755)
    try:
        with refused_port() as taken:
            server = dovecot.DovecotServer(root=root, binary=binary, port=taken)
            with pytest.raises(servers.PortTaken, match=f"did not start on port {taken}"):
                server.start()
    finally:
        shutil.rmtree(root, ignore_errors=True)
