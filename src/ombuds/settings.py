"""Settings read from the environment (prefix ``OMBUDS_``); nothing is read at import time."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: A session cookie signed with a short key can be forged after guessing the key offline.
SECRET_KEY_MIN_BYTES = 32
#: How the reference names the per-user folder, the same on every machine that renders it.
DATA_DIR_SHOWN = "the user's data folder: `~/.local/share/ombuds` on Linux (`$XDG_DATA_HOME/ombuds`)"


def default_data_dir() -> Path:
    """The per-user data folder (platformdirs), not the folder a command happens to run in."""
    return Path(platformdirs.user_data_dir("ombuds", appauthor=False))


class Settings(BaseSettings):
    """Everything an operator can configure."""

    model_config = SettingsConfigDict(env_prefix="OMBUDS_", extra="ignore")

    data_dir: Path = Field(
        default_factory=default_data_dir,
        description=(
            "Where the SQLite file, the generated secret key and rejected rows live. Set it to keep "
            "one installation's data apart from another's (several desks, tests)."
        ),
        json_schema_extra={"shown_default": DATA_DIR_SHOWN},
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; SQLite under data_dir when unset."
    )
    secret_key: str | None = Field(
        default=None,
        description=(
            f"Signs session cookies, at least {SECRET_KEY_MIN_BYTES} bytes; generated into data_dir when unset."
        ),
    )
    pipeline_batch_size: int = Field(default=500, ge=1, description="Mentions per pipeline batch.")
    pipeline_poll_seconds: float = Field(
        default=2.0, gt=0, description="How often the embedded runner looks for work."
    )
    pipeline_sidecar: Literal["auto", "on", "off"] = Field(
        default="auto",
        description=(
            "The embedded runner's second process, which computes analysis and detection while the "
            "runner writes (about a third more mentions a second on two cores): `auto` where the "
            "machine has two cores or more, `on`, `off`."
        ),
    )
    runner: Literal["embedded", "celery"] = Field(
        default="embedded",
        description=(
            "Who runs the pipeline: `embedded`, a background thread inside `ombuds serve` (one "
            "machine, SQLite or PostgreSQL); `celery`, where `ombuds serve` only hands new mentions to "
            "`ombuds worker` processes through Redis (PostgreSQL only)."
        ),
    )
    redis_url: str = Field(
        default="redis://127.0.0.1:6379/0",
        description="The Redis server through which `ombuds serve` hands work to `ombuds worker` (runner `celery`).",
    )
    worker_sweep_seconds: float = Field(
        default=10.0,
        gt=0,
        description=(
            "How often one of the workers looks for mentions stuck in a stage (a task lost with Redis, "
            "a worker killed mid-batch) and sends them again, and runs alerts, SLA clocks and reminders."
        ),
    )
    worker_stuck_seconds: float = Field(
        default=60.0,
        gt=0,
        description=(
            "How long after its acceptance a mention still waiting for analysis, with no task queued, "
            "counts as lost and is sent to the workers again (twice is harmless: each stage runs once "
            "per mention)."
        ),
    )
    session_max_age_seconds: int = Field(default=14 * 24 * 3600, description="How long a sign-in lasts.")
    accurate_threads: int = Field(
        default=2,
        ge=1,
        description="Threads for fine-tuning and reading with a brand's accurate model (MiniLM on the CPU).",
    )
    accurate_backlog_limit: int = Field(
        default=200,
        ge=0,
        description=(
            "Mentions waiting for analysis beyond the batch at hand above which brands' accurate "
            "models step aside and the fast path reads (a burst); they read again once it drains."
        ),
    )
    accurate_lag_limit: float = Field(
        default=60.0,
        ge=0,
        description=(
            "Seconds the oldest mention waiting for analysis may have waited since it was received "
            "before brands' accurate models step aside and the fast path reads, however few wait "
            "(the accurate path has fallen behind); calm, a mention waits a poll and one batch."
        ),
    )
    accurate_reread_batch: int = Field(
        default=64,
        ge=1,
        description=(
            "Mentions the fast path read in a burst that the accurate model re-reads at a time once "
            "nothing waits (newest first); fresh mentions wait for one such batch at most."
        ),
    )
    accurate_retrain_examples: int = Field(
        default=50,
        ge=0,
        description=(
            "Examples a brand adds or changes (imported rows, agents' corrections) after its accurate "
            "model was tuned before the runner tunes it again in the background, when nothing waits "
            "for analysis; 0 leaves retraining to `ombuds train --accurate`."
        ),
    )
    accurate_retrain_hours: float = Field(
        default=24.0,
        ge=0,
        description=(
            "Hours at least between two background tunings of one brand's accurate model (minutes "
            "of every core each); the fast heads follow each correction at once meanwhile."
        ),
    )
    analysis_model: Path | None = Field(
        default=None,
        description=(
            "The analysis model: `permissive` for the model trained only on data that allows "
            "commercial use (README, Licence; built by --permissive-only), or an .npz file from "
            "scripts/build_enrichment_models.py, e.g. one trained on your own labelled messages. "
            "Unset: the default model (non-commercial training data)."
        ),
    )
    secure_cookies: bool = Field(
        default=False, description="Send cookies only over HTTPS (enable behind TLS)."
    )
    forwarded_allow_ips: str | None = Field(
        default=None,
        description=(
            "Addresses of the reverse proxies (comma-separated, or `*`) whose X-Forwarded-For and "
            "X-Forwarded-Proto headers `ombuds serve` trusts: set it behind a TLS proxy so client "
            "addresses and https links are right. Unset: forwarded headers are ignored, unless "
            "`serve --proxy-headers` trusts 127.0.0.1."
        ),
    )
    sign_in_failures_per_account: int = Field(
        default=10,
        ge=1,
        description="Failed sign-ins to one account within the window before it is refused for a while.",
    )
    sign_in_failures_per_address: int = Field(
        default=50,
        ge=1,
        description="Failed sign-ins from one client address within the window before it is refused.",
    )
    sign_in_window_seconds: int = Field(
        default=15 * 60, ge=1, description="The window in which failed sign-ins are counted."
    )
    api_requests_per_minute: int = Field(
        default=6000, ge=1, description="API requests one bearer token may make per minute (then 429)."
    )

    # Incident alert delivery (OMBUDS_ALERTS_*): where alerts link to and how email leaves.
    alerts_public_url: str = Field(
        default="http://127.0.0.1:8000", description="The app's address, for links in alerts."
    )
    alerts_smtp_host: str = Field(default="127.0.0.1", description="SMTP server for email alerts.")
    alerts_smtp_port: int = Field(default=25, description="Port of the SMTP server.")
    alerts_smtp_sender: str = Field(default="ombuds@localhost", description="From address of email alerts.")
    alerts_smtp_username: str | None = Field(
        default=None, description="SMTP login, when the server needs one."
    )
    alerts_smtp_password: str | None = Field(default=None, description="SMTP password.")
    alerts_smtp_starttls: bool = Field(
        default=False, description="Upgrade the SMTP connection with STARTTLS."
    )
    alerts_timeout_seconds: float = Field(
        default=10.0, gt=0, description="Time limit of one alert send, webhook or SMTP."
    )
    alerts_max_attempts: int = Field(default=5, ge=1, description="Tries before an alert is marked failed.")
    outbound_allow: str = Field(
        default="",
        description=(
            "Private networks that feeds, Mastodon instances and alert webhooks may reach, comma-separated "
            "(`10.0.0.0/8,127.0.0.1`). Empty: only public addresses, so an address typed into the app "
            "cannot probe this machine or its network."
        ),
        json_schema_extra={"shown_default": "(empty)"},
    )
    metrics_token: str | None = Field(
        default=None,
        description="Bearer token Prometheus sends to read /metrics; unset: /metrics answers 404.",
    )

    @field_validator("secret_key")
    @classmethod
    def _secret_key_is_long_enough(cls, value: str | None) -> str | None:
        if not value:
            return None  # an empty variable means unset: the generated key is used
        size = len(value.encode())
        if size < SECRET_KEY_MIN_BYTES:
            raise ValueError(
                f"OMBUDS_SECRET_KEY is {size} bytes long; it must be at least {SECRET_KEY_MIN_BYTES}. "
                "Unset it to use the key generated in the data directory, or make one with "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
            )
        return value

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'ombuds.db').resolve()}"

    def forwarded_headers(self, *, proxy_headers: bool = False) -> tuple[bool, str | None]:
        """Whether the server reads X-Forwarded-* headers, and from which proxies.

        On when OMBUDS_FORWARDED_ALLOW_IPS names the proxies, or when ``serve --proxy-headers``
        asks for it (then only a proxy on this machine, 127.0.0.1, is trusted).
        """
        if self.forwarded_allow_ips:
            return True, self.forwarded_allow_ips
        if proxy_headers:
            return True, "127.0.0.1"
        return False, None

    def resolved_secret_key(self) -> str:
        """The configured key, else one kept in data_dir so sessions survive restarts.

        Raises ``SecretKeyUnusable``, naming the file and what to do, when the kept key cannot be
        made or read, or is too short (an empty key would let anyone sign a session cookie).
        """
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        try:
            if not path.exists():
                self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
                _create_whole(path, secrets.token_urlsafe(48))
            key = path.read_text(encoding="utf-8").strip()
        except UnicodeDecodeError as exc:
            raise SecretKeyUnusable(f"{path} is not text; {_KEY_ADVICE}") from exc
        except OSError as exc:
            raise SecretKeyUnusable(f"{path}: {exc.strerror or exc}; {_KEY_ADVICE}") from exc
        if len(key.encode()) < SECRET_KEY_MIN_BYTES:
            raise SecretKeyUnusable(
                f"{path} holds {len(key.encode())} bytes; a key needs at least {SECRET_KEY_MIN_BYTES}. "
                + _KEY_ADVICE[:1].upper()
                + _KEY_ADVICE[1:]
            )
        return key


class SecretKeyUnusable(ValueError):
    """The key kept in the data directory cannot be made or read, or is too short."""


#: What to do about a kept key that cannot serve: both ways out, and what the first costs.
_KEY_ADVICE = (
    "move it aside for a new one to be made (everyone signs in again, and sources' saved secrets, "
    "such as tokens and webhook secrets, must be entered again), or set OMBUDS_SECRET_KEY to the key "
    "it should hold"
)


def _create_whole(path: Path, text: str) -> None:
    """Write ``path`` private and complete, or leave it as another process made it.

    The text goes to a private file of its own, linked in under ``path`` only when whole: a crash
    never leaves an empty key behind, and processes starting together all read the first one.
    """
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    handle = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(handle, text.encode())
        os.fsync(handle)
    finally:
        os.close(handle)
    try:
        os.link(draft, path)
    except FileExistsError:
        pass  # another process was first: its key is the key
    finally:
        draft.unlink()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
