"""A brand's accurate model tuned again in the background once its examples have changed.

The fast heads follow each correction at once (``retraining``); tuning MiniLM takes minutes of
every core, so the runner asks after each round whether a brand's accurate model is due
(``accurate_models_due``: enough new examples, not tuned within the hours allowed),
and only when nothing waits for analysis or re-reading. It then starts ``ombuds train --brand
SLUG --accurate`` as a child process at low priority, which tunes outside any transaction,
exports and records the new model in a short one; the brand's engine reads with it from then
on. One tuning at a time per data directory: the child holds a lock file the runner took for
it, so another runner (a second worker, a restarted server) does not start a second one while
it runs, and the lock goes with the child however it ends.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.models import Brand
from ombuds.clock import utcnow
from ombuds.enrichment.accurate.due import accurate_retraining_due
from ombuds.enrichment.accurate.store import ACCURATE
from ombuds.enrichment.learnable import LEARNABLE
from ombuds.enrichment.models import BrandModel, LabeledExample
from ombuds.enrichment.paths import count_reread_waiting
from ombuds.mentions.models import Mention, Stage
from ombuds.settings import Settings

log = logging.getLogger(__name__)

#: How much lower than the runner's the tuning's CPU priority is (``nice``).
NICENESS = 10

_started: dict[tuple[str, int], float] = {}  # (database, brand) -> when this process last started one
_children: list[subprocess.Popen[bytes]] = []


def lock_path(settings: Settings) -> Path:
    return settings.data_dir / "models" / "accurate" / "tuning.lock"


def retrain_accurate_when_due(
    factory: sessionmaker[Session], settings: Settings, *, now: datetime | None = None
) -> subprocess.Popen[bytes] | None:
    """Start tuning the accurate model of the brand most due, if one is and all is calm; the child.

    A brand whose tuning this process started is not started again within
    ``accurate_retrain_hours`` even if the tuning failed (too few labels, a full disk: its
    output says why), so a failure is not retried after every round.
    """
    _children[:] = [child for child in _children if child.poll() is None]  # reap the finished
    every = timedelta(hours=settings.accurate_retrain_hours)
    with factory() as session:
        # a desk without accurate models (most) pays one query a round, not the calm check's two
        due = accurate_models_due(
            session, now=now or utcnow(), min_examples=settings.accurate_retrain_examples, every=every
        )
        if not due or _busy(session):
            return None
    url = factory.kw["bind"].url
    database = str(url)
    for brand_id, slug in due:
        started = _started.get((database, brand_id))
        if started is not None and time.monotonic() - started < every.total_seconds():
            continue
        child = _start(settings, url.render_as_string(hide_password=False), slug)
        if child is not None:
            _started[(database, brand_id)] = time.monotonic()
        return child
    return None


def accurate_models_due(
    session: Session, *, now: datetime, min_examples: int, every: timedelta
) -> list[tuple[int, str]]:
    """The brands (id, slug) whose accurate model is due to be tuned again, most new examples first.

    An example is new when its id is past the newest the model learnt: an agent's correction
    replaces the earlier row with a new one, so changed labels count too. A model recorded
    without that id counts every example as new: what it learnt is not known.
    """
    if min_examples <= 0:
        return []
    models = session.execute(
        select(BrandModel.brand_id, Brand.slug, BrandModel.trained_at, BrandModel.last_example_id)
        .join(Brand, Brand.id == BrandModel.brand_id)
        .where(BrandModel.analyzer == ACCURATE)
    ).all()
    due: list[tuple[int, int, str]] = []
    for brand_id, slug, trained_at, learnt_up_to in models:
        new = session.scalar(
            select(func.count()).where(
                LabeledExample.brand_id == brand_id,
                LabeledExample.analyzer.in_(LEARNABLE),
                LabeledExample.id > (learnt_up_to or 0),
            )
        )
        if accurate_retraining_due(
            new_examples=new or 0, trained_at=trained_at, now=now, min_examples=min_examples, every=every
        ):
            due.append((-(new or 0), brand_id, slug))
    return [(brand_id, slug) for _, brand_id, slug in sorted(due)]


def _busy(session: Session) -> bool:
    """Mentions wait for analysis, or burst mentions for the accurate model: not calm yet."""
    waiting = session.scalar(select(Mention.id).where(Mention.stage == Stage.INGESTED).limit(1))
    return waiting is not None or count_reread_waiting(session) > 0


def _start(settings: Settings, database_url: str, slug: str) -> subprocess.Popen[bytes] | None:
    """``ombuds train --brand SLUG --accurate`` in a child holding the tuning lock; None if it is held."""
    path = lock_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None  # a tuning runs already (this process's or another's)
        environment = {
            **os.environ,
            "OMBUDS_DATA_DIR": str(settings.data_dir),
            "OMBUDS_DATABASE_URL": database_url,
        }
        command = [sys.executable, "-m", "ombuds", "train", "--brand", slug, "--accurate"]
        # the child inherits the locked file and holds the lock until it exits, however it exits
        child = subprocess.Popen(command, env=environment, stdin=subprocess.DEVNULL, pass_fds=(handle,))
    finally:
        os.close(handle)
    with contextlib.suppress(OSError):  # gone already, or not allowed here: it still runs
        os.setpriority(os.PRIO_PROCESS, child.pid, NICENESS)
    _children.append(child)
    log.info("tuning the accurate model of brand %s again in the background (pid %s)", slug, child.pid)
    return child
