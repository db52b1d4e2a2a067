"""Loopback ports held by the test for as long as it needs them, so no other process can take one.

Choosing a free port (bind port 0, read it, close) and using it later leaves a moment in which
another process on a busy machine can take it; these keep the socket open instead.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

HOST = "127.0.0.1"


@contextmanager
def refused_port() -> Iterator[int]:
    """A port where connections are refused, as at a server that is down, for the block's length.

    The socket is bound but never listens: Linux refuses connections to it, and while it stays
    bound no other process can listen there.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as held:
        held.bind((HOST, 0))
        yield int(held.getsockname()[1])


@contextmanager
def listening_socket() -> Iterator[socket.socket]:
    """A socket listening on a port the kernel picked, to hand to a server (``ombuds serve --fd``).

    ``subprocess.Popen(pass_fds=[sock.fileno()])`` gives it to a child; the test keeps it open, so
    the port stays the same across a server's restart and connections made while no server runs
    wait in the backlog.
    """
    with socket.create_server((HOST, 0), backlog=128) as sock:
        yield sock
