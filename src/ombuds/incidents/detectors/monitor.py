"""One brand's monitor: observations in, storm changes out, in time order.

Per observation it updates the hourly series and sliding windows of every key the mention
belongs to (the whole brand, its category, channel and signals), the phrase background and
window, and then, once the stream is established, asks each detector whether something is
unusual. Alarms are folded into storms (see storms.py).
"""

from __future__ import annotations

import random
from collections import OrderedDict
from dataclasses import dataclass, field

from ombuds.incidents.detectors import text
from ombuds.incidents.detectors.baseline import (
    HOUR_SECONDS,
    HourlySeries,
    Level,
    Profile,
    exposure_of,
    fit_level,
    fit_profile,
    storm_ceiling,
)
from ombuds.incidents.detectors.book import StormBook
from ombuds.incidents.detectors.detect import NEGATIVE_KEY, Detectors
from ombuds.incidents.detectors.meaning import MeaningLinks, ReadMeaning
from ombuds.incidents.detectors.phrases import PhraseBackground, PhraseEntry, PhraseWindow
from ombuds.incidents.detectors.settings import DetectorSettings
from ombuds.incidents.detectors.stats import negative_binomial_log_sf, strength
from ombuds.incidents.detectors.storms import (
    Storm,
    StormChange,
    StormMessage,
)
from ombuds.incidents.detectors.types import Alarm, Observation, Signal
from ombuds.incidents.detectors.windows import Entry, SlidingWindow

SEEN_SECONDS = 48 * HOUR_SECONDS
# (end, profile, profile hour, hour, cache of whole hours, start -> exposure): see ``_exposure``
_ExposureMemo = tuple[
    float | None,
    Profile | None,
    int | None,
    int | None,
    tuple[int | None, int, list[float]] | None,
    dict[float, float],
]
AFTERGLOW_MINUTES = 60  # windows longer than this can outlive the burst they saw
NEGATIVE_HALF_LIFE_HOURS = 7 * 24


@dataclass
class KeyState:
    """One key's history and recent windows."""

    series: HourlySeries
    windows: list[SlidingWindow]
    first_hour: int
    hour_authors: set[str] = field(default_factory=set)  # who spoke in the current hour
    level: Level | None = None
    level_hour: int | None = None


@dataclass
class _Negatives:
    """The usual share of negative mentions, decayed over about a week."""

    negative: float = 0.0
    total: float = 0.0
    hour_negative: int = 0
    hour_total: int = 0

    def share(self) -> float:
        return (self.negative + 0.5 * 20) / (self.total + 20)


@dataclass
class BrandMonitor:
    """Streaming detectors and storms for one brand. Feed ``observe`` mentions in time order."""

    settings: DetectorSettings = field(default_factory=DetectorSettings)
    seed: int = 0

    def __post_init__(self) -> None:
        self.keys: dict[str, KeyState] = {}
        self.profile = Profile()
        self.profile_hour: int | None = None
        self._cumulative: tuple[int | None, int, list[float]] | None = None
        self._exposures: tuple[int | None, dict[tuple[int, int], float]] = (None, {})
        self._exposure_memo: _ExposureMemo = (None, None, None, None, None, {})
        self.clock: float | None = None
        self.hour: int | None = None
        self.established_at: float | None = None
        self.is_warm = False  # established and warmed up: alarms are on (it stays so)
        self.baseline_start: int | None = None
        self.trailing_closed = 0.0  # messages in the 23 closed hours before the current one
        self.negatives = _Negatives()
        self.background = PhraseBackground(half_life_days=self.settings.phrase_half_life_days)
        self.phrase_window = PhraseWindow(self.settings.cluster_window_minutes * 60.0)
        self.recent: OrderedDict[int, StormMessage] = OrderedDict()
        self.book = StormBook(self.settings, random.Random(self.seed))
        self.seen: OrderedDict[int, float] = OrderedDict()
        self.channels: dict[str, float] = {}  # channel -> first seen
        self.detectors = Detectors(self)

    # -- public --------------------------------------------------------------------------------

    @property
    def is_established(self) -> bool:
        """Alarms are on: the stream has had a real baseline for the warm-up period."""
        if self.is_warm:
            return True
        if self.established_at is None or self.clock is None or self.hour is None:
            return False
        if self.clock - self.established_at < self.settings.warmup_hours * HOUR_SECONDS:
            return False
        start = self.baseline_start if self.baseline_start is not None else self.hour
        if self.keys["all"].series.total(start, self.hour + 1) < self.settings.warmup_messages:
            return False
        self.is_warm = True
        return True

    def read_meaning_with(self, read: ReadMeaning | None) -> None:
        """Let the agreement test link people by what their messages mean, not only by rare
        words they share (``meaning.py``); None: by words alone."""
        self.detectors.meaning = MeaningLinks(read) if read is not None else None

    def observe(self, observation: Observation) -> list[StormChange]:
        """Take one mention into account; returns what changed in which storm."""
        if observation.mention_id in self.seen:
            return []
        at = observation.at.timestamp()
        if self.clock is not None and at < self.clock - SEEN_SECONDS:
            return []  # older than the memory of what was seen: too late to count, maybe counted
        at = max(at, self.clock) if self.clock is not None else at
        self.clock = at
        hour = int(at // HOUR_SECONDS)
        self._roll(hour)
        self.seen[observation.mention_id] = at

        tokens = text.words(observation.text)
        phrases: dict[int, str | text.Span] = dict(text.phrases(tokens))
        if observation.duplicate_group:
            phrases[text.word_hash(f"dup:{observation.duplicate_group}")] = text.NEAR_DUPLICATES
        if observation.in_reply_to:
            phrases[text.word_hash(f"reply:{observation.in_reply_to}")] = text.REPLIES_TO_ONE_POST
        voice = observation.voice
        message = StormMessage(
            mention_id=observation.mention_id,
            at=at,
            text=observation.text,
            voice=voice,
            followers=max(0, observation.followers or 0),
            engagement=max(0, observation.engagement),
            is_negative=observation.is_negative,
            sentiment=observation.sentiment,
        )
        self.recent[observation.mention_id] = message
        keys = self._keys_for(observation, at)
        entry = Entry(at, observation.mention_id, voice, observation.is_negative)
        for key in keys:
            state = self._key_state(key, hour)
            if voice not in state.hour_authors:
                # the baseline counts voices per hour, as the windows do
                state.hour_authors.add(voice)
                state.series.add(hour)
            for window in state.windows:
                window.add(entry)
        self.negatives.hour_total += 1
        self.negatives.hour_negative += int(observation.is_negative)
        self.background.add(hour, phrases.keys())
        self.phrase_window.add(PhraseEntry(at, observation.mention_id, voice, tuple(phrases)))
        self._check_established(at, hour)

        book = self.book
        changes = book.quiet(at)
        changes.extend(book.attach(message, keys, phrases, at, self.detectors.is_hot))
        if self.is_established:
            alarms = self.detectors.run(observation, message, keys, phrases, tokens, at)
        else:
            alarms = self.detectors.cold_volume(observation, at)
        for alarm in alarms:
            if not self._is_afterglow(alarm):
                changes.extend(book.fold(alarm, self.recent))
        changes.extend(book.refresh(changes, at, self.background.rates))
        return changes

    def _is_afterglow(self, alarm: Alarm) -> bool:
        """A long window whose excess is a storm's own mentions: nothing new to say.

        A burst of 80 on a brand of 60 a day keeps the day-long window above normal for a day.
        Its mentions are already in their storm, so they must not keep that storm growing (it
        would gather everyday mentions and the next, unrelated alarm) nor open another one. What
        is left when they are taken out has to pass the volume test on its own.
        """
        if alarm.signal not in (Signal.VOLUME, Signal.SIGNAL_RISE):
            return False
        if int(alarm.evidence.get("window_minutes", 0)) <= AFTERGLOW_MINUTES:
            return False
        ids = set(alarm.mention_ids)
        explained = max((storm.overlap(ids) for storm in self.book.storms.values()), default=0)
        if not explained:
            return False
        voices = int(alarm.evidence.get("voices", len(alarm.mention_ids)))
        expected = float(alarm.evidence.get("expected", 0.0))
        fresh = voices - explained
        level = self.level(alarm.key)
        dispersion = level.dispersion if level is not None else 1.0
        settings = self.settings
        if fresh < settings.volume_min_ratio * expected:
            return True
        return strength(negative_binomial_log_sf(fresh, expected, dispersion)) < settings.volume_strength

    @property
    def storms(self) -> dict[int, Storm]:
        return self.book.storms

    def resolve(self, storm_id: int) -> None:
        """A person resolved the incident: the storm stops growing and is never reopened."""
        self.book.resolve(storm_id)

    def expected(self, key: str, *, start: float, end: float) -> float:
        """Voices the baseline expects for ``key`` between two instants (seconds since the epoch)."""
        state = self.keys.get(key)
        if state is None or self.hour is None:
            return 0.0
        level = self._level(key, state)
        return level.per_hour * self._exposure(start, end)

    def _exposure(self, start: float, end: float) -> float:
        """``_exposure_of`` remembered for the current instant: the detectors ask it for each
        window of each of a mention's keys, and the keys' windows share their spans. Kept only
        while nothing it is read from (the profile, its hour, the clock's hour and the cache of
        whole hours) is replaced, so it returns what working it out again would."""
        memo = self._exposure_memo
        current = (
            memo[0] == end
            and memo[1] is self.profile
            and memo[2] == self.profile_hour
            and memo[3] == self.hour
            and memo[4] is self._cumulative
        )
        if current:
            found = memo[5].get(start)
            if found is not None:
                return found
        value = self._exposure_of(start, end)
        if not current or memo[4] is not self._cumulative:
            memo = (end, self.profile, self.profile_hour, self.hour, self._cumulative, {})
            self._exposure_memo = memo
        memo[5][start] = value
        return value

    def _exposure_of(self, start: float, end: float) -> float:
        """Sum of the profile's factors over [start, end), in hours; whole hours come from a cache."""
        if end <= start:
            return 0.0
        first, last = int(start // HOUR_SECONDS), int(end // HOUR_SECONDS)
        if first == last:
            return self.profile.factor(first) * (end - start) / HOUR_SECONDS
        total = self.profile.factor(first) * ((first + 1) * HOUR_SECONDS - start) / HOUR_SECONDS
        total += self.profile.factor(last) * (end - last * HOUR_SECONDS) / HOUR_SECONDS
        if last - first > 1:
            total += self._whole_hours(first + 1, last)
        return total

    def _whole_hours(self, first: int, last: int) -> float:
        cache = self._cumulative
        if (
            cache is None
            or cache[0] != self.profile_hour
            or not (cache[1] <= first and last <= cache[1] + len(cache[2]) - 1)
        ):
            base = (self.hour or last) - 72
            sums = [0.0]
            for hour in range(base, base + 74):
                sums.append(sums[-1] + self.profile.factor(hour))
            cache = self._cumulative = (self.profile_hour, base, sums)
            if not (base <= first and last <= base + len(sums) - 1):
                return sum(self.profile.factor(hour) for hour in range(first, last))
        _, base, sums = cache
        return sums[last - base] - sums[first - base]

    def level(self, key: str) -> Level | None:
        state = self.keys.get(key)
        return None if state is None or self.hour is None else self._level(key, state)

    def negative_share(self) -> float:
        return self.negatives.share()

    def window(self, key: str, minutes: int) -> SlidingWindow | None:
        state = self.keys.get(key)
        if state is None:
            return None
        for window in state.windows:
            if window.span == minutes * 60.0:
                return window
        return None

    # -- time ----------------------------------------------------------------------------------

    def _roll(self, hour: int) -> None:
        if self.hour is None:
            self.hour = hour
            return
        if hour <= self.hour:
            return
        closed = self.hour
        self._close_hour(closed)
        for state in self.keys.values():
            state.hour_authors.clear()
        self.hour = hour
        self.background.roll(hour)
        all_state = self.keys.get("all")
        if all_state is not None:
            self.trailing_closed = sum(all_state.series.value(h) for h in range(hour - 23, hour))
        horizon = self.clock - SEEN_SECONDS if self.clock is not None else 0.0
        while self.seen and next(iter(self.seen.values())) < horizon:
            self.seen.popitem(last=False)
        keep_from = (self.clock or 0.0) - max(self.settings.windows_minutes) * 60.0
        while self.recent and next(iter(self.recent.values())).at < keep_from:
            self.recent.popitem(last=False)
        if self.clock is not None:
            self.book.forget(self.clock)

    def _close_hour(self, closed: int) -> None:
        """Cap the closed hour of every key (storms do not teach the baseline) and age the shares."""
        if self.is_established:
            for key, state in self.keys.items():
                expected = self._level(key, state).expected(
                    self.profile, start_seconds=closed * HOUR_SECONDS, end_seconds=(closed + 1) * HOUR_SECONDS
                )
                state.series.cap(closed, storm_ceiling(expected))
        negatives = self.negatives
        decay = 0.5 ** (1.0 / NEGATIVE_HALF_LIFE_HOURS)
        negatives.negative = negatives.negative * decay + negatives.hour_negative
        negatives.total = negatives.total * decay + negatives.hour_total
        negatives.hour_negative = negatives.hour_total = 0

    def _check_established(self, at: float, hour: int) -> None:
        if self.established_at is not None:
            return
        state = self.keys["all"]
        needed = self.settings.min_daily_messages
        if self.trailing_closed + state.series.value(hour) >= needed:
            span = 24
        else:
            # a small brand: a few messages a day, established once some days hold a day's worth
            # at a steady rate (not a stream that is only now starting: its last day would hold
            # most of them, and the 24-hour rule will soon judge it)
            span = max(24, int(self.settings.establish_days * 24))
            held = state.series.total(hour - span + 1, hour + 1)
            last_day = self.trailing_closed + state.series.value(hour)
            if held < needed or last_day > held / 3:
                return
        self.established_at = at
        self.baseline_start = next(h for h in range(hour - span + 1, hour + 1) if state.series.value(h) > 0)

    # -- keys ----------------------------------------------------------------------------------

    def _keys_for(self, observation: Observation, at: float) -> list[str]:
        channel = observation.channel or "unknown"
        first_seen = self.channels.setdefault(channel, at)
        young_channel = (
            self.established_at is not None
            and first_seen > self.established_at
            and at - first_seen < self.settings.warmup_hours * HOUR_SECONDS
        )
        # a new channel's first day is not a storm of the brand: it learns on its own key first
        keys = [] if young_channel else ["all"]
        if len(self.channels) > 1:
            keys.append(f"channel:{channel}")
        if observation.category and observation.category.lower() not in {"none", "other", "unknown"}:
            keys.append(f"category:{observation.category}")
        keys.extend(f"signal:{signal}" for signal in observation.signals)
        if observation.is_negative:
            # complaints alone: a burst of angry people stands out sooner against the usual
            # complaints than against every mention (on a small brand, minutes sooner)
            keys.append(NEGATIVE_KEY)
        if "all" not in self.keys and not keys:
            keys.append("all")
        return keys

    def _key_state(self, key: str, hour: int) -> KeyState:
        state = self.keys.get(key)
        if state is None:
            spans = self.settings.windows_minutes
            if key == "all" and self.settings.negative_window_minutes not in spans:
                spans = (*spans, self.settings.negative_window_minutes)
            state = KeyState(
                series=HourlySeries(),
                windows=[SlidingWindow(minutes * 60.0) for minutes in spans],
                first_hour=hour,
            )
            self.keys[key] = state
        return state

    def _level(self, key: str, state: KeyState) -> Level:
        hour = self.hour
        assert hour is not None
        if state.level is not None and state.level_hour == hour:
            return state.level
        if self.profile_hour != hour:
            start = self._baseline_start()
            all_state = self.keys.get("all")
            if all_state is not None and start is not None:
                self.profile = fit_profile(all_state.series, start=start, end=hour)
            self.profile_hour = hour
        start = self._baseline_start() or hour
        if key == "all":
            level = fit_level(
                state.series, self.profile, start=start, end=hour, level_days=self.settings.level_days
            )
        else:
            # a thin key is pulled towards a small share of the brand's level until it has history
            brand = self._level("all", self.keys["all"]) if "all" in self.keys else None
            prior = 0.05 * brand.per_hour if brand is not None else 0.1
            level = fit_level(
                state.series,
                self.profile,
                start=max(start, min(state.first_hour, hour)),
                end=hour,
                level_days=self.settings.level_days,
                prior_per_hour=max(prior, 0.01),
                exposure_cache=self._profile_exposure,
            )
        state.level, state.level_hour = level, hour
        return level

    def _profile_exposure(self, start: int, end: int) -> float:
        """``exposure_of`` the current profile, remembered until the profile is fitted again."""
        cache = self._exposures
        if cache[0] != self.profile_hour:
            cache = self._exposures = (self.profile_hour, {})
        found = cache[1].get((start, end))
        if found is None:
            found = cache[1][(start, end)] = exposure_of(self.profile, start, end)
        return found

    def _baseline_start(self) -> int | None:
        """The first hour of the day that established the stream: it belongs to the baseline."""
        return self.baseline_start
