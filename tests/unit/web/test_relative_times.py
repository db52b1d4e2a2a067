"""Moments in sentences: "Opened just now", "Sent 3 h 20 min ago", never "0 s ago"."""

from __future__ import annotations

from datetime import timedelta

from ombuds.clock import utcnow
from ombuds.web.templating import ago, time_tag


def test_the_last_minute_reads_just_now_and_older_moments_say_how_long_ago() -> None:
    now = utcnow()

    assert ago(now) == "just now"
    assert ago(now - timedelta(seconds=59)) == "just now"
    assert ago(now - timedelta(seconds=90)) == "1 min ago"
    assert ago(now - timedelta(hours=3, minutes=20, seconds=5)) == "3 h 20 min ago"
    assert ago(now - timedelta(days=2, hours=4)) == "2 d 4 h ago"
    assert ago(None) == ""


def test_the_tag_keeps_the_moment_for_the_hover_and_machines() -> None:
    moment = utcnow() - timedelta(seconds=5)

    tag = str(time_tag(moment, "ago"))

    assert ">just now</time>" in tag
    assert f'datetime="{moment.isoformat()}"' in tag
