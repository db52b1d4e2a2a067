"""The individual detectors, each asked after every mention once the stream is established."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from ombuds.incidents.detectors.baseline import Level, storm_ceiling
from ombuds.incidents.detectors.meaning import MeaningLinks
from ombuds.incidents.detectors.settings import DetectorSettings
from ombuds.incidents.detectors.stats import (
    binomial_log_sf,
    negative_binomial_log_pmf,
    negative_binomial_log_sf,
    negative_binomial_strength_bound,
    strength,
)
from ombuds.incidents.detectors.storms import StormMessage
from ombuds.incidents.detectors.text import STOPWORDS, Span, phrase_text, stems, word_hash, words
from ombuds.incidents.detectors.types import Alarm, Observation, Signal, from_timestamp
from ombuds.incidents.detectors.windows import SlidingWindow

if TYPE_CHECKING:
    from ombuds.incidents.detectors.monitor import BrandMonitor

HOT_RATIO = 1.5  # a storm's key keeps collecting mentions while it runs this much above normal
HOT_STRENGTH = 2.0  # ... and that excess would happen by chance less than once in a hundred hours
NEGATIVE_KEY = "tone:negative"  # complaints alone, a key like a category
AGREE_KEYS = ("all", NEGATIVE_KEY)
TERMS_KEPT = 4096  # mentions whose rare stems are remembered for the agreement test
LINKS_KEPT = 200_000  # pairs of authors whose link is remembered (about 30 MB at most)
WEEK_HOURS = 7 * 24.0
_UNKNOWN: tuple[str, ...] = ()  # a link not worked out yet (a found one is never empty)


@dataclass(slots=True)
class _WindowLinks:
    """The profiles a window held when last asked for its agreeing group, and their links."""

    present: set[int] = field(default_factory=set)
    users: dict[str, set[int]] = field(default_factory=dict)  # stem -> present profiles using it
    linked: dict[int, dict[int, tuple[str, ...]]] = field(default_factory=dict)


class Detectors:
    """Volume, negative share, emerging clusters, high reach and rising signals for one monitor."""

    def __init__(self, monitor: BrandMonitor) -> None:
        self.monitor = monitor
        self._terms: dict[int, dict[str, float]] = {}  # mention id -> its rare stems
        # an author's mentions in a window -> (a number, their rare stems); see ``_agreeing``
        self._profiles: dict[tuple[int, ...], tuple[int, dict[str, float]]] = {}
        # two such numbers -> the stems that link them, or None where they do not link
        self._links: dict[tuple[int, int], tuple[str, ...] | None] = {}
        self._numbered = 0
        self._stems: dict[int, dict[str, float]] = {}  # a profile's number -> its stems
        # a window's identity -> the window and the links among the profiles it held last
        self._windows: dict[int, tuple[SlidingWindow, _WindowLinks]] = {}
        self._complaint_spans = {minutes * 60.0 for minutes in monitor.settings.complaint_windows_minutes}
        self.meaning: MeaningLinks | None = None  # links by meaning, where a reader is given

    def run(
        self,
        observation: Observation,
        message: StormMessage,
        keys: list[str],
        phrases: dict[int, str | Span],
        tokens: list[str],
        at: float,
    ) -> list[Alarm]:
        moment = _moment(observation, at)
        found = [self.volume(key, moment, at) for key in keys]
        for key, alarm in zip(keys, list(found), strict=True):
            if alarm is None and key == NEGATIVE_KEY:
                found.append(self.complaints(moment, at))
            if alarm is None and key in AGREE_KEYS:
                found.append(self.agreement(key, moment, at))
        found.append(self.negative_share(moment))
        found.append(self.cluster(phrases, tokens, moment))
        found.append(self.reach(observation, message, moment))
        return [alarm for alarm in found if alarm is not None]

    # -- volume and rising signals --------------------------------------------------------------

    def volume(self, key: str, moment: datetime, at: float) -> Alarm | None:
        monitor, settings = self.monitor, self.monitor.settings
        state = monitor.keys[key]
        if key == "all":
            minimum = settings.volume_min_count
        elif key.startswith("signal:"):
            minimum = settings.signal_min_count
        else:
            minimum = settings.key_min_count
        # the cheap bound first: most windows are far from the threshold
        level = monitor.level(key)
        dispersion = level.dispersion if level is not None else 1.0
        within: list[tuple[float, int, SlidingWindow, float]] = []
        for index, window in enumerate(state.windows):
            voices = window.voices
            if voices < minimum:
                continue
            expected = monitor.expected(key, start=at - window.span, end=at)
            if voices < settings.volume_min_ratio * expected:
                continue
            bound = negative_binomial_strength_bound(voices, expected, dispersion)
            if bound >= settings.volume_strength:
                within.append((-bound, index, window, expected))
        # the exact tail (a special function, the test's dearest part) from the highest bound down,
        # until no bound left can beat the strongest: while a storm lasts, most of a key's windows
        # pass their bound at every message. The strongest window wins, the first listed of equals;
        # its alarm (all its mention ids) is built once, at the end.
        best: tuple[float, int, SlidingWindow, float] | None = None
        for negative_bound, index, window, expected in sorted(within):
            if best is not None and -negative_bound < best[0]:
                break
            power = strength(negative_binomial_log_sf(window.voices, expected, dispersion))
            if power >= settings.volume_strength and (best is None or (power, -index) > (best[0], -best[1])):
                best = (power, index, window, expected)
        if best is None:
            return None
        power, _, window, expected = best
        signal = Signal.SIGNAL_RISE if key.startswith("signal:") else Signal.VOLUME
        return _window_alarm(signal, key, moment, window, power, expected, level)

    def complaints(self, moment: datetime, at: float) -> Alarm | None:
        """Complaints alone in a short window, judged by how often a stream of this volume would
        reach that many by chance.

        A fixed tail (the volume test's 10^-6.5) asks the same of every stream, yet a stream of a
        few complaints an hour gives a quarter-hour window few chances a week to reach five,
        while one of hundreds an hour gives it thousands. Each complaint is a moment the window
        can first reach ``voices``; at this hour's rate a week holds ``168 * rate`` of them, each
        doing so with the chance that the others already number ``voices - 1`` (negative
        binomial, as the volume test). A window alarms when a week like this would see that
        happen by chance less than ``complaint_alarms_per_week`` times, with at least
        ``complaint_min_voices`` voices and twice the expectation: on a small brand five angry
        customers in a quarter hour where half of one is usual, on a large one far more.
        """
        monitor, settings = self.monitor, self.monitor.settings
        state = monitor.keys[NEGATIVE_KEY]
        level = monitor.level(NEGATIVE_KEY)
        dispersion = level.dispersion if level is not None else 1.0
        best: tuple[SlidingWindow, float, float, float] | None = None
        for window in state.windows:
            voices = window.voices
            if window.span not in self._complaint_spans or voices < settings.complaint_min_voices:
                continue
            expected = monitor.expected(NEGATIVE_KEY, start=at - window.span, end=at)
            if voices < settings.volume_min_ratio * expected:
                continue
            per_week = by_chance_per_week(voices, expected, window.span / 3600.0, dispersion)
            if per_week > settings.complaint_alarms_per_week:
                continue
            if best is not None and negative_binomial_strength_bound(voices, expected, dispersion) <= best[1]:
                continue
            power = strength(negative_binomial_log_sf(voices, expected, dispersion))
            if best is not None and power <= best[1]:
                continue
            best = (window, power, expected, per_week)
        if best is None:
            return None
        window, power, expected, per_week = best
        return _window_alarm(
            Signal.VOLUME,
            NEGATIVE_KEY,
            moment,
            window,
            power,
            expected,
            level,
            by_chance_per_week=round(per_week, 4),
        )

    def cold_volume(self, observation: Observation, at: float) -> list[Alarm]:
        """Before the stream is established: the whole brand's voices in a window against a
        pessimistic rate (its mean so far or over the last day, whichever is higher, times
        ``cold_peak_factor``), with more evidence than the volume test asks. Nothing during the
        first ``cold_min_hours``: no rate is known yet."""
        monitor, settings = self.monitor, self.monitor.settings
        state = monitor.keys.get("all")
        if state is None or monitor.hour is None:
            return []
        # the days a small brand is established on: older silence says little about today's rate
        start = max(state.first_hour, monitor.hour - int(settings.establish_days * 24))
        hours = at / 3600.0 - start
        seen = state.series.total(start, monitor.hour)  # closed hours: not the burst in progress
        if hours < settings.cold_min_hours or seen < settings.cold_min_messages:
            return []
        last_day = monitor.trailing_closed / 23.0
        before = (seen - monitor.trailing_closed) / max(hours - 24.0, 1.0)
        if last_day > settings.cold_steady_ratio * before:
            return []  # the last day far busier than the days before: a stream only now starting
        # The busier of the week's and the last day's rates, at the brand's busiest hours. An
        # earlier storm's hours count as busy hours, not as the storm: yesterday's burst would
        # otherwise triple the rate and blind the test to today's.
        ceiling = storm_ceiling(seen / hours)
        usual = state.series.capped_total(start, monitor.hour, ceiling) / hours
        usual_last_day = state.series.capped_total(monitor.hour - 23, monitor.hour, ceiling) / 23.0
        per_hour = settings.cold_peak_factor * max(usual, usual_last_day)
        needed = settings.volume_strength + settings.cold_extra_strength
        best: Alarm | None = None
        for window in state.windows:
            voices = window.voices
            expected = per_hour * window.span / 3600.0
            if voices < max(settings.volume_min_count, settings.volume_min_ratio * expected):
                continue
            power = strength(negative_binomial_log_sf(voices, expected, 0.0))  # the factor is the doubt
            if power < needed or (best is not None and power <= best.strength):
                continue
            best = Alarm(
                signal=Signal.VOLUME,
                key="all",
                at=_moment(observation, at),
                mention_ids=tuple(window.mention_ids()),
                strength=power,
                ratio=voices / expected,
                evidence={
                    "window_minutes": int(window.span // 60),
                    "voices": voices,
                    "expected": round(expected, 2),
                    "baseline_per_hour": round(seen / hours, 2),
                    "history_days": round(hours / 24, 1),
                    "cold_start": True,
                },
            )
        return [best] if best is not None else []

    # -- complaints that agree ----------------------------------------------------------------

    def agreement(self, key: str, moment: datetime, at: float) -> Alarm | None:
        """A short window somewhat above normal whose people mostly describe one thing.

        Volume alone needs about ten voices in a quarter of an hour on a stream of a hundred a
        day; a handful of customers within minutes is only unusual when they agree. So most of
        the window's voices (and at least a few) must form one group linked by stems the stream
        seldom uses ("offline", "crash", "charg"), whatever their wording, and the two kinds of
        evidence add up: the volume test's strength as a share of its own threshold plus the
        agreeing voices as a share of ``agree_full_voices`` must reach one. Half-way on each is
        enough; a window barely above normal needs many people agreeing, a handful who agree
        need a clear excess. Two chances, each somewhat rare, rarely meet by chance.
        """
        monitor, settings = self.monitor, self.monitor.settings
        state = monitor.keys[key]
        level = monitor.level(key)
        dispersion = level.dispersion if level is not None else 1.0
        best: Alarm | None = None
        for window in state.windows:
            voices = window.voices
            if window.span > max(settings.agree_windows_minutes) * 60.0 or voices < settings.agree_min_voices:
                continue
            expected = monitor.expected(key, start=at - window.span, end=at)
            if voices < settings.volume_min_ratio * expected:
                continue
            bound = negative_binomial_strength_bound(voices, expected, dispersion)
            if (best is not None and bound <= best.strength) or not enough_agreement(
                bound, voices, voices, settings
            ):
                continue
            power = strength(negative_binomial_log_sf(voices, expected, dispersion))
            if best is not None and power <= best.strength:
                continue
            if not enough_agreement(power, voices, voices, settings):
                continue  # even if every voice agreed, the two together would fall short
            group, shared = self._agreeing(window)
            by_meaning = False
            if not enough_agreement(power, len(group), voices, settings):
                if self.meaning is None or voices > settings.agree_meaning_max_voices or not self._small():
                    continue
                group, shared = self._agreeing(window, also=self._meaning_pairs(window, at))
                if not enough_agreement(power, len(group), voices, settings):
                    continue
                by_meaning = True
            best = Alarm(
                signal=Signal.VOLUME,
                key=key,
                at=moment,
                mention_ids=tuple(e.mention_id for e in window.entries if e.voice in group),
                strength=power,
                ratio=voices / expected if expected > 0 else math.inf,
                evidence={
                    "window_minutes": int(window.span // 60),
                    "voices": voices,
                    "agreeing_voices": len(group),
                    "shared_words": shared[:10],
                    # linked by what they mean as well as by words (the page says so)
                    **({"agreeing_by_meaning": True} if by_meaning else {}),
                    "expected": round(expected, 2),
                    "baseline_per_hour": round(level.per_hour, 2) if level else None,
                    "history_days": round(level.history_hours / 24, 1) if level else None,
                },
            )
        return best

    def _small(self) -> bool:
        """Did the stream bring few enough messages over the last day to be read for meaning?"""
        return self.monitor.trailing_closed <= self.monitor.settings.agree_meaning_max_per_day

    def _meaning_pairs(self, window: SlidingWindow, at: float) -> list[tuple[str, str]]:
        """The window's authors who mean the same, against what the stream said before the
        agreement test's longest window (so a burst's earlier messages are not its background)."""
        assert self.meaning is not None
        written: dict[str, list[int]] = {}
        for entry in window.entries:
            written.setdefault(entry.voice, []).append(entry.mention_id)
        before = at - max(self.monitor.settings.agree_windows_minutes) * 60.0
        recent = self.monitor.recent
        background = (m for m in recent.values() if m.at < before)
        return self.meaning.pairs(written, background, recent, self.monitor.settings)

    def _agreeing(
        self, window: SlidingWindow, also: Sequence[tuple[str, str]] = ()
    ) -> tuple[set[str], list[str]]:
        """The largest group of the window's authors linked pair by pair by the rare stems they
        share: their surprise (-log10 of each stem's rate in the stream, summed) must reach
        ``agree_link_strength``, so one rare word links two people and so do two less rare ones,
        but a word that merely is not common does not chain unrelated complaints together."""
        if len(self._links) > LINKS_KEPT:
            self._forget_links()
        # An author's stems (the rarest rate of each over their mentions in the window) depend
        # only on which of their mentions the window holds: each such list of mentions is a
        # profile, numbered, whose stems are read once.
        profiles = self._profiles
        written: dict[str, list[int]] = {}
        for entry in window.entries:
            found = written.get(entry.voice)
            if found is None:
                written[entry.voice] = [entry.mention_id]
            else:
                found.append(entry.mention_id)
        authors = list(written)
        numbers: list[int] = []
        read: dict[int, dict[str, float]] = {}
        for author in authors:
            mentions = tuple(written[author])
            profile = profiles.get(mentions)
            if profile is None:
                stems: dict[str, float] = {}
                for mention_id in mentions:
                    for stem, rate in self._rare_stems(mention_id).items():
                        stems[stem] = min(rate, stems.get(stem, 1.0))
                self._numbered += 1  # never reused: a number stands for one set of stems
                profile = profiles[mentions] = (self._numbered, stems)
            numbers.append(profile[0])
            read[profile[0]] = profile[1]
        # after the loop: reading a mention's stems may have dropped what was remembered
        self._stems.update(read)
        linked = self._linked_in(window, numbers)
        parent = list(range(len(authors)))

        def root(index: int) -> int:
            while parent[index] != index:
                parent[index] = parent[parent[index]]
                index = parent[index]
            return index

        position = {number: index for index, number in enumerate(numbers)}
        pairs: list[tuple[int, int, tuple[str, ...]]] = [
            (index, position[other], shared)
            for index, number in enumerate(numbers)
            for other, shared in linked[number].items()
            if position[other] > index
        ]
        if also:
            # Linked by meaning too (no stems to count): looser links, so a voice must be close
            # to at least two others; a chain of pairs each somewhat alike (a delay, a wait, a
            # fee) is not one problem.
            place = {author: index for index, author in enumerate(authors)}
            pairs.extend((place[a], place[b], ()) for a, b in also if a in place and b in place)
            kept = _at_least_two_links(len(authors), [(a, b) for a, b, _ in pairs])
            pairs = [(a, b, shared) for a, b, shared in pairs if a in kept and b in kept]
        used: dict[str, int] = {}  # every linking pair of the window counts its shared stems once
        for first, second, shared in pairs:
            parent[root(second)] = root(first)
            for stem in shared:
                used[stem] = used.get(stem, 0) + 1
        groups: dict[int, list[int]] = {}
        for index in range(len(authors)):
            groups.setdefault(root(index), []).append(index)
        members = max(groups.values(), key=len, default=[])
        if len(members) < 2:
            return set(), []
        theirs: set[str] = set().union(*(read[numbers[index]] for index in members))
        # Ties go by the stem itself: ``used`` fills in set order, which differs between
        # processes (string hashing), and the first words name the incident.
        telling = [
            stem for _, stem in sorted((-count, stem) for stem, count in used.items() if stem in theirs)
        ]
        return {authors[index] for index in members}, telling

    def _linked_in(self, window: SlidingWindow, numbers: list[int]) -> dict[int, dict[int, tuple[str, ...]]]:
        """The links among a window's profiles (``numbers``, in the window's order of authors):
        for each, the profiles it links to and the stems they share.

        A window moves by a mention at a time, so the links of the profiles it held at the
        last call are kept and only a profile new to it is compared, with the profiles that
        share one of its stems (found through an index of who uses each stem). The pair is
        compared as the window orders it (its earlier author's stems first: the surprise is
        summed in the order of their shared stems) and remembered for the other windows.
        """
        known = self._windows.get(id(window))
        if known is None or known[0] is not window:
            known = self._windows[id(window)] = (window, _WindowLinks())
        links, stems_of, state = self._links, self._stems, known[1]
        present = set(numbers)
        users, linked = state.users, state.linked
        for gone in state.present - present:
            for stem in stems_of[gone]:
                holders = users[stem]
                holders.discard(gone)
                if not holders:
                    del users[stem]
            for other in linked.pop(gone):
                del linked[other][gone]
        needed = self.monitor.settings.agree_link_strength
        position: dict[int, int] | None = None
        for number in numbers:
            if number in linked:
                continue
            if position is None:
                position = {n: index for index, n in enumerate(numbers)}
            mine = stems_of[number]
            partners: set[int] = set()
            for stem in mine:
                using = users.get(stem)
                if using is None:
                    users[stem] = {number}
                else:
                    partners.update(using)
                    using.add(number)
            found = linked[number] = {}
            for other in partners:
                pair = (number, other) if position[number] < position[other] else (other, number)
                link = links.get(pair, _UNKNOWN)
                if link is _UNKNOWN:
                    first, second = stems_of[pair[0]], stems_of[pair[1]]
                    shared = first.keys() & second.keys()
                    surprise = sum(-math.log10(max(first[s], second[s])) for s in shared)
                    link = links[pair] = tuple(shared) if surprise >= needed else None
                if link is not None:
                    found[other] = link
                    linked[other][number] = link
        state.present = present
        return linked

    def _forget_links(self) -> None:
        """Drop what ``_agreeing`` remembers (it is read again as needed)."""
        self._profiles.clear()
        self._links.clear()
        self._stems.clear()
        self._windows.clear()

    def _rare_stems(self, mention_id: int) -> dict[str, float]:
        """A mention's stems of words the stream seldom uses, with the rarest word's rate."""
        known = self._terms.get(mention_id)
        if known is not None:
            return known
        message = self.monitor.recent.get(mention_id)
        if message is None:
            return {}
        settings = self.monitor.settings
        telling = sorted({w for w in words(message.text) if len(w) >= 4 and w not in STOPWORDS})
        rates = self.monitor.background.rates([word_hash(w) for w in telling])
        found: dict[str, float] = {}
        for stem, rate in zip(stems(telling), rates, strict=True):
            if rate < settings.agree_rare_rate:
                found[stem] = min(rate, found.get(stem, 1.0))
        if len(self._terms) >= TERMS_KEPT:
            recent = self.monitor.recent
            self._terms = {k: v for k, v in self._terms.items() if k in recent}
            # the remembered authors and links were read from stems some of which are gone
            self._forget_links()
        self._terms[mention_id] = found
        return found

    # -- negative share -------------------------------------------------------------------------

    def negative_share(self, moment: datetime) -> Alarm | None:
        monitor, settings = self.monitor, self.monitor.settings
        window = monitor.window("all", settings.negative_window_minutes)
        if window is None or window.voices < settings.negative_min_count:
            return None
        usual = monitor.negative_share()
        voices, negative = window.voices, window.negative_voices
        if negative / voices < usual + settings.negative_min_lift:
            return None
        power = strength(binomial_log_sf(negative, voices, min(0.99, usual + 0.05)))
        if power < settings.negative_strength:
            return None
        return Alarm(
            signal=Signal.NEGATIVE_SHARE,
            key="all",
            at=moment,
            mention_ids=tuple(e.mention_id for e in window.entries if e.is_negative),
            strength=power,
            ratio=(negative / voices) / usual if usual else math.inf,
            evidence={
                "window_minutes": settings.negative_window_minutes,
                "voices": voices,
                "negative_voices": negative,
                "usual_negative_share": round(usual, 3),
                "expected": round(voices * usual, 2),
            },
        )

    # -- emerging clusters ----------------------------------------------------------------------

    def cluster(self, phrases: dict[int, str | Span], tokens: list[str], moment: datetime) -> Alarm | None:
        monitor, settings = self.monitor, self.monitor.settings
        background = monitor.background
        # history counted in messages, not decayed: a small brand's background never holds many
        # at once, yet weeks of it tell well enough which phrases are ordinary
        if background.seen < settings.cluster_min_background:
            return None
        window = monitor.phrase_window
        total = window.total_voices
        # phrases of open storms are tested too: a cluster that keeps firing keeps its storm alive
        firing: list[int] = []
        best_power, best_voices, best_rate = 0.0, 0, 0.0
        for key in phrases:
            voices = window.voices(key)
            if voices < settings.cluster_min_authors or voices < settings.cluster_min_share * total:
                continue
            rate = background.rate(key)
            power = strength(binomial_log_sf(voices, total, min(0.5, 3.0 * rate)))
            if power >= settings.cluster_strength:
                firing.append(key)
                if power > best_power:
                    best_power, best_voices, best_rate = power, voices, rate
        if not firing:
            return None
        expected = total * best_rate
        named = tuple((key, _name(phrases[key], tokens)) for key in firing)
        return Alarm(
            signal=Signal.CLUSTER,
            key="phrase",
            at=moment,
            mention_ids=tuple(window.members(firing)),
            strength=best_power,
            ratio=best_voices / expected if expected else math.inf,
            phrases=named,
            evidence={
                "window_minutes": settings.cluster_window_minutes,
                "voices": best_voices,
                "window_voices": total,
                "expected": round(expected, 3),
                "phrases": sorted(name for _, name in named)[:10],
            },
        )

    # -- high reach -----------------------------------------------------------------------------

    def reach(self, observation: Observation, message: StormMessage, moment: datetime) -> Alarm | None:
        settings = self.monitor.settings
        if not observation.is_negative:
            return None
        followers, engagement = message.followers, message.engagement
        if not (
            observation.is_media
            or followers >= settings.reach_min_followers
            or engagement >= settings.reach_min_engagement
        ):
            return None
        audience = max(followers, 100 * engagement, 1000 if observation.is_media else 1)
        return Alarm(
            signal=Signal.HIGH_REACH,
            key=f"author:{observation.voice}",
            at=moment,
            mention_ids=(observation.mention_id,),
            strength=math.log10(audience),
            evidence={
                "author": observation.author,
                "channel": observation.channel,
                "followers": followers,
                "engagement": engagement,
                "is_media": observation.is_media,
                "voices": 1,
                "expected": 0,
            },
        )

    # -- while a storm lasts --------------------------------------------------------------------

    def is_hot(self, tag: str, keys: list[str], message: StormMessage, at: float) -> bool:
        """Does this mention still belong to the storm that watches ``tag``?"""
        signal, _, key = tag.partition(":")
        monitor, settings = self.monitor, self.monitor.settings
        if signal in (Signal.VOLUME.value, Signal.SIGNAL_RISE.value):
            if key not in keys:
                return False
            window, level = monitor.window(key, 60), monitor.level(key)
            if window is None or level is None:
                return False
            expected = monitor.expected(key, start=at - 3600.0, end=at)
            if window.voices < max(3.0, HOT_RATIO * expected):
                return False
            # still clearly above normal, not merely a busy moment
            if negative_binomial_strength_bound(window.voices, expected, level.dispersion) < HOT_STRENGTH:
                return False
            return (
                strength(negative_binomial_log_sf(window.voices, expected, level.dispersion)) >= HOT_STRENGTH
            )
        if signal == Signal.NEGATIVE_SHARE.value:
            window = monitor.window("all", settings.negative_window_minutes)
            if not message.is_negative or window is None or not window.voices:
                return False
            usual = monitor.negative_share()
            return window.negative_voices / window.voices >= usual + settings.negative_min_lift / 2
        if signal == Signal.HIGH_REACH.value:
            return key == f"author:{message.voice}"
        return False


def _at_least_two_links(count: int, pairs: Sequence[tuple[int, int]]) -> set[int]:
    """The members of ``range(count)`` left when those with fewer than two links among the
    others left are taken out, one after another (the graph's 2-core)."""
    neighbours: list[set[int]] = [set() for _ in range(count)]
    for first, second in pairs:
        neighbours[first].add(second)
        neighbours[second].add(first)
    left = set(range(count))
    weak = [index for index in left if len(neighbours[index]) < 2]
    while weak:
        index = weak.pop()
        if index not in left:
            continue
        left.discard(index)
        for other in neighbours[index]:
            neighbours[other].discard(index)
            if other in left and len(neighbours[other]) < 2:
                weak.append(other)
    return left


def enough_agreement(power: float, agreeing: int, voices: int, settings: DetectorSettings) -> bool:
    """Do a window's excess (``power``, -log10 of its tail) and its ``agreeing`` voices of
    ``voices`` together make an alarm? Each is counted as a share of what would be enough on
    its own (``volume_strength``; ``agree_full_voices``) and the shares must add up to one, so a
    burst half-way on each is found while either alone still needs its full amount. Agreeing
    voices count only when they are at least ``agree_min_voices`` and ``agree_min_share`` of the
    window, and the excess only above ``agree_strength``."""
    if power < settings.agree_strength:
        return False
    if agreeing < max(settings.agree_min_voices, settings.agree_min_share * voices):
        return False
    return power / settings.volume_strength + agreeing / settings.agree_full_voices >= 1.0


def _window_alarm(
    signal: Signal,
    key: str,
    moment: datetime,
    window: SlidingWindow,
    power: float,
    expected: float,
    level: Level | None,
    **evidence: object,
) -> Alarm:
    """A window's count against its expectation as an alarm, with the evidence people read."""
    voices = window.voices
    return Alarm(
        signal=signal,
        key=key,
        at=moment,
        mention_ids=tuple(window.mention_ids()),
        strength=power,
        ratio=voices / expected if expected > 0 else math.inf,
        evidence={
            "window_minutes": int(window.span // 60),
            "voices": voices,
            "expected": round(expected, 2),
            **evidence,
            "baseline_per_hour": round(level.per_hour, 2) if level else None,
            "history_days": round(level.history_hours / 24, 1) if level else None,
        },
    )


def by_chance_per_week(voices: int, expected: float, hours: float, dispersion: float) -> float:
    """How often a week at this rate would see a window of ``hours`` reach ``voices`` by chance.

    The window first reaches ``voices`` when a mention arrives while it holds ``voices - 1``
    others; mentions arrive ``expected / hours`` times an hour and each finds the window as it
    usually is, so a week holds ``168 * expected / hours`` chances, each taken with the chance
    of ``voices - 1`` (the usual count being ``expected``, negative binomial). A count not
    above the usual one is no chance event: infinitely often."""
    if voices <= expected:
        return math.inf
    if expected <= 0.0:
        return 0.0
    chances = WEEK_HOURS * expected / hours
    return chances * math.exp(negative_binomial_log_pmf(voices - 1, expected, dispersion))


def _moment(observation: Observation, at: float) -> datetime:
    """The detectors' clock as a moment: the mention's own time unless it arrived late."""
    return observation.at if observation.at.timestamp() == at else from_timestamp(at)


def _name(found: str | Span, tokens: list[str]) -> str:
    return found if isinstance(found, str) else phrase_text(tokens, found)
