"""Early warning on the development data: incidents found, detection delay, false alarms.

    .venv/bin/python benchmarks/eval_early_warning.py [--data DIR] [--seeds 3] [--sizes 20,40]
        [--minutes 30] [--only replay|volume] [--shares 0.1,...,1] [--volume-seeds 3] [--out FILE]

1. Replays ../shared/data/airline_dev.csv per airline in time order and lists the incidents the
   detectors open (with the first-day count: a stream's first day must stay quiet), scored
   against events annotated by reading the tweets (benchmarks/data/airline_dev_events.json);
   then again with only 43 % and 30 % of the mentions (the held-back split is 30 % of the data).
2. Replays the SpotifyCares inbound stream untouched: every incident there is either the one
   real outage it contains or a false alarm.
3. Injects bursts built from real messages (``echo``: people quoting one message; ``volume``:
   a surge of different messages, new authors) into quiet hours of both streams and measures
   the delay from a burst's first message to the incident, for our detectors and for two
   baselines: a fixed hourly threshold, and "the last hour against the previous twelve".
4. At every volume: each stream thinned to a seeded 10 % ... 100 % of its mentions, with bursts
   of three shapes (``burst``: 34 new authors describing one new problem in their own words
   within 40 minutes; ``slow``: the same building up over three hours; ``echo``: 20 people
   quoting one message within 30 minutes) injected at start times alternating between quiet and
   busy hours. Thresholds were chosen on the first half of each stream's days with one bank of
   problems (``bursts.TUNING_TOPICS``); this reports on the second half with the other bank
   (``bursts.REPORT_TOPICS``). ``--half tuning`` runs the first half instead (from a week after
   the stream's real start, two days for an airline), with the tuning bank: for choosing. On the
   airlines the incidents on no burst are also scored against the annotated events.

Prints one JSON object (and writes it to ``--out`` when given). Only development data is read.
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from ombuds.incidents.detectors import BrandMonitor, Observation
from ombuds.incidents.detectors.meaning import ReadMeaning
from ombuds_lab.incidents import evaluation as ev
from ombuds_lab.incidents.bursts import REPORT_TOPICS, TUNING_TOPICS
from ombuds_lab.incidents.scaled import SHAPES, Run, scaled_run, summarise
from ombuds_lab.incidents.streams import analyse_texts, streams_from_file

REPOSITORY = Path(__file__).resolve().parents[1]
EVENTS = REPOSITORY / "benchmarks" / "data" / "airline_dev_events.json"
DEFAULT_DATA = REPOSITORY.parent / "shared" / "data"
DETECTORS: dict[str, Callable[[Sequence[Observation]], list[ev.Opening]]] = {
    "ombuds": ev.run_monitor,
    "fixed_threshold": ev.fixed_threshold,
    "last_hour_vs_previous_12h": ev.last_hour_vs_previous_12,
}


def score_against_events(openings: dict[str, list[ev.Opening]], weeks: float) -> dict[str, Any]:
    scored = ev.score_events(openings, ev.load_events(EVENTS))
    return {
        "events": len(scored.found) + len(scored.missed),
        "found": [
            {"brand": e.brand, "kind": e.kind, "what": e.what, "delay_min": round(delay, 1)}
            for e, delay in scored.found
        ],
        "missed": [{"brand": e.brand, "kind": e.kind, "what": e.what} for e in scored.missed],
        "false_incidents": len(scored.false),
        "false_incidents_per_brand_week": round(len(scored.false) / weeks, 2) if weeks else None,
    }


def thinned(streams: dict[str, list[Observation]], share: float, seed: int) -> dict[str, list[Observation]]:
    """Each stream with a random ``share`` of its mentions: the same days at a lower volume."""
    rng = random.Random(seed)
    return {brand: [o for o in stream if rng.random() < share] for brand, stream in streams.items()}


def lower_volume(
    streams: dict[str, list[Observation]], *, shares: Sequence[float], seeds: int
) -> dict[str, Any]:
    """The airline replay at a fraction of the volume: does what is found survive a thinner stream?"""
    out: dict[str, Any] = {}
    for share in shares:
        runs = []
        for seed in range(seeds):
            sample = thinned(streams, share, seed)
            weeks = sum(ev.brand_weeks(stream) for stream in sample.values())
            openings = {brand: DETECTORS["ombuds"](stream) for brand, stream in sample.items()}
            scored = score_against_events(openings, weeks)
            runs.append(
                {
                    "found": sorted(
                        f"{f['brand']}: {f['what']} (+{f['delay_min']} min)" for f in scored["found"]
                    ),
                    "false_incidents_per_brand_week": scored["false_incidents_per_brand_week"],
                    "first_day_incidents": sum(
                        ev.first_day_openings(openings[b], s) for b, s in sample.items()
                    ),
                }
            )
        out[f"{int(share * 100)}%"] = runs
    return out


def replay_airlines(streams: dict[str, list[Observation]]) -> dict[str, Any]:
    brands: dict[str, Any] = {}
    all_openings: dict[str, dict[str, list[ev.Opening]]] = {name: {} for name in DETECTORS}
    totals: dict[str, dict[str, float]] = {name: {"incidents": 0, "first_day": 0} for name in DETECTORS}
    weeks = 0.0
    for brand, stream in sorted(streams.items()):
        weeks += ev.brand_weeks(stream)
        found: dict[str, Any] = {"brand_weeks": round(ev.brand_weeks(stream), 2)}
        for name, detector in DETECTORS.items():
            openings = detector(stream)
            all_openings[name][brand] = openings
            totals[name]["incidents"] += len(openings)
            totals[name]["first_day"] += ev.first_day_openings(openings, stream)
            if name == "ombuds":
                found["incidents"] = [
                    {
                        "opened_at": o.opened_at.isoformat(),
                        "signal": o.signal,
                        "mention_count": len(o.mention_ids),
                        "representative_text": o.representative_text,
                    }
                    for o in openings
                ]
            else:
                found[f"{name}_incidents"] = len(openings)
        brands[brand] = found
    summary = {
        name: {
            "incidents": int(t["incidents"]),
            "incidents_per_brand_week": round(t["incidents"] / weeks, 2),
            "first_day_incidents": int(t["first_day"]),
            "against_annotated_events": score_against_events(all_openings[name], weeks),
        }
        for name, t in totals.items()
    }
    return {"brand_weeks": round(weeks, 2), "summary": summary, "brands": brands}


def quiet_stream(stream: list[Observation]) -> dict[str, Any]:
    weeks = ev.brand_weeks(stream)
    result: dict[str, Any] = {"brand_weeks": round(weeks, 2)}
    for name, detector in DETECTORS.items():
        openings = detector(stream)
        shown = ev.incidents(openings)  # a storm the desk proposes merging into another is one with it
        result[name] = {
            "incidents": len(shown),
            "incidents_per_brand_week": round(len(shown) / weeks, 2),
            "merged": len(openings) - len(shown),
            "first_day_incidents": ev.first_day_openings(shown, stream),
        }
        if name == "ombuds":
            result[name]["opened"] = [
                {
                    "opened_at": o.opened_at.isoformat(),
                    "signal": o.signal,
                    "representative_text": o.representative_text,
                    "merged_into": o.merged_into,
                }
                for o in openings
            ]
    return result


def injected(
    streams: dict[str, list[Observation]],
    *,
    sizes: Sequence[int],
    minutes: float,
    seeds: int,
    per_kind: int,
    gap: timedelta,
) -> dict[str, Any]:
    """Bursts of each size into every stream, both kinds, several seeds; scores per detector and kind."""
    out: dict[str, Any] = {}
    for size in sizes:
        scores = {name: {"echo": ev.Score(), "volume": ev.Score()} for name in DETECTORS}
        weeks = 0.0
        for seed in range(seeds):
            for stream in streams.values():
                start = ev.busy_from(stream)
                if start is None or len(stream) < 300:
                    continue
                merged, bursts = ev.inject(
                    stream,
                    kinds=["echo", "volume"],
                    size=size,
                    minutes=minutes,
                    seed=seed,
                    after=start + timedelta(hours=26),
                    gap=gap,
                    per_kind=per_kind,
                )
                weeks += ev.brand_weeks(stream)
                for name, detector in DETECTORS.items():
                    openings = detector(merged)
                    for kind in ("echo", "volume"):
                        score = ev.score(openings, [b for b in bursts if b.kind == kind])
                        total = scores[name][kind]
                        total.delays += score.delays
                        total.missed += score.missed
                    # incidents on no burst at all, counted once per run
                    scores[name]["echo"].unmatched += ev.score(openings, bursts).unmatched
        out[f"{size}_in_{int(minutes)}_min"] = {
            name: {kind: score.summary(weeks=weeks) for kind, score in by_kind.items()}
            for name, by_kind in scores.items()
        }
        for by_kind in out[f"{size}_in_{int(minutes)}_min"].values():
            by_kind["other_incidents_per_brand_week"] = by_kind["echo"].pop("other_incidents_per_brand_week")
            by_kind["other_incidents"] = by_kind["echo"].pop("other_incidents")
            by_kind["volume"].pop("other_incidents_per_brand_week")
            by_kind["volume"].pop("other_incidents")
    return out


def at_every_volume(
    streams: dict[str, list[Observation]],
    *,
    shares: Sequence[float],
    seeds: int,
    gap: timedelta,
    shapes: Sequence[str] = tuple(SHAPES),
    half: str = "report",
    settle: timedelta = timedelta(days=7),
    events: Sequence[ev.KnownEvent] = (),
    meaning: ReadMeaning | None = ev.PRODUCT_MEANING,
) -> dict[str, Any]:
    """Per share and burst shape: detection, delay and false incidents per brand-week, over the
    second half of each stream's days (the first half chose the thresholds: ``half="tuning"``
    measures it, from ``settle`` after the stream's real start, with the other bank of problems).
    With annotated ``events``, incidents on no burst are also counted on no event."""
    out: dict[str, Any] = {}
    for share in shares:
        by_shape: dict[str, Any] = {}
        for shape in shapes:
            runs: list[Run] = []
            on_no_event = 0
            for seed in range(seeds):
                for brand, stream in streams.items():
                    start = ev.busy_from(stream)
                    if start is None:
                        continue
                    middle = start + (stream[-1].at - start) / 2
                    if half == "tuning":
                        after, before, topics = start + settle, middle, TUNING_TOPICS
                    else:
                        after, before, topics = middle, stream[-1].at + timedelta(hours=1), REPORT_TOPICS
                    run = scaled_run(
                        stream,
                        share=share,
                        seed=seed,
                        shape=shape,
                        topics=topics,
                        analyse=analyse_texts,
                        after=after,
                        before=before,
                        count=8,
                        gap=gap,
                        meaning=meaning,
                    )
                    runs.append(run)
                    on_no_event += sum(
                        1
                        for o in run.score.unmatched
                        if not any(e.brand == brand and e.start <= o.opened_at <= e.end for e in events)
                    )
            by_shape[shape] = summarise(runs)
            if events:
                weeks = sum(run.weeks for run in runs)
                by_shape[shape]["other_incidents_on_no_event_per_brand_week"] = (
                    round(on_no_event / weeks, 2) if weeks else None
                )
        out[f"{round(share * 100)}%"] = by_shape
    return out


def throughput(stream: list[Observation]) -> dict[str, float]:
    monitor = BrandMonitor()
    started = time.perf_counter()
    for observation in stream:
        monitor.observe(observation)
    elapsed = time.perf_counter() - started
    return {
        "mentions": len(stream),
        "seconds": round(elapsed, 2),
        "mentions_per_second": round(len(stream) / elapsed),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="folder with the development data sets"
    )
    parser.add_argument("--seeds", type=int, default=3, help="injection runs per burst size")
    parser.add_argument("--sizes", default="20,40", help="burst sizes (mentions), comma-separated")
    parser.add_argument("--minutes", type=float, default=30.0, help="how long each burst lasts")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    parser.add_argument("--only", choices=("replay", "volume"), help="run one part (default: both)")
    parser.add_argument(
        "--shares", default="0.1,0.2,0.3,0.43,0.6,1", help="stream volumes for part 4, comma-separated"
    )
    parser.add_argument("--volume-seeds", type=int, default=3, help="draws per volume in part 4")
    parser.add_argument(
        "--volume-streams", choices=("both", "spotify", "airline"), default="both", help="streams of part 4"
    )
    parser.add_argument("--shapes", default=",".join(SHAPES), help="burst shapes for part 4, comma-separated")
    parser.add_argument(
        "--half", choices=("report", "tuning"), default="report", help="the days part 4 measures"
    )
    parser.add_argument(
        "--no-meaning",
        action="store_true",
        help="link agreeing people by rare words alone (the detection stage links them by meaning too)",
    )
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    shares = [float(share) for share in args.shares.split(",")]
    meaning = None if args.no_meaning else ev.PRODUCT_MEANING
    # every part measures the detectors as the detection stage runs them
    DETECTORS["ombuds"] = functools.partial(ev.run_monitor, meaning=meaning)
    volume = {
        "shares": shares,
        "seeds": args.volume_seeds,
        "shapes": args.shapes.split(","),
        "half": args.half,
        "meaning": meaning,
    }

    started = time.perf_counter()
    airlines = streams_from_file(args.data / "airline_dev.csv", preset="airline")
    spotify = streams_from_file(
        args.data / "twcs_spotifycares_inbound_dev.csv", preset="twcs", brand="spotifycares"
    )
    report: dict[str, Any] = {
        "data": {"airline": "airline_dev.csv", "spotify": "twcs_spotifycares_inbound_dev.csv"},
    }
    if args.only in (None, "replay"):
        report |= {
            "airline_replay": replay_airlines(airlines),
            "spotify_untouched": quiet_stream(spotify["spotifycares"]),
            "injected_spotify": injected(
                spotify,
                sizes=sizes,
                minutes=args.minutes,
                seeds=args.seeds,
                per_kind=4,
                gap=timedelta(days=3),
            ),
            "injected_airline_quiet_hours": injected(
                airlines,
                sizes=sizes,
                minutes=args.minutes,
                seeds=args.seeds,
                per_kind=1,
                gap=timedelta(days=2),
            ),
            "airline_at_lower_volume": lower_volume(airlines, shares=(0.43, 0.3), seeds=args.seeds),
            "throughput": throughput(spotify["spotifycares"]),
        }
    if args.only in (None, "volume") and args.volume_streams in ("both", "spotify"):
        report["spotify_at_every_volume"] = at_every_volume(spotify, gap=timedelta(days=3), **volume)
    if args.only in (None, "volume") and args.volume_streams in ("both", "airline"):
        report["airlines_at_every_volume"] = at_every_volume(
            airlines, gap=timedelta(days=1), settle=timedelta(days=2), events=ev.load_events(EVENTS), **volume
        )
    report["seconds"] = round(time.perf_counter() - started, 1)
    text = json.dumps(report, ensure_ascii=False, indent=1)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
