"""A refused digest's error is shown to a brand's managers (the digest page) and kept on its
schedule: an SMTP server that echoes what it was sent never puts the operator's password there."""

from __future__ import annotations

import base64
import smtplib
from pathlib import Path

from ombuds.metrics.mail import smtp_failure
from ombuds.settings import Settings


def _settings(tmp_path: Path, password: str) -> Settings:
    return Settings(
        data_dir=tmp_path,
        alerts_smtp_host="smtp.example",
        alerts_smtp_port=587,
        alerts_smtp_username="digest",
        alerts_smtp_password=password,
    )


def test_a_server_that_echoes_the_sign_in_shows_no_password_in_any_form(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "s3cret-smtp")
    plain = base64.b64encode(b"\0digest\0s3cret-smtp").decode()
    login = base64.b64encode(b"s3cret-smtp").decode()
    echoed = smtplib.SMTPAuthenticationError(535, f"5.7.8 bad: {plain} / {login} / s3cret-smtp".encode())
    words = smtp_failure(echoed, settings=settings)
    assert words.startswith("the SMTP server smtp.example:587 refused it: 535 5.7.8 bad: ***")
    for form in ("s3cret-smtp", plain, login):
        assert form not in words


def test_a_password_too_short_to_blank_withholds_the_answer_that_repeats_it(tmp_path: Path) -> None:
    echoed = smtplib.SMTPSenderRefused(550, b"no sender pw1 here", "digest@skyways.example")
    words = smtp_failure(echoed, settings=_settings(tmp_path, "pw1"))
    assert "pw1" not in words
    assert "not shown: it might repeat the password" in words
    unrelated = smtplib.SMTPDataError(451, b"4.3.0 try again later")
    assert smtp_failure(unrelated, settings=_settings(tmp_path, "pw1")).endswith("451 4.3.0 try again later")
