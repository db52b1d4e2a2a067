"""``ombuds serve``: the web app and the embedded pipeline runner in one process (or, with
OMBUDS_RUNNER=celery, the dispatcher that hands new mentions to ``ombuds worker`` processes)."""

from __future__ import annotations

import logging
import socket

import uvicorn
from sqlalchemy.orm import Session, sessionmaker

from ombuds.connectors.secrets import secret_box
from ombuds.enrichment.accurate.background import retrain_accurate_when_due
from ombuds.enrichment.retraining import retrain_stale_models
from ombuds.followups.actions import return_due_follow_ups
from ombuds.incidents.delivery import deliver_due_alerts
from ombuds.metrics.scheduling import send_due_digests
from ombuds.pipeline.runner_celery import Dispatcher, make_celery
from ombuds.pipeline.runner_inline import EmbeddedRunner
from ombuds.pipeline.sidecar import sidecar_for
from ombuds.planner_statistics import keep_statistics
from ombuds.privacy.purge import run_due_purges
from ombuds.responses.outbox_round import outbox_round
from ombuds.routing.duration_actions import record_business_durations
from ombuds.routing.sla_actions import run_sla_round
from ombuds.settings import Settings
from ombuds.sources.scheduler import Scheduler
from ombuds.tasks.reminders import remind_overdue_tasks
from ombuds.web.app import create_app

#: The exit status uvicorn.run gives when the server could not start (uvicorn.main's constant).
STARTUP_FAILURE = 3


def background_work(session_factory: sessionmaker[Session], settings: Settings) -> None:
    """What the runner does after each round: send due alerts, survey links and replies, bring back cases whose
    follow-up date came, run SLA clocks (pauses, escalations), time first responses and resolutions in
    business hours, retrain models whose examples changed (a brand's accurate model in a child process,
    when calm), purge messages past a brand's retention (daily),
    send each scheduled brand's weekly digest, keep SQLite's statistics for its query planner (hourly)."""
    deliver_due_alerts(session_factory, settings=settings)
    box = secret_box(settings.resolved_secret_key())  # opens the sources' settings for their sinks
    outbox_round(session_factory, public_url=settings.alerts_public_url, box=box)
    run_sla_round(session_factory)
    record_business_durations(session_factory)
    remind_overdue_tasks(session_factory)
    return_due_follow_ups(session_factory)
    retrain_stale_models(session_factory)
    retrain_accurate_when_due(session_factory, settings)
    run_due_purges(session_factory)
    send_due_digests(session_factory, settings=settings)
    keep_statistics(session_factory.kw["bind"])


def _runner(session_factory: sessionmaker[Session], settings: Settings) -> EmbeddedRunner | Dispatcher:
    """The embedded runner, or with OMBUDS_RUNNER=celery the dispatcher that hands mentions to workers."""
    if settings.runner == "celery":
        return Dispatcher(
            session_factory,
            make_celery(settings),
            batch_size=settings.pipeline_batch_size,
            poll_seconds=settings.pipeline_poll_seconds,
        )
    return EmbeddedRunner(
        session_factory,
        batch_size=settings.pipeline_batch_size,
        poll_seconds=settings.pipeline_poll_seconds,
        after_round=lambda: background_work(session_factory, settings),
        sidecar=sidecar_for(session_factory.kw["bind"], settings),
    )


def serve(
    *,
    settings: Settings,
    session_factory: sessionmaker[Session],
    host: str,
    port: int,
    fd: int | None = None,
    proxy_headers: bool = False,
) -> None:
    """Serve until interrupted; new mentions are processed in the background as they arrive.

    ``fd`` is a listening socket a process manager opened and handed over (systemd socket
    activation); ``host`` and ``port`` are then not used. ``proxy_headers`` trusts X-Forwarded-*
    from a proxy on this machine; OMBUDS_FORWARDED_ALLOW_IPS names other proxies
    (``Settings.forwarded_headers``).
    """
    trusted, proxies = settings.forwarded_headers(proxy_headers=proxy_headers)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    runner = _runner(session_factory, settings)
    app = create_app(settings=settings, session_factory=session_factory)
    app.state.wake_pipeline = runner.wake  # ingest calls this so new mentions skip the poll wait
    if isinstance(runner, EmbeddedRunner):
        app.state.sidecar_state = runner.sidecar_state  # /metrics says whether it computes
    # feeds, mailboxes and social searches, each on its own interval in its own thread
    polling = Scheduler(
        session_factory, box=secret_box(settings.resolved_secret_key()), on_imported=runner.wake
    )
    runner.start()
    polling.start()
    try:
        if fd is None:
            uvicorn.run(
                app,
                host=host,
                port=port,
                log_level="info",
                proxy_headers=trusted,
                forwarded_allow_ips=proxies,
            )
        else:
            config = uvicorn.Config(app, log_level="info", proxy_headers=trusted, forwarded_allow_ips=proxies)
            server = uvicorn.Server(config)
            # socket(fileno=) reads the family and protocol from the descriptor; uvicorn's own
            # fd= takes every descriptor for a unix socket, so TCP connections lose TCP_NODELAY.
            server.run(sockets=[socket.socket(fileno=fd)])
            if not server.started:
                raise SystemExit(STARTUP_FAILURE)
    finally:
        polling.stop()
        runner.stop()
