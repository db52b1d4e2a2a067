"""The IMAP fetcher against a real Dovecot: batches and cursors, a rebuilt folder, oversized mail,
wrong passwords and a server that never answers. No database: the fetcher never touches one."""

from __future__ import annotations

import socket
import ssl
import time
import uuid
from pathlib import Path

import pytest

from ombuds.connectors.base import Cursor, FetchFailed
from ombuds.connectors.email import EmailConfig, ImapFetcher
from tests.integration.connectors.scenarios.email import customer_email
from tests.support import dovecot


def fetcher(server: dovecot.DovecotServer, folder: str, tmp_path: Path, **config: object) -> ImapFetcher:
    settings = EmailConfig.model_validate(
        {
            "host": "127.0.0.1",
            "port": server.port,
            "username": server.user,
            "password": server.password,
            "folder": folder,
            "tls": "none",
            **config,
        }
    )
    return ImapFetcher(settings, timeout=5, attachments_dir=tmp_path / "attachments")


def new_folder(server: dovecot.DovecotServer) -> str:
    folder = f"fetch-{uuid.uuid4().hex[:10]}"
    server.create_folder(folder)
    return folder


def deliver(server: dovecot.DovecotServer, folder: str, number: int, *, text: str = "") -> str:
    message_id = f"<m{number}.{folder}@mail.example.com>"
    message = customer_email(
        sender=f"customer{number}@example.com",
        message_id=message_id,
        subject=f"Complaint {number}",
        text=text or f"Complaint number {number}.",
    )
    server.deliver(folder, message.as_bytes())
    return message_id


def ids(batch_records: object) -> list[object]:
    return [record.fields["external_id"] for record in batch_records if record.fields]  # type: ignore[attr-defined]


def test_batches_resume_from_the_cursor_and_leave_the_mail_unread(
    dovecot_server: dovecot.DovecotServer, tmp_path: Path
) -> None:
    folder = new_folder(dovecot_server)
    sent = [deliver(dovecot_server, folder, number) for number in (1, 2, 3)]
    reading = fetcher(dovecot_server, folder, tmp_path, batch_size=2)

    first = reading.fetch(None)
    assert (ids(first.records), first.is_last) == (sent[:2], False)
    second = reading.fetch(first.cursor)
    assert (ids(second.records), second.is_last) == (sent[2:], True)
    idle = reading.fetch(second.cursor)
    assert (idle.records, idle.cursor, idle.is_last) == ([], second.cursor, True)

    with dovecot_server.connect() as imap:
        imap.select(f'"{folder}"', readonly=True)
        _, flags = imap.fetch("1:*", "(FLAGS)")
    assert all(b"\\Seen" not in line for line in flags if isinstance(line, bytes)), "nothing marked read"


def test_a_rebuilt_folder_with_a_new_uidvalidity_is_read_again_from_the_start(
    dovecot_server: dovecot.DovecotServer, tmp_path: Path
) -> None:
    folder = new_folder(dovecot_server)
    deliver(dovecot_server, folder, 1)
    deliver(dovecot_server, folder, 2)
    reading = fetcher(dovecot_server, folder, tmp_path)
    before = reading.fetch(None).cursor
    assert before is not None
    assert before.value.endswith(":2")

    dovecot_server.delete_folder(folder)  # the account moved, the folder was rebuilt: UIDs start over
    dovecot_server.create_folder(folder)
    moved = deliver(dovecot_server, folder, 1)
    fresh = deliver(dovecot_server, folder, 3)

    after = reading.fetch(before)
    assert ids(after.records) == [moved, fresh], "UID 2 of the new folder is not taken for one already read"
    assert after.cursor is not None
    assert after.cursor.value.split(":")[0] != before.value.split(":")[0]


def test_a_message_over_the_size_limit_is_a_dead_letter_with_its_headers_only(
    dovecot_server: dovecot.DovecotServer, tmp_path: Path
) -> None:
    folder = new_folder(dovecot_server)
    large = deliver(dovecot_server, folder, 1, text="A very long complaint. " * 400)
    small = deliver(dovecot_server, folder, 2)

    batch = fetcher(dovecot_server, folder, tmp_path, max_message_bytes=4096).fetch(None)

    oversized, readable = batch.records
    assert oversized.fields is None
    assert oversized.problem is not None
    assert "over this source's limit of 4,096" in oversized.problem.reason
    assert large.encode() in oversized.raw
    assert b"A very long complaint" not in oversized.raw, "only the headers were downloaded"
    assert readable.fields is not None
    assert readable.fields["external_id"] == small


def test_a_wrong_password_fails_with_the_servers_answer_but_never_the_password(
    dovecot_server: dovecot.DovecotServer, tmp_path: Path
) -> None:
    wrong = "not-the-password-K9"
    with pytest.raises(FetchFailed) as failed:
        fetcher(dovecot_server, "INBOX", tmp_path, password=wrong).fetch(None)
    said = str(failed.value)
    assert f"IMAP 127.0.0.1:{dovecot_server.port} refused the sign-in of '{dovecot_server.user}'" in said
    assert "AUTHENTICATIONFAILED" in said
    assert wrong not in said


def test_a_missing_folder_is_named_in_the_failure(
    dovecot_server: dovecot.DovecotServer, tmp_path: Path
) -> None:
    with pytest.raises(FetchFailed, match="cannot open folder 'No such folder'"):
        fetcher(dovecot_server, "No such folder", tmp_path).fetch(None)


def test_a_server_that_never_answers_is_cut_off_by_the_timeout(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, then says nothing
        settings = EmailConfig(
            host="127.0.0.1", port=silent.getsockname()[1], username="u", password="p", tls="none"
        )
        started = time.monotonic()
        with pytest.raises(FetchFailed, match=r"could not connect: no answer within 0\.5 s"):
            ImapFetcher(settings, timeout=0.5, attachments_dir=tmp_path).fetch(Cursor("1:1"))
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("tls", ["ssl", "starttls"])
def test_mail_is_read_over_tls_from_a_server_whose_certificate_is_trusted(
    dovecot_server: dovecot.DovecotServer, tmp_path: Path, tls: str
) -> None:
    folder = new_folder(dovecot_server)
    sent = deliver(dovecot_server, folder, 1)
    port = dovecot_server.tls_port if tls == "ssl" else dovecot_server.port
    settings = fetcher(dovecot_server, folder, tmp_path, tls=tls, port=port).config
    trusting = ssl.create_default_context(cafile=str(dovecot_server.certificate))

    batch = ImapFetcher(settings, timeout=5, attachments_dir=tmp_path, ssl_context=trusting).fetch(None)
    assert ids(batch.records) == [sent]

    with pytest.raises(FetchFailed, match="CERTIFICATE_VERIFY_FAILED"):  # the default checks certificates
        ImapFetcher(settings, timeout=5, attachments_dir=tmp_path).fetch(None)
