"""A throw-away Dovecot IMAP server for the test session, from Debian's ``dovecot-imapd``.

The email connector's tests read a real mailbox, as users' installations do: a private Dovecot with
its own configuration in a temporary folder, one passwd-file user with a maildir, on a free
loopback port (IMAPS on a second one, with a self-signed certificate the tests trust) and nothing shared with a Dovecot the machine may run.
Tests put mail in with IMAP APPEND, as a mail server delivering it would, each into a folder of its
own, so the session's one server serves every test.

One server per test process (``shared_server``): the session's fixture and the connector contract's
scenario use the same one, and it stops when the process ends.

Dovecot's mail processes never run as root: as root, the server drops to the ``dovecot`` user
(which the package creates) and the folder belongs to that user; as anyone else, everything runs
as that user.
"""

from __future__ import annotations

import atexit
import grp
import imaplib
import ipaddress
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ombuds_lab.servers import ADDRESS_IN_USE, PORT_ATTEMPTS, PortTaken, free_port

USER = "care@skyways.test"
PASSWORD = "imap-pass-never-shown-3F"


class DovecotUnavailable(RuntimeError):
    """dovecot is not installed here."""


def find_binary() -> str:
    found = shutil.which("dovecot") or next(
        (path for path in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if Path(path).is_file()), None
    )
    if found is None:
        raise DovecotUnavailable(
            "dovecot not found; install the Debian package `dovecot-imapd` (`make test` does, as root)"
        )
    return found


@dataclass
class DovecotServer:
    root: Path
    binary: str
    port: int = field(default_factory=free_port)
    tls_port: int = field(default_factory=free_port)
    user: str = USER
    password: str = PASSWORD
    _process: subprocess.Popen[bytes] | None = None

    @property
    def log_path(self) -> Path:
        return self.root / "dovecot.log"

    @property
    def certificate(self) -> Path:
        """The server's self-signed certificate: a client that trusts it can use IMAPS or STARTTLS."""
        return self.root / "cert.pem"

    def start(self, timeout: float = 20.0) -> None:
        system_user = "dovecot" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
        account = pwd.getpwnam(system_user)
        for folder in ("run", "state", "mail"):
            (self.root / folder).mkdir(mode=0o755, exist_ok=True)  # run/ must be world-readable
        # passwd-file: user:{scheme}password:uid:gid:gecos:home:shell
        (self.root / "users").write_text(
            f"{self.user}:{{PLAIN}}{self.password}:{account.pw_uid}:{account.pw_gid}::{self.root / 'mail'}::\n"
        )
        (self.root / "dovecot.conf").write_text(self._config(system_user, account.pw_uid))
        self_signed(self.certificate, self.root / "key.pem")
        if os.geteuid() == 0:
            for path in (self.root, self.root / "mail", self.root / "state"):
                shutil.chown(path, user=system_user, group=account.pw_gid)
        # -F: in the foreground, so the test session owns the process and its end.
        self._process = subprocess.Popen(
            [self.binary, "-F", "-c", str(self.root / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + timeout
        while True:
            try:
                with imaplib.IMAP4("127.0.0.1", self.port, timeout=2) as imap:
                    if self.root.name not in imap.welcome.decode(errors="replace"):
                        # another process's IMAP server took the port; this one cannot bind it
                        self.stop()
                        raise PortTaken(f"port {self.port} answers for another IMAP server: {imap.welcome!r}")
                    imap.login(self.user, self.password)
                    return
            except (OSError, imaplib.IMAP4.error):
                if self._process.poll() is not None or time.monotonic() > deadline:
                    log = self._log()
                    self.stop()
                    failure = PortTaken if ADDRESS_IN_USE in log else RuntimeError
                    raise failure(f"dovecot did not start on port {self.port}:\n{log}") from None
                time.sleep(0.05)  # the server is still binding its port

    def _config(self, system_user: str, uid: int) -> str:
        root = self.root
        return f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
instance_name = ombuds-test-{self.port}
# tells this server from another test process's that took the port first
login_greeting = Ombuds test IMAP {root.name} ready.
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
# a test of a wrong password must not slow the next tests' sign-ins down (nor does anvil's penalty)
auth_failure_delay = 0
default_internal_user = {system_user}
default_internal_group = {grp.getgrgid(pwd.getpwnam(system_user).pw_gid).gr_name}
default_login_user = {system_user}
first_valid_uid = {uid}
last_valid_uid = {uid}
mail_location = maildir:{root}/mail/Maildir
mail_privileged_group =
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/users
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.tls_port}
  }}
  chroot =
}}
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""

    def _log(self) -> str:
        log = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        if (
            self._process is not None
            and self._process.stderr is not None
            and self._process.poll() is not None
        ):
            log += self._process.stderr.read().decode(errors="replace")
        return log

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=20)
        if self._process is not None and self._process.stderr is not None:
            self._process.stderr.close()
        self._process = None

    # --- what a test does with the mailbox -------------------------------------------------------

    def connect(self) -> imaplib.IMAP4:
        imap = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        imap.login(self.user, self.password)
        return imap

    def create_folder(self, name: str) -> None:
        with self.connect() as imap:
            status, answer = imap.create(f'"{name}"')
            assert status == "OK", answer

    def delete_folder(self, name: str) -> None:
        with self.connect() as imap:
            status, answer = imap.delete(f'"{name}"')
            assert status == "OK", answer

    def deliver(self, folder: str, message: bytes) -> None:
        """Put one message in the folder, as a mail server delivering it would."""
        with self.connect() as imap:
            status, answer = imap.append(f'"{folder}"', None, None, message)
            assert status == "OK", answer


def self_signed(certificate: Path, key: Path) -> None:
    """A certificate for 127.0.0.1 that only tests trust (an EC key: made in a millisecond)."""
    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    signed = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(private, hashes.SHA256())
    )
    certificate.write_bytes(signed.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    key.chmod(0o600)


def start_server() -> DovecotServer:
    """Start a fresh server in a new temporary folder (the caller stops it and removes the folder)."""
    binary = find_binary()
    for attempt in range(1, PORT_ATTEMPTS + 1):
        # Not pytest's tmp folder: that one is private to its owner, and Dovecot runs as another user.
        root = Path(tempfile.mkdtemp(prefix="ombuds-imap-"))
        root.chmod(0o755)
        server = DovecotServer(root=root, binary=binary)  # on fresh ports
        try:
            server.start()
        except PortTaken:
            shutil.rmtree(root, ignore_errors=True)
            if attempt == PORT_ATTEMPTS:
                raise
        except BaseException:
            shutil.rmtree(root, ignore_errors=True)
            raise
        else:
            return server
    raise AssertionError("unreachable")


def remove_server(server: DovecotServer) -> None:
    try:
        server.stop()
    finally:
        shutil.rmtree(server.root, ignore_errors=True)


_shared: list[DovecotServer] = []


def shared_server() -> DovecotServer:
    """This process's server, started on first use and stopped when the test session ends
    (``stop_shared``) or, failing that, when the process ends."""
    if not _shared:
        server = start_server()
        atexit.register(remove_server, server)
        _shared.append(server)
    return _shared[0]


def stop_shared() -> None:
    """Stop this process's server if it started one. A pytest-xdist worker leaves by ``os._exit``,
    which runs no ``atexit`` handler: each run of the suite left a Dovecot behind."""
    while _shared:
        remove_server(_shared.pop())


class ImapFront:
    """A loopback port in front of the IMAP server: each connection is passed through, except the
    ones ``throttle_next`` asks for, which it answers itself as a provider throttling an account does
    (Gmail's ``NO [THROTTLED]`` to the sign-in). Dovecot has no such answer to give on demand."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._throttles: list[int] = []
        self._lock = threading.Lock()
        self._accepting = threading.Thread(target=self._serve, name="imap-front", daemon=True)

    def throttle_next(self, seconds: int) -> None:
        with self._lock:
            self._throttles.append(seconds)

    def __enter__(self) -> ImapFront:
        self._accepting.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        with suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept below
        self._listener.close()
        self._accepting.join(timeout=10)

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                seconds = self._throttles.pop(0) if self._throttles else None
            if seconds is None:
                threading.Thread(target=self._relay, args=(client,), daemon=True).start()
            else:
                threading.Thread(target=self._throttled, args=(client, seconds), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        with client, socket.create_connection(("127.0.0.1", self.target_port), timeout=10) as upstream:
            back = threading.Thread(target=_pump, args=(upstream, client), daemon=True)
            back.start()
            _pump(client, upstream)
            back.join(timeout=10)

    @staticmethod
    def _throttled(client: socket.socket, seconds: int) -> None:
        with client, client.makefile("rb") as lines:
            client.sendall(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n")
            for line in lines:
                tag, _, rest = line.decode(errors="replace").partition(" ")
                command = rest.split(" ", 1)[0].strip().upper()
                if command == "CAPABILITY":
                    client.sendall(f"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n{tag} OK done\r\n".encode())
                elif command == "LOGIN":
                    answer = f"{tag} NO [THROTTLED] Too many logins; try again in {seconds} seconds\r\n"
                    client.sendall(answer.encode())
                elif command == "LOGOUT":
                    client.sendall(f"* BYE\r\n{tag} OK\r\n".encode())
                    return
                else:
                    client.sendall(f"{tag} BAD not now\r\n".encode())


def _pump(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass  # the other side closed first
    finally:
        with suppress(OSError):
            target.shutdown(socket.SHUT_WR)
