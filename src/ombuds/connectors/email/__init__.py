"""Email: a mailbox read by IMAP (one record per message), replies sent by SMTP, threaded.

See docs/connectors/email.md for setting a source up, the account it needs, and its limits.
"""

from ombuds.connectors.email.config import EmailConfig, TlsMode
from ombuds.connectors.email.imap import ImapFetcher
from ombuds.connectors.email.kind import EmailKind
from ombuds.connectors.email.smtp import SmtpSink

__all__ = ["EmailConfig", "EmailKind", "ImapFetcher", "SmtpSink", "TlsMode"]
