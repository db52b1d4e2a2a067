"""Reads: the operations figures ``/metrics`` gives Prometheus — mentions by pipeline stage (a
counter whose rate is the throughput), how far behind each stage is, failed mentions, each
analysis path's speed and share of mentions, alert deliveries by outcome, replies not out yet (to
post by hand among them), the health of each source, and whether the embedded runner's sidecar computes beside it.

Every count is an index read (``ix_mention_stage_id``) or a small table; the stage lag reads only
the mentions still waiting.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ombuds.accounts.models import Brand
from ombuds.clock import as_utc, utcnow
from ombuds.enrichment.paths import RECENT, count_reread_waiting, recent_paths
from ombuds.incidents.models import Alert
from ombuds.mentions.models import Mention, Source
from ombuds.mentions.values import Stage
from ombuds.responses.models import NOT_OUT, Reply, ReplyStatus

if TYPE_CHECKING:
    from ombuds.pipeline.sidecar import SidecarState


#: stages a mention still has to pass: it waits in these
WAITING = (Stage.INGESTED, Stage.ENRICHED, Stage.THREADED, Stage.ROUTED)


class OpsCollector(Collector):
    """One scrape: reads the database when Prometheus asks, through the caller's session."""

    def __init__(
        self, session: Session, *, now: datetime | None = None, sidecar: SidecarState | None = None
    ) -> None:
        self.session = session
        self.now = now or utcnow()
        self.sidecar = sidecar

    def collect(self) -> Iterator[Metric]:
        yield from self._pipeline()
        yield from self._analysis()
        yield self._alerts()
        yield self._replies()
        yield from self._sources()
        if self.sidecar is not None:
            yield from self._sidecar(self.sidecar)

    def _sidecar(self, state: SidecarState) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "ombuds_pipeline_sidecar_up",
            "1 while the embedded runner's sidecar computes beside it; 0 while the runner computes "
            "alone (it starts a sidecar that died again).",
        )
        up.add_metric([], 1 if state.up else 0)
        yield up
        starts = CounterMetricFamily(
            "ombuds_pipeline_sidecar_starts", "Sidecar processes started, the first included."
        )
        starts.add_metric([], state.starts)
        yield starts

    def _pipeline(self) -> Iterator[Metric]:
        by_stage = dict(
            self.session.execute(select(Mention.stage, func.count()).group_by(Mention.stage)).all()
        )
        mentions = CounterMetricFamily(
            "ombuds_mentions",
            "Mentions by the last pipeline stage they passed (rate: throughput).",
            labels=["stage"],
        )
        for stage in Stage:
            mentions.add_metric([stage.value], by_stage.get(stage, 0))
        yield mentions
        failed = GaugeMetricFamily(
            "ombuds_mentions_failed", "Mentions a stage failed on (see pipeline.failed events)."
        )
        failed.add_metric([], by_stage.get(Stage.FAILED, 0))
        yield failed
        lag = GaugeMetricFamily(
            "ombuds_pipeline_lag_seconds",
            "Age of the oldest mention waiting for the stage after this one (0: none waiting).",
            labels=["stage"],
        )
        backlog = GaugeMetricFamily(
            "ombuds_pipeline_backlog", "Mentions waiting after this stage.", labels=["stage"]
        )
        oldest = dict(
            self.session.execute(
                select(Mention.stage, func.min(Mention.received_at))
                .where(Mention.stage.in_(WAITING))
                .group_by(Mention.stage)
            ).all()
        )
        for stage in WAITING:
            since = oldest.get(stage)
            lag.add_metric(
                [stage.value], max((self.now - as_utc(since)).total_seconds(), 0.0) if since else 0.0
            )
            backlog.add_metric([stage.value], by_stage.get(stage, 0))
        yield lag
        yield backlog

    def _analysis(self) -> Iterator[Metric]:
        minutes = int(RECENT.total_seconds() // 60)
        speed = GaugeMetricFamily(
            "ombuds_analysis_messages_per_second",
            f"Mentions each analysis path read per second of reading, over the last {minutes} minutes "
            "(accurate: brands' MiniLM models; fast: the linear heads; reread: the accurate model "
            "re-reading a burst). Absent: the path read nothing.",
            labels=["path"],
        )
        share = GaugeMetricFamily(
            "ombuds_analysis_share",
            f"Share of the mentions analysed in the last {minutes} minutes that each path read first.",
            labels=["path"],
        )
        read = GaugeMetricFamily(
            "ombuds_analysis_mentions",
            f"Mentions each analysis path read in the last {minutes} minutes.",
            labels=["path"],
        )
        for path, figure in recent_paths(self.session, now=self.now).items():
            read.add_metric([path], figure.mentions)
            if figure.messages_per_second is not None:
                speed.add_metric([path], figure.messages_per_second)
            if figure.share is not None:
                share.add_metric([path], figure.share)
        waiting = GaugeMetricFamily(
            "ombuds_analysis_reread_waiting",
            "Mentions the fast path read in a burst that the accurate model has not re-read yet.",
        )
        waiting.add_metric([], count_reread_waiting(self.session))
        yield speed
        yield share
        yield read
        yield waiting

    def _alerts(self) -> Metric:
        alerts = GaugeMetricFamily("ombuds_alerts", "Alerts by delivery outcome.", labels=["kind", "status"])
        for kind, status, count in self.session.execute(
            select(Alert.kind, Alert.status, func.count()).group_by(Alert.kind, Alert.status)
        ):
            alerts.add_metric(
                [str(getattr(kind, "value", kind)), str(getattr(status, "value", status))], count
            )
        return alerts

    def _replies(self) -> Metric:
        replies = GaugeMetricFamily(
            "ombuds_replies_not_out",
            "Replies the customer does not have yet, by brand and status: awaiting_approval, queued, "
            "to_post (no connector sends on the channel: someone must post it by hand) and failed.",
            labels=["brand", "status"],
        )
        for slug, status, count in self.session.execute(
            select(Brand.slug, Reply.status, func.count())
            .join(Brand, Brand.id == Reply.brand_id)
            .where(Reply.status.in_(NOT_OUT))
            .group_by(Brand.slug, Reply.status)
        ):
            replies.add_metric([slug, ReplyStatus(status).value], count)
        return replies

    def _sources(self) -> Iterator[Metric]:
        paused = GaugeMetricFamily(
            "ombuds_source_paused", "1 while an administrator paused the source.", labels=["brand", "source"]
        )
        silent = GaugeMetricFamily(
            "ombuds_source_silence_seconds",
            "Time since the source's newest mention was received (absent: none yet).",
            labels=["brand", "source"],
        )
        newest = dict(
            self.session.execute(
                select(Mention.source_id, func.max(Mention.received_at)).group_by(Mention.source_id)
            ).all()
        )
        rows = self.session.execute(
            select(Source.id, Source.name, Source.paused_at, Brand.slug).join(
                Brand, Brand.id == Source.brand_id
            )
        )
        for source_id, name, paused_at, slug in rows:
            paused.add_metric([slug, name], 1.0 if paused_at is not None else 0.0)
            if newest.get(source_id) is not None:
                silent.add_metric(
                    [slug, name], max((self.now - as_utc(newest[source_id])).total_seconds(), 0.0)
                )
        yield paused
        yield silent
