"""A burst of breaches reads as one line with its count; other notifications stay one each."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ombuds.notifications.grouping import grouped

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


@dataclass
class Told:
    kind: str
    text: str
    path: str
    created_at: datetime
    brand_id: int = 1
    read_at: datetime | None = None


def test_a_burst_of_breaches_is_one_line_and_the_rest_stay_as_they_are() -> None:
    breaches = [
        Told("sla_breached", f"Case #{n} breached", f"/cases/{n}", NOW - timedelta(seconds=n))
        for n in range(12)
    ]
    task = Told("task_overdue", "Refund task overdue", "/tasks", NOW - timedelta(seconds=30))
    older = Told("sla_breached", "Case #99 breached", "/cases/99", NOW - timedelta(hours=3))
    lines = grouped([*breaches[:5], task, *breaches[5:], older])
    assert [(line.text, line.path, len(line.items)) for line in lines] == [
        ("12 cases breached their SLA", "/inbox?sla=breached", 12),
        ("Refund task overdue", "/tasks", 0),
        ("Case #99 breached", "/cases/99", 0),
    ]
    assert lines[0].unread


def test_two_breaches_stay_two_lines_and_read_ones_are_not_mixed_with_unread() -> None:
    two = [Told("sla_breached", f"#{n}", f"/cases/{n}", NOW) for n in range(2)]
    read = [Told("sla_breached", f"#{n}", f"/cases/{n}", NOW, read_at=NOW) for n in range(3)]
    lines = grouped([*two, *read])
    assert [line.text for line in lines] == ["#0", "#1", "3 cases breached their SLA"]
    assert [line.unread for line in lines] == [True, True, False]


def test_replies_to_post_left_in_one_round_are_one_line_leading_to_the_inbox_that_lists_them() -> None:
    waiting = [
        Told("reply_to_post", f"A reply on case #{n} waits", f"/cases/{n}#reply-{n}", NOW) for n in range(4)
    ]
    [line] = grouped(waiting)
    assert (line.text, line.path, len(line.items)) == (
        "4 replies left to post by hand",
        "/inbox?replies=to_post",
        4,
    )
