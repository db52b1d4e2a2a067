"""An email source's settings: the IMAP mailbox it reads and the SMTP server its replies leave by."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class TlsMode(StrEnum):
    SSL = "ssl"  # TLS from the first byte: IMAPS on 993, SMTPS on 465
    STARTTLS = "starttls"  # plain connection upgraded before signing in: IMAP 143, submission 587
    NONE = "none"  # no encryption: only for a server on this machine or a private network


_IMAP_PORTS = {TlsMode.SSL: 993, TlsMode.STARTTLS: 143, TlsMode.NONE: 143}
_SMTP_PORTS = {TlsMode.SSL: 465, TlsMode.STARTTLS: 587, TlsMode.NONE: 25}
DEFAULT_MAX_MESSAGE_BYTES = 25 * 1024 * 1024  # what the large mail providers accept


class EmailConfig(BaseModel):
    """One mailbox account: read by IMAP, answered by SMTP (the same account signs in to both)."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field(min_length=1, max_length=253, description="The IMAP server.")
    port: int | None = Field(default=None, ge=1, le=65535, description="IMAP port; by tls: 993 or 143.")
    username: str = Field(min_length=1, max_length=320, description="The mailbox account.")
    # A plain str, not SecretStr: the registry seals it at rest; repr=False keeps it out of logs.
    password: str = Field(min_length=1, max_length=1000, repr=False, description="Its (app) password.")
    folder: str = Field(default="INBOX", min_length=1, max_length=200, description="The folder to read.")
    tls: TlsMode = Field(default=TlsMode.SSL, description="ssl, starttls or none (loopback only).")
    smtp_host: str | None = Field(
        default=None, max_length=253, description="The SMTP server replies leave by; none: no replies."
    )
    smtp_port: int | None = Field(default=None, ge=1, le=65535, description="By smtp_tls: 465, 587 or 25.")
    smtp_tls: TlsMode = Field(default=TlsMode.STARTTLS, description="ssl, starttls or none.")
    smtp_from: str | None = Field(
        default=None, max_length=320, description="The From of replies; the username when unset."
    )
    batch_size: int = Field(default=50, ge=1, le=1000, description="Messages per fetch.")
    max_message_bytes: int = Field(
        default=DEFAULT_MAX_MESSAGE_BYTES,
        ge=1024,
        description="A larger message is not downloaded: it goes to dead letters, headers only.",
    )
    attachments_dir: Path | None = Field(
        default=None, description="Where attachments are kept; <data dir>/attachments/email when unset."
    )

    @property
    def imap_port(self) -> int:
        return self.port or _IMAP_PORTS[self.tls]

    @property
    def smtp_port_or_default(self) -> int:
        return self.smtp_port or _SMTP_PORTS[self.smtp_tls]

    @property
    def from_address(self) -> str:
        return self.smtp_from or self.username
