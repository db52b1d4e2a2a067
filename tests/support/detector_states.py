"""Detector states as earlier versions stored them, to prove they are read back."""

from __future__ import annotations

from typing import Any

from ombuds.incidents.detectors.types import speaker_of


def as_stored_before_voices(state: dict[str, Any]) -> dict[str, Any]:
    """The state as detector state version 1 stored it: every voice its bare handle."""

    def bare(voice: str) -> str:
        return speaker_of(voice)[1]

    def key(name: str) -> str:
        return f"author:{bare(name[7:])}" if name.startswith("author:") else name

    for data in state["keys"].values():
        data["hour_authors"] = sorted(bare(v) for v in data["hour_authors"])
        for _, rows in data["windows"]:
            for row in rows:
                row[2] = bare(row[2])
    for row in state["phrase_window"]:
        row[2] = bare(row[2])
    for row in state["recent"]:
        row[3] = bare(row[3])
    for storm in state["storms"]:
        storm["key"], storm["keys"] = key(storm["key"]), [key(k) for k in storm["keys"]]
        storm["authors"] = {bare(v): n for v, n in storm["authors"].items()}
        for row in (*storm["sample"], *storm["top"]):
            row[3] = bare(row[3])
    return {**state, "version": 1}
