"""Per-brand detector thresholds, with defaults chosen to keep false alarms under one a week."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass(frozen=True, slots=True)
class DetectorSettings:
    """How sensitive one brand's monitor is. Strengths are -log10 tail probabilities."""

    # Cold start, in days and in messages: a stream counts as established once 24 hours hold
    # ``min_daily_messages`` voices (a small brand: once its last ``establish_days`` do), and
    # alarms start once it has been established for ``warmup_hours`` and its baseline holds
    # ``warmup_messages`` voices: a day of a few messages is no baseline to judge a burst by.
    min_daily_messages: int = 24
    establish_days: float = 7.0
    warmup_hours: float = 24.0
    warmup_messages: int = 48
    # Before that, only a burst no young baseline could explain: after ``cold_min_hours`` and
    # ``cold_min_messages`` voices, the whole brand's voices against ``cold_peak_factor`` times its
    # mean rate so far (its busiest hours are a few times its mean), with ``cold_extra_strength``
    # more evidence than the volume test asks; never while its last day runs ``cold_steady_ratio``
    # times the days before (a stream only now starting). A small brand's first week is not blind.
    cold_min_hours: float = 24.0
    cold_min_messages: int = 20
    cold_peak_factor: float = 4.0
    cold_extra_strength: float = 2.0
    cold_steady_ratio: float = 3.0
    # Volume: windows ending at each message, the evidence needed, and the smallest burst.
    windows_minutes: tuple[int, ...] = (15, 30, 60, 180, 360, 1440)
    volume_strength: float = 6.5
    volume_min_ratio: float = 2.0
    volume_min_count: int = 8  # distinct authors in a window, whole brand
    key_min_count: int = 6  # the same for one category or channel
    signal_min_count: int = 4  # the same for one signal (churn, safety, ...)
    level_days: float = 14.0  # how far back the level of the baseline looks
    # Complaints that agree: a short window a little above normal (at least ``agree_strength``,
    # below the volume test's) whose voices, most of them and at least ``agree_min_voices``, are
    # linked pair by pair by words the stream seldom uses (stemmed; each in under
    # ``agree_rare_rate`` of its messages; -log10 of their rates summing to
    # ``agree_link_strength`` for a link). The evidence adds up: the window's strength over
    # ``volume_strength`` plus the agreeing voices over ``agree_full_voices`` must reach one.
    # A handful of people describing one new problem in their own words within minutes.
    agree_windows_minutes: tuple[int, ...] = (15, 30)
    agree_strength: float = 2.5
    agree_full_voices: float = 10.0
    agree_min_voices: int = 4
    agree_min_share: float = 0.6
    agree_rare_rate: float = 0.02
    agree_link_strength: float = 2.0
    # ... or by meaning, where the monitor has a reader of sentence vectors (``meaning.py``):
    # two people closer to each other than each is to all but ``agree_meaning_rank`` - 1 of
    # what the stream said before (a fixed sample of up to ``agree_meaning_background`` of the
    # last day's messages, at least ``agree_meaning_min_background``; 3 of 300 is about the
    # 99th percentile) and at least ``agree_meaning_floor`` alike. Asked only of windows of at
    # most ``agree_meaning_max_voices`` voices that rare stems alone leave short, on streams
    # that brought at most ``agree_meaning_max_per_day`` messages over the last day: reading
    # costs ~8 ms a message on one core, seconds a day for a small brand, while a busy stream
    # has the words (rates resting on more messages) and the volume.
    agree_meaning_max_per_day: int = 300
    agree_meaning_rank: int = 3
    agree_meaning_floor: float = 0.4
    agree_meaning_background: int = 300
    agree_meaning_min_background: int = 20
    agree_meaning_max_voices: int = 24
    # Complaints alone in short windows, against how often a stream of this volume would reach
    # as many by chance: fewer than ``complaint_alarms_per_week`` times in a week at this hour's
    # rate, with at least ``complaint_min_voices`` voices (see ``Detectors.complaints``).
    complaint_windows_minutes: tuple[int, ...] = (15,)
    complaint_alarms_per_week: float = 0.01
    complaint_min_voices: int = 5
    # Negative share: a window's share of negative authors against the usual share.
    negative_window_minutes: int = 60
    negative_min_count: int = 15
    negative_min_lift: float = 0.25
    negative_strength: float = 6.0
    # Emerging clusters: phrases many distinct authors use within the window, rare before.
    cluster_window_minutes: int = 60
    cluster_min_authors: int = 4
    cluster_min_share: float = 0.03
    cluster_strength: float = 6.0
    cluster_min_background: int = 100  # messages of history before clusters can alarm
    phrase_half_life_days: float = 3.0
    # High reach: a negative mention from a large audience, a journalist or a much-shared post.
    reach_min_followers: int = 50_000
    reach_min_engagement: int = 20
    # Good news: whether a burst of mostly positive mentions (thanks, contest entries) opens an
    # incident. On by default: a burst is worth a look whatever its tone, and tone models err.
    praise_opens: bool = True
    # Storms: when a quiet storm stops growing, and how soon the same key may reopen it.
    quiet_after_hours: float = 6.0
    reopen_within_hours: float = 18.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DetectorSettings:
        """Known fields only, so stored settings survive new versions of this class."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        for name in ("windows_minutes", "agree_windows_minutes", "complaint_windows_minutes"):
            if name in values:
                values[name] = tuple(values[name])
        return cls(**values)
