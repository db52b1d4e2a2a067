"""The email kind: found through the entry points, its password sealed, its sink only with an SMTP server."""

from __future__ import annotations

import json

import pytest

from ombuds.connectors.email import EmailConfig, ImapFetcher, SmtpSink, TlsMode
from ombuds.connectors.registry import get_kind, validate_config
from ombuds.connectors.secrets import seal_config, secret_box, shown_config
from ombuds.errors import InvalidInput

PASSWORD = "app-pass-never-shown-X2"
MAILBOX = {"host": "imap.example.com", "username": "care@acme.example", "password": PASSWORD}


def test_the_email_kind_seals_its_password_and_never_shows_it_back() -> None:
    kind = get_kind("email")
    config = validate_config(kind, MAILBOX)
    stored = seal_config(kind, config, secret_box("k" * 48))
    assert PASSWORD not in json.dumps(stored)
    assert shown_config(kind, stored)["password"] == "set"
    assert PASSWORD not in repr(config)


def test_ports_follow_the_tls_mode_unless_given() -> None:
    assert EmailConfig.model_validate(MAILBOX).imap_port == 993
    assert EmailConfig.model_validate({**MAILBOX, "tls": "starttls"}).imap_port == 143
    assert EmailConfig.model_validate({**MAILBOX, "tls": "none", "port": 1143}).imap_port == 1143
    assert (
        EmailConfig.model_validate({**MAILBOX, "smtp_host": "smtp.example.com"}).smtp_port_or_default == 587
    )


def test_a_wrong_tls_mode_names_the_field() -> None:
    with pytest.raises(InvalidInput, match=r"email config: tls: .*'ssl', 'starttls' or 'none'"):
        validate_config(get_kind("email"), {**MAILBOX, "tls": "yes"})


def test_the_sink_exists_only_with_an_smtp_server_and_signs_in_as_the_mailbox() -> None:
    kind = get_kind("email")
    assert kind.sink(EmailConfig.model_validate(MAILBOX), timeout=5) is None
    config = EmailConfig.model_validate(
        {**MAILBOX, "smtp_host": "smtp.example.com", "smtp_tls": "ssl", "attachments_dir": "/srv/files"}
    )
    sink = kind.sink(config, timeout=7)
    assert sink == SmtpSink(
        host="smtp.example.com",
        port=465,
        from_address="care@acme.example",
        username="care@acme.example",
        password=PASSWORD,
        timeout_seconds=7,
        tls=TlsMode.SSL,
        typed_in=True,  # an admin typed the server in: the outbound policy applies
    )
    fetcher = kind.fetcher(config, timeout=7)
    assert isinstance(fetcher, ImapFetcher)
    assert str(fetcher.attachments_dir) == "/srv/files"
