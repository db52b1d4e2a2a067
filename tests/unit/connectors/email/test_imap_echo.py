"""A mail server that repeats what it was sent in its refusal never puts the password in an error,
however short the password is."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ombuds.connectors.base import FetchFailed
from ombuds.connectors.email.config import EmailConfig, TlsMode
from ombuds.connectors.email.imap import ImapFetcher


class _EchoingImap(socketserver.StreamRequestHandler):
    """Just enough IMAP to refuse a sign-in by quoting the command it was given."""

    def handle(self) -> None:
        self.wfile.write(b"* OK echoing server ready\r\n")
        for line in self.rfile:
            tag, _, command = line.decode().rstrip("\r\n").partition(" ")
            if command.upper().startswith("CAPABILITY"):
                self.wfile.write(f"* CAPABILITY IMAP4rev1\r\n{tag} OK done\r\n".encode())
            elif command.upper().startswith("LOGOUT"):
                self.wfile.write(f"* BYE\r\n{tag} OK bye\r\n".encode())
                return
            else:
                self.wfile.write(f"{tag} NO [AUTHENTICATIONFAILED] refused: {command}\r\n".encode())


@pytest.fixture
def echoing_port() -> Iterator[int]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _EchoingImap)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("password", ["x7", "pw9", "a-longer-app-password"])
def test_a_refusal_that_quotes_the_sign_in_never_shows_the_password(
    echoing_port: int, password: str, tmp_path: Path
) -> None:
    config = EmailConfig(
        host="127.0.0.1", port=echoing_port, username="care@acme.example", password=password, tls=TlsMode.NONE
    )
    fetcher = ImapFetcher(config, timeout=5, attachments_dir=tmp_path)
    with pytest.raises(FetchFailed) as failed:
        fetcher.fetch(None)
    message = str(failed.value)
    assert "refused the sign-in of 'care@acme.example'" in message
    assert password not in message.replace("care@acme.example", "")
