"""Is a port free to listen on? Asked before slow work, so a taken port fails in a moment.

Imports nothing of the app, so ``python -m ombuds.ports PORT`` (what ``make demo`` runs first)
answers in a few hundredths of a second, before the command line's imports.
"""

from __future__ import annotations

import socket
import sys

HOST = "127.0.0.1"
#: How far past a taken port to look for a free one to suggest.
SEARCH = 50


def is_port_free(host: str, port: int) -> bool:
    """Whether a server could listen on ``host:port`` now (the same bind uvicorn makes)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # uvicorn binds with SO_REUSEADDR, so a port in TIME_WAIT counts as free for it too
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def next_free_port(host: str, port: int) -> int | None:
    """The first free port after ``port``, or None when the next few are all taken."""
    candidates = range(port + 1, min(port + SEARCH, 65535) + 1)
    return next((candidate for candidate in candidates if is_port_free(host, candidate)), None)


def port_taken_message(port: int, host: str = HOST) -> str | None:
    """None when the demo can listen on ``port``, else what to tell the person, with a free port."""
    if is_port_free(host, port):
        return None
    free = next_free_port(host, port)
    hint = (
        f"; port {free} is free: `ombuds demo --port {free}` or `make demo PORT={free}`"
        if free is not None
        else "; choose another with --port (or PORT= for make demo)"
    )
    return f"port {port} on {host} is already in use (another demo or server?){hint}"


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not (argv[0].isascii() and argv[0].isdigit() and len(argv[0]) <= 5):
        print("usage: python -m ombuds.ports PORT", file=sys.stderr)
        return 2
    message = port_taken_message(int(argv[0]))
    if message is None:
        return 0
    print(f"error: {message}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
