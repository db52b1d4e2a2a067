"""The email kind as registered under the ``ombuds.connectors`` entry points."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel

from ombuds.connectors.base import Fetcher, Sink
from ombuds.connectors.email.config import EmailConfig
from ombuds.connectors.email.imap import ImapFetcher
from ombuds.connectors.email.smtp import SmtpSink
from ombuds.settings import Settings


def default_attachments_dir() -> Path:
    """``<data dir>/attachments/email``: beside the database, as private as it is."""
    return Settings().data_dir / "attachments" / "email"


class EmailKind:
    name: ClassVar[str] = "email"
    title: ClassVar[str] = "Email (IMAP in, SMTP out)"
    config_model: ClassVar[type[BaseModel]] = EmailConfig
    secret_fields: ClassVar[frozenset[str]] = frozenset({"password"})

    def fetcher(self, config: BaseModel, *, timeout: float) -> Fetcher | None:
        assert isinstance(config, EmailConfig)
        return ImapFetcher(
            config, timeout=timeout, attachments_dir=config.attachments_dir or default_attachments_dir()
        )

    def sink(self, config: BaseModel, *, timeout: float) -> Sink | None:
        assert isinstance(config, EmailConfig)
        if not config.smtp_host:
            return None  # a mailbox that is only read: replies are posted by hand
        return SmtpSink(
            host=config.smtp_host,
            port=config.smtp_port_or_default,
            from_address=config.from_address,
            username=config.username,
            password=config.password,
            timeout_seconds=timeout,
            tls=config.smtp_tls,
            typed_in=True,
        )
