"""RSS and Atom: an item arrives once however often the feed is polled, and once across a brand's feeds."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.models import Brand
from ombuds.clock import utcnow
from ombuds.connectors.registry import get_kind
from ombuds.connectors.secrets import secret_box
from ombuds.mentions.models import Mention
from ombuds.sources.actions import add_source, retry_dead_letter
from ombuds.sources.models import DeadLetter
from ombuds.sources.poller import poll_source
from tests.integration.connectors.feed_server import FeedServer

BOX = secret_box("rss-test-key-" * 4)


def _rss(session_factory: sessionmaker[Session], brand: Brand, name: str, url: str) -> int:
    with session_factory.begin() as session:
        return add_source(
            session, brand_id=brand.id, kind=get_kind("rss"), name=name, config={"url": url}, box=BOX
        ).id


def test_an_item_comes_once_however_often_and_from_however_many_feeds_it_is_read(
    session_factory: sessionmaker[Session], session: Session, brand: Brand
) -> None:
    with FeedServer() as server:
        news, forum = server.feed("/news.xml", "Travel news"), server.feed("/forum.xml", "Flyers forum")
        news.add("story-1", "Skyways strands 300", "<p>Passengers <b>stranded</b> overnight &amp; angry</p>")
        forum.add("story-1", "Skyways strands 300", "syndicated copy of the same story")
        forum.add("thread-9", "Refund help", "Anyone got a refund from Skyways?")
        news_id = _rss(session_factory, brand, "News", server.url("/news.xml"))
        forum_id = _rss(session_factory, brand, "Forum", server.url("/forum.xml"))

        for _ in range(3):
            poll_source(session_factory, source_id=news_id, box=BOX)
            second = poll_source(session_factory, source_id=forum_id, box=BOX)
        assert second.fetched == 0, "an unchanged feed is not read again"
        assert server.conditions[-1][0] is not None, "If-None-Match is sent"
        assert server.conditions[-1][1] is not None, "If-Modified-Since is sent"

    rows = session.execute(
        select(Mention.external_id, Mention.source_id, Mention.text).order_by(Mention.id)
    ).all()
    assert [(external_id, source_id) for external_id, source_id, _ in rows] == [
        ("story-1", news_id),
        ("thread-9", forum_id),
    ]
    assert rows[0].text == "Skyways strands 300\n\nPassengers stranded overnight & angry"


def test_an_atom_feed_is_read_too(
    session_factory: sessionmaker[Session], session: Session, brand: Brand
) -> None:
    atom = (
        b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        b"<title>Reviews</title><id>urn:reviews</id><updated>2026-11-30T10:00:00Z</updated>"
        b"<entry><id>urn:review:7</id><title>Great crew</title><updated>2026-11-30T10:00:00Z</updated>"
        b'<author><name>Mara</name></author><link href="https://reviews.example.org/7"/>'
        b"<summary>Kind crew, late bags.</summary></entry></feed>"
    )
    with FeedServer() as server:
        server.feed("/atom.xml").rss = lambda: atom  # type: ignore[method-assign]
        source_id = _rss(session_factory, brand, "Atom", server.url("/atom.xml"))
        assert poll_source(session_factory, source_id=source_id, box=BOX).imported == 1
    mention = session.scalar(select(Mention))
    assert mention is not None
    assert (mention.external_id, mention.author_handle, mention.url) == (
        "urn:review:7",
        "Mara",
        "https://reviews.example.org/7",
    )


def test_a_dead_letter_retried_after_another_feed_brought_its_item_is_that_mention(
    session_factory: sessionmaker[Session], session: Session, brand: Brand
) -> None:
    with FeedServer() as server:
        news, forum = server.feed("/news.xml", "Travel news"), server.feed("/forum.xml", "Flyers forum")
        news.add(
            "story-2", "Skyways loses bags", "Bags lost at Porto", published=None
        )  # no date: a dead letter
        news_id = _rss(session_factory, brand, "News", server.url("/news.xml"))
        poll_source(session_factory, source_id=news_id, box=BOX)
        forum.add("story-2", "Skyways loses bags", "Bags lost at Porto")
        forum_id = _rss(session_factory, brand, "Forum", server.url("/forum.xml"))
        assert poll_source(session_factory, source_id=forum_id, box=BOX).imported == 1

    letter = session.scalar(select(DeadLetter).where(DeadLetter.source_id == news_id))
    assert letter is not None
    assert letter.fields is not None
    brought = session.scalar(select(Mention.id).where(Mention.source_id == forum_id))
    with session_factory.begin() as writing:
        fixed = {**letter.fields, "created_at": "2026-11-30T09:30:00+00:00"}
        result = retry_dead_letter(
            writing, letter=writing.get_one(DeadLetter, letter.id), actor_id=None, now=utcnow(), fields=fixed
        )
    assert (result.imported, result.duplicates, result.ids) == (0, 1, [brought])
    session.expire_all()
    assert session.scalars(select(Mention.source_id).where(Mention.external_id == "story-2")).all() == [
        forum_id
    ]
    assert session.get_one(DeadLetter, letter.id).mention_id == brought
