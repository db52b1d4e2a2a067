"""The storm book: folds alarms into storms and keeps them growing, going quiet and reopening.

An alarm joins an open storm when it watches the same key, shares a phrase with it, or when
enough of the mentions behind it already belong to the storm (a cluster that explains a volume
spike). An alarm of complaints that agree says what they agree on: it joins a storm only when
that storm is about the same thing (see ``is_about``), so a new problem opens its own incident
even while an unrelated storm keeps the same key busy. Later mentions keep attaching while they
carry the storm's phrases or while its key is still running hot. A storm with no activity for a
while goes quiet; the same key soon after reopens it instead of starting a new one.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from typing import Any

from ombuds.incidents.detectors import text
from ombuds.incidents.detectors.baseline import HOUR_SECONDS
from ombuds.incidents.detectors.detect import NEGATIVE_KEY
from ombuds.incidents.detectors.settings import DetectorSettings
from ombuds.incidents.detectors.storms import Storm, StormChange, StormMessage, assess_severity
from ombuds.incidents.detectors.types import Alarm, Signal, from_timestamp

HotCheck = Callable[[str, list[str], StormMessage, float], bool]

TOPIC_WORDS = 3  # an agreeing alarm's most shared stems name what its people describe
TOPIC_SHARE = 0.2  # a storm is about them when this share of its other sampled mentions uses one
TOPIC_MIN_SAMPLE = 5  # fewer other mentions than this: too few to tell what the storm is about
WHOLE_BRAND_KEYS = frozenset({"all", NEGATIVE_KEY})


class StormBook:
    """Every storm of one brand, open or recently quiet."""

    def __init__(self, settings: DetectorSettings, rng: random.Random) -> None:
        self.settings = settings
        self.rng = rng
        self.storms: dict[int, Storm] = {}
        self.next_storm_id = 1

    def resolve(self, storm_id: int) -> None:
        storm = self.storms.get(storm_id)
        if storm is not None:
            storm.is_open = False
            storm.is_resolved = True

    def open_storms(self) -> list[Storm]:
        return [storm for storm in self.storms.values() if storm.is_open]

    def quiet(self, at: float) -> list[StormChange]:
        changes = []
        limit = self.settings.quiet_after_hours * HOUR_SECONDS
        for storm in self.open_storms():
            if at - storm.last_activity_at.timestamp() >= limit:
                storm.is_open = False
                changes.append(StormChange(storm.storm_id, "quiet", from_timestamp(at)))
        return changes

    def forget(self, clock: float) -> None:
        """Drop storms too long quiet to be reopened, once no window still holds their mentions
        (while one does, they explain its excess: see ``BrandMonitor._is_afterglow``)."""
        hours = max(self.settings.reopen_within_hours, max(self.settings.windows_minutes) / 60)
        horizon = clock - hours * HOUR_SECONDS
        for storm_id in [
            s.storm_id
            for s in self.storms.values()
            if not s.is_open and max(s.last_activity_at.timestamp(), s.last_mention_at or 0.0) < horizon
        ]:
            del self.storms[storm_id]

    def attach(
        self,
        message: StormMessage,
        keys: list[str],
        phrases: Mapping[int, object],
        at: float,
        is_hot: HotCheck,
    ) -> list[StormChange]:
        """A new mention joins the storm whose phrases it carries, else one whose key runs hot
        and whose detectors fired within the hour.

        Joining does not keep a storm alive: only its detectors firing again do, so a trickle of
        look-alike mentions after the burst does not hold an incident open for ever.
        """
        chosen: Storm | None = None
        for storm in self.open_storms():
            if storm.phrases:
                shared = [storm.phrases[key] for key in phrases if key in storm.phrases]
                if len(shared) >= min(2, len(storm.phrases)) or text.LINKS.intersection(shared):
                    chosen = storm
                    break
        if chosen is None:
            for storm in self.open_storms():
                # a storm silent for an hour does not take mentions for its key alone: a new
                # burst keeps the key hot, and its people would vanish into the old incident
                if at - storm.last_activity_at.timestamp() > HOUR_SECONDS:
                    continue
                if any(is_hot(tag, keys, message, at) for tag in _own_tags(storm)):
                    chosen = storm
                    break
        if chosen is None or not chosen.attach(message, self.rng):
            return []
        return [StormChange(chosen.storm_id, "grew", from_timestamp(at), (message.mention_id,))]

    def match(self, alarm: Alarm, tag: str, at: float) -> tuple[Storm | None, bool]:
        # a storm about something else is no match for complaints that agree, even on its key
        topic = alarm_topic(alarm)  # read once for every open storm
        open_storms = [storm for storm in self.open_storms() if is_about(storm, topic) is not False]
        if alarm.signal is not Signal.CLUSTER:
            for storm in open_storms:
                if tag in storm.keys:
                    return storm, False
        if alarm.phrases:
            for storm in open_storms:
                if any(key in storm.phrases for key, _ in alarm.phrases):
                    return storm, False
        # most of a cluster's mentions already in a storm, or a storm that explains a good part
        # of a spike's excess: the same storm seen by another detector
        if alarm.signal in (Signal.CLUSTER, Signal.HIGH_REACH):
            needed = max(1.0, 0.5 * len(alarm.mention_ids))
        else:
            expected = float(alarm.evidence.get("expected", 0.0))
            excess = float(alarm.evidence.get("voices", len(alarm.mention_ids))) - expected
            needed = max(3.0, 0.25 * excess)
        # Only a storm whose detectors fired within the hour: one silent for longer may have
        # taken in a new burst's first mentions merely because they keep its key hot, and the
        # new problem would vanish into the old incident.
        ids = set(alarm.mention_ids)
        best = max(open_storms, key=lambda s: s.overlap(ids), default=None)
        if best is not None and at - best.last_activity_at.timestamp() <= HOUR_SECONDS:
            shared = best.overlap(ids)
            just_opened = at - best.opened_at.timestamp() <= HOUR_SECONDS
            if shared >= needed or (just_opened and shared >= 1):
                return best, False
        # A quiet storm reopens on its own key, but the whole brand's volume or complaints say
        # nothing about what people describe: hours later they are as likely a new problem.
        if alarm.key in WHOLE_BRAND_KEYS:
            return None, False
        horizon = at - self.settings.reopen_within_hours * HOUR_SECONDS
        for storm in self.storms.values():
            if (
                not storm.is_open
                and not storm.is_resolved
                and tag in storm.keys
                and alarm.signal is not Signal.CLUSTER
                and storm.last_activity_at.timestamp() >= horizon
                and is_about(storm, topic) is not False
            ):
                storm.is_open = True
                return storm, True
        return None, False

    def fold(self, alarm: Alarm, recent: Mapping[int, StormMessage]) -> list[StormChange]:
        at = alarm.at.timestamp()
        tag = f"{alarm.signal.value}:{alarm.key}"
        storm, reopened = self.match(alarm, tag, at)
        changes: list[StormChange] = []
        if storm is None and not self.settings.praise_opens and is_praise(alarm, recent):
            return changes  # a wave of thanks or contest entries: good news, not an incident
        if storm is None:
            storm = Storm(
                storm_id=self.next_storm_id,
                signal=alarm.signal,
                key=alarm.key,
                opened_at=alarm.at,
                last_activity_at=alarm.at,
            )
            self.next_storm_id += 1
            self.storms[storm.storm_id] = storm
            kind: Any = "opened"
        elif reopened:
            kind = "reopened"
        elif tag not in storm.keys:
            kind = "signal"
        else:
            kind = "grew"
        storm.keys.add(tag)
        storm.signals.add(alarm.signal.value)
        storm.phrases.update(alarm.phrases)
        if alarm.strength > float(storm.peak.get("strength", 0.0)):
            storm.peak = {
                "signal": alarm.signal.value,
                "key": alarm.key,
                "at": alarm.at.isoformat(),
                "strength": round(alarm.strength, 2),
                "ratio": round(alarm.ratio, 2),
                **alarm.evidence,
            }
        storm.last_activity_at = alarm.at
        # a count on another key joining the storm (the brand's volume, a category's, a channel's)
        # says it is big, not that every mention of that spike is about it: those join by the
        # storm's phrases or its own key as they come
        added = [
            mention_id
            for mention_id in (alarm.mention_ids if draws_mentions(storm, tag) else ())
            if mention_id in recent and storm.attach(recent[mention_id], self.rng)
        ]
        if kind != "grew" or added:
            changes.append(StormChange(storm.storm_id, kind, alarm.at, tuple(added), alarm))
        return changes

    def refresh(
        self, changes: list[StormChange], at: float, rates: Callable[[list[int]], list[float]]
    ) -> list[StormChange]:
        """Keep each touched storm's representative text and severity current."""
        escalations = []
        for storm_id in {change.storm_id for change in changes}:
            storm = self.storms.get(storm_id)
            if storm is None or not storm.sample:
                continue
            if (
                storm.mention_count >= max(3, int(1.5 * storm.represented_at_count))
                or not storm.representative_text
            ):
                texts = [m.text for m in storm.sample]
                chosen = storm.sample[text.medoid(texts, rates)]
                storm.representative_id, storm.representative_text = chosen.mention_id, chosen.text
                storm.represented_at_count = storm.mention_count
            severity = assess_severity(storm)
            if severity.rank > storm.severity.rank:
                storm.severity = severity
                escalations.append(StormChange(storm.storm_id, "escalated", from_timestamp(at)))
        return escalations


def alarm_topic(alarm: Alarm) -> tuple[set[str], set[int]] | None:
    """What ``is_about`` reads of an alarm: the stems naming its problem and its own mentions."""
    topic = set(alarm.evidence.get("shared_words", ())[:TOPIC_WORDS])
    return (topic, set(alarm.mention_ids)) if topic else None


def is_about(storm: Storm, topic: tuple[set[str], set[int]] | None) -> bool | None:
    """Are the agreeing complaints behind an alarm (its ``alarm_topic``, read once for every open
    storm) about what ``storm`` is about?

    The alarm's most shared rare stems name its problem; the storm is about it when enough of
    its sampled mentions, the alarm's own left out, use one of them. The alarm's own mentions
    do not count: a storm whose key runs hot takes in a new burst's first mentions, which would
    make any storm look like the new problem. None when the alarm names nothing (it is not an
    agreement alarm) or the storm holds too few other mentions to tell.
    """
    if topic is None:
        return None
    stems, own = topic
    others = [m.text for m in storm.sample if m.mention_id not in own]
    if len(others) < TOPIC_MIN_SAMPLE:
        return None
    # asked for every open storm at every alarm: counted without a Python step per mention
    using = len(others) - sum(map(stems.isdisjoint, map(text.stem_set, others)))
    return using >= TOPIC_SHARE * len(others)


PRAISE_POSITIVE_SHARE = 0.6
PRAISE_NEGATIVE_SHARE = 0.15


def is_praise(alarm: Alarm, recent: Mapping[int, StormMessage]) -> bool:
    """Mostly positive and hardly negative: the mentions behind the alarm are good news.

    A high-reach author is never praise here (the alarm only fires on a negative mention).
    """
    sentiments = [recent[m].sentiment for m in alarm.mention_ids if m in recent]
    known = [s for s in sentiments if s]
    if alarm.signal is Signal.HIGH_REACH or len(known) < 3:
        return False
    positive = sum(1 for s in known if s == "positive") / len(known)
    negative = sum(1 for s in known if s == "negative") / len(known)
    return positive >= PRAISE_POSITIVE_SHARE and negative < PRAISE_NEGATIVE_SHARE


#: Signals that count a key's mentions (the brand's, a category's, a channel's) rather than name a
#: subject (a phrase, a cluster, an author): every mention of a spike on the key is in their alarm.
COUNTING = frozenset({Signal.VOLUME.value, Signal.SIGNAL_RISE.value, Signal.NEGATIVE_SHARE.value})


def draws_mentions(storm: Storm, tag: str) -> bool:
    """Do the mentions behind an alarm on ``tag`` (or a key of ``tag`` running hot) belong to the
    storm? A subject's always; a count's only on the key that opened the storm. A storm about a
    marketing post that the brand's volume, or a category's, joined is bigger for it, yet a billing
    question or a lost bag written in that busy hour is not about the post, and its customer must
    not get the post's holding statement."""
    return tag.partition(":")[0] not in COUNTING or tag == f"{storm.signal.value}:{storm.key}"


def _own_tags(storm: Storm) -> list[str]:
    """The keys whose heat draws new mentions into the storm (``draws_mentions``)."""
    return [tag for tag in sorted(storm.keys) if draws_mentions(storm, tag)]
