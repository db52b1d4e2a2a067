"""Care outcomes over JSON (GET /api/v1/metrics/outcomes) on one hand-written week, every figure
worked out by hand below: a reopen, a handoff, an SLA paused while pending, business hours, a
backlog case, spam, a survey answered after the week was over, a customer's mood after our reply,
and public complaints closed in public or in private only.

The brand works weekdays 09:00–17:00 UTC. The week is Monday 2 to Sunday 8 November 2026.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role, Team, User
from ombuds.cases.actions import set_case_owner, set_case_status
from ombuds.cases.lifecycle import Actor
from ombuds.cases.models import Case, CaseStatus
from ombuds.cases.values import ResolvedAs
from ombuds.enrichment.models import Enrichment
from ombuds.mentions.models import Direction, Mention
from ombuds.responses.actions import mark_sent, submit_reply
from ombuds.responses.values import Visibility
from ombuds.routing.duration_actions import record_business_durations
from ombuds.routing.models import SlaPolicySetting
from ombuds.routing.sla_actions import run_sla_round
from ombuds.routing.sla_config import DEFAULT_CONFIG
from ombuds.surveys.actions import answer_survey
from ombuds.surveys.models import Survey
from tests.integration.test_surveys_and_outcomes import write
from tests.integration.test_web_cases import PASSWORD, sign_in

WEEK = {"from": "2026-11-02", "to": "2026-11-08"}  # a date alone is its whole day: to = Mon 9 Nov 00:00


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


class Desk:
    """Writes the week's history through the same actions the desk and the runner use."""

    def __init__(self, session: Session, factory: sessionmaker[Session], brand: Brand) -> None:
        self.session, self.factory, self.brand = session, factory, brand

    def complaint(
        self,
        handle: str,
        when: str,
        *,
        mood: str | None = "negative",
        followers: int | None = None,
        public: bool = True,
    ) -> Case:
        mention = write(
            self.session, self.brand, text=f"{handle}: my bag is lost", at=at(when), handle=handle
        )
        mention.is_public = public  # False: a direct message
        self.feel(mention, mood)
        if followers is not None:
            mention.author_followers = followers
        self.session.commit()
        case = self.session.get(Case, mention.case_id)
        assert case is not None
        return case

    def feel(self, mention: Mention, mood: str | None) -> None:
        if mood is not None:
            self.session.add(
                Enrichment(
                    brand_id=self.brand.id,
                    mention_id=mention.id,
                    analyzer="sentiment",
                    model_version="test",
                    label=mood,
                    score=0.9,
                    data={},
                )
            )

    def again(self, case: Case, handle: str, when: str, *, mood: str | None = None) -> None:
        """The customer writes again (a resolved case within the window reopens)."""
        mention = write(self.session, self.brand, text=f"{handle}: still lost", at=at(when), handle=handle)
        self.feel(mention, mood)
        self.session.commit()
        assert mention.case_id == case.id

    def reply(self, case: Case, handle: str, when: str) -> None:
        first = self.session.scalar(select(Mention).where(Mention.case_id == case.id).order_by(Mention.id))
        assert first is not None
        write(
            self.session,
            self.brand,
            text="We are on it",
            at=at(when),
            handle=handle,
            direction=Direction.OUTBOUND,
            in_reply_to=first.external_id,
        )

    def send(
        self, case: Case, agent: User, when: str, *, visibility: Visibility, closing: bool = False
    ) -> Mention:
        """A reply written on the case page and sent: through the outbox, as the desk sends it."""
        self.session.refresh(case)
        reply = submit_reply(
            self.session,
            case=case,
            text="Glad we sorted this out" if closing else "Your bag is on its way",
            visibility=visibility,
            actor=Actor(user=agent),
            is_public_closing=closing,
        )
        sent = mark_sent(self.session, reply=reply, external_id=None, at=at(when))
        self.session.commit()
        return sent

    def status(self, case: Case, status: CaseStatus, when: str, **kwargs: object) -> None:
        self.session.refresh(case)
        set_case_status(self.session, case=case, status=status, at=at(when), **kwargs)  # type: ignore[arg-type]
        self.session.commit()

    def due(self, case: Case, *, first_response: str, resolution: str) -> None:
        """The deadlines routing gave the case (normal priority under the brand's policy)."""
        case.first_response_due_at = at(first_response)
        case.resolve_due_at = at(resolution)
        self.session.commit()

    def survey(self, case: Case, score: int, when: str) -> None:
        survey = self.session.scalar(select(Survey).where(Survey.case_id == case.id))
        assert survey is not None
        answer_survey(self.session, token=survey.token, score=str(score), comment=None, now=at(when))
        self.session.commit()


@pytest.fixture
def office_hours(session: Session, brand: Brand) -> None:
    session.add(
        SlaPolicySetting(
            brand_id=brand.id,
            timezone="UTC",
            hours={day: ["09:00-17:00"] for day in ("mon", "tue", "wed", "thu", "fri")},
            holidays=[],
            targets={k: dict(v) for k, v in DEFAULT_CONFIG.targets.items()},
            channel_targets={},
            near_breach_percent=80,
        )
    )
    session.commit()


@pytest.fixture
def bearer(session: Session, brand: Brand) -> httpx2.Headers:
    _, secret = accounts.create_api_token(session, brand=brand, name="metrics")
    session.commit()
    return httpx2.Headers({"Authorization": f"Bearer {secret}"})


def test_a_hand_written_week_gives_the_outcomes_worked_out_by_hand(
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
    brand: Brand,
    team: Team,
    bearer: httpx2.Headers,
    office_hours: None,
) -> None:
    desk = Desk(session, session_factory, brand)
    billing = accounts.create_team(session, brand=brand, slug="billing", name="Billing")
    agent = accounts.create_user(session, email="ada@skyways.test", name="Ada Agent", password=PASSWORD)
    accounts.add_membership(session, user=agent, brand=brand, role=Role.AGENT)
    session.commit()

    # G, the backlog: opened Friday before the week, answered after 30 min, resolved Monday 10:00
    # (1 h Friday + 1 h Monday); scored 4. Resolved in the week but not opened in it.
    g = desk.complaint("gus", "2026-10-30T16:00")
    desk.reply(g, "gus", "2026-10-30T16:30")
    desk.status(g, CaseStatus.RESOLVED, "2026-11-02T10:00")
    desk.survey(g, 4, "2026-11-02T11:00")

    # E, a complaint nobody answered, from a customer with 999 followers, opened Monday 00:00:
    # a week old at the end of the week, so it weighs (1 + log10(1000)) × (1 + 7/7) = 4 × 2 = 8.
    debt_e = desk.complaint("eve", "2026-11-02T00:00", followers=999).id

    # A, the reopen: answered after 60 min, resolved Monday 12:00 (3 h), the customer writes again
    # on Wednesday 10:00 (within 7 days), resolved again at 11:00: 4 h in all, not first contact.
    a = desk.complaint("ann", "2026-11-02T09:00")
    desk.reply(a, "ann", "2026-11-02T10:00")
    desk.status(a, CaseStatus.RESOLVED, "2026-11-02T12:00")

    # B, the handoff: Care takes it, then Billing; answered after 90 min, resolved Tuesday 10:00
    # (Monday 13–17 and Tuesday 09–10: 5 h), scored 5.
    b = desk.complaint("bob", "2026-11-02T13:00")
    set_case_owner(session, case=b, team_id=team.id, assignee_id=None, at=at("2026-11-02T13:05"))
    set_case_owner(session, case=b, team_id=billing.id, assignee_id=None, at=at("2026-11-02T13:10"))
    session.commit()
    desk.reply(b, "bob", "2026-11-02T14:30")
    # B is solved in a direct message (whose words read positive: the brand's own mood counts
    # nowhere), then closed in public with the public closing reply the case page offers.
    private = desk.send(b, agent, "2026-11-03T09:30", visibility=Visibility.PRIVATE)
    assert not private.is_public
    desk.feel(private, "positive")
    desk.status(b, CaseStatus.RESOLVED, "2026-11-03T10:00")
    desk.send(b, agent, "2026-11-03T10:30", visibility=Visibility.PUBLIC, closing=True)
    desk.survey(b, 5, "2026-11-03T12:00")

    # F, spam resolved as such: counted nowhere.
    f = desk.complaint("fay", "2026-11-03T09:00")
    desk.status(f, CaseStatus.RESOLVED, "2026-11-03T09:10", resolved_as=ResolvedAs.SPAM)

    # C, the paused SLA: due to be resolved Wednesday 17:00; answered after 30 min, pending on the
    # customer from Tuesday 10:00 to Thursday 10:00, which moves the deadline by the 15 business
    # hours left at the pause to Friday 17:00; resolved Thursday 15:00 (1 h + 5 h = 6 h): in time.
    c = desk.complaint("cat", "2026-11-03T09:00")
    desk.due(c, first_response="2026-11-03T13:00", resolution="2026-11-04T17:00")
    desk.reply(c, "cat", "2026-11-03T09:30")
    desk.status(c, CaseStatus.PENDING, "2026-11-03T10:00")
    assert run_sla_round(session_factory, now=at("2026-11-03T10:00")).paused == [c.id]

    # A comes back on Wednesday, still unhappy: negative before our first reply and after it.
    desk.again(a, "ann", "2026-11-04T10:00", mood="negative")
    session.refresh(a)
    assert a.status is CaseStatus.OPEN
    desk.status(a, CaseStatus.RESOLVED, "2026-11-04T11:00")

    # D, a missed SLA: the first response was due at 10:00 and came at 11:00 (120 min); resolved
    # at 16:00 (7 h). The customer's latest message is happy and they never answer the survey.
    # D wrote in a direct message: no public complaint.
    d = desk.complaint("dan", "2026-11-04T09:00", public=False)
    desk.due(d, first_response="2026-11-04T10:00", resolution="2026-11-05T17:00")
    desk.reply(d, "dan", "2026-11-04T11:00")
    desk.again(d, "dan", "2026-11-04T11:30", mood="positive")
    desk.status(d, CaseStatus.RESOLVED, "2026-11-04T16:00")

    desk.status(c, CaseStatus.OPEN, "2026-11-05T10:00")
    assert run_sla_round(session_factory, now=at("2026-11-05T10:00")).resumed == [c.id]
    session.refresh(c)
    assert c.resolve_due_at == at("2026-11-06T17:00")
    # C is solved in a direct message after the public acknowledgement, and never closed in public.
    desk.send(c, agent, "2026-11-05T14:00", visibility=Visibility.PRIVATE)
    desk.status(c, CaseStatus.RESOLVED, "2026-11-05T15:00")

    # H, a complaint opened Thursday 12:00 and resolved only after the week: unresolved at its end,
    # 3.5 days old, nobody's audience: (1 + 0) × (1 + 3.5/7) = 1.5.
    h = desk.complaint("hal", "2026-11-05T12:00")
    desk.status(h, CaseStatus.RESOLVED, "2026-11-10T09:00")
    record_business_durations(session_factory)

    found = client.get("/api/v1/metrics/outcomes", params=WEEK, headers=bearer)
    assert found.status_code == 200, found.text
    week = found.json()
    expected = {
        "cases_opened": 6,  # E A B C D H (F is spam, G came before)
        "cases_resolved": 5,  # G A B D C, each once (A's second resolution is not a second case)
        "resolution_rate": 0.6667,  # A B C D of the six opened
        "first_contact_resolution_rate": 0.6,  # G C D; A reopened, B handed off
        "reopen_rate": 0.2,  # A
        "handoffs_per_case": 0.2,  # B's one
        # 30 30 60 90 120: the median 60; p90 at rank 3.6: 90 + 0.6 × 30 = 108
        "first_response_minutes": {"median": 60.0, "p90": 108.0},
        # 2 4 5 6 7: the median 5; p90: 6 + 0.6 × 1 = 6.6
        "resolution_hours": {"median": 5.0, "p90": 6.6},
        "sla_attainment": 0.5,  # C met thanks to its pause, D missed; the others had no deadline
        # five surveys sent (G A B C D); G 4 and B 5 answered
        "csat": {"average": 4.5, "responses": 2, "response_rate": 0.4},
        # positive: G (4), B (5), D (its latest message); unresolved negative: E 8 + H 1.5
        "experience_debt": {"unresolved_negative": 9.5, "resolved_positive": 3, "ratio": 0.32},
        # before our first reply / the customer's latest after it: A negative / negative (its
        # comeback), D negative / positive; G B C never wrote after our first reply (B's positive
        # message after it is the brand's own). Negative before: A D, recovered: D = 1/2; the
        # change: A 0, D +2, mean (0 + 2) / 2 = 1
        "sentiment_recovery": {
            "measured": 2,
            "negative_before": 2,
            "recovered": 1,
            "recovery_rate": 0.5,
            "mean_change": 1.0,
        },
        # began as public complaints: G A B C (D wrote privately). Closed in public: G and A (public
        # replies only) and B (its public closing reply after the private one); C's last word was
        # private: 3 / 4
        "public_complaints": {"cases": 4, "closed_in_public": 3, "rate": 0.75},
    }
    assert week == expected

    # C's customer answers 2 on Tuesday after the week: the week's CSAT changes with it, and C
    # (resolved, scored poorly) is no positive experience.
    desk.survey(c, 2, "2026-11-10T10:00")
    late = client.get("/api/v1/metrics/outcomes", params=WEEK, headers=bearer).json()
    assert late["csat"] == {"average": 3.67, "responses": 3, "response_rate": 0.6}  # (4 + 5 + 2) / 3
    assert late["experience_debt"] == expected["experience_debt"]

    # The debt over the week, day by day, and what would pay it down fastest: E, then H.
    debt = client.get("/api/v1/metrics/experience-debt", params=WEEK, headers=bearer).json()
    assert (debt["unresolved_negative"], debt["resolved_positive"], debt["ratio"], debt["target"]) == (
        9.5,
        3,
        0.32,
        12,
    )
    assert [(item["case_id"], item["weight"], item["followers"]) for item in debt["pay_down"]] == [
        (debt_e, 8.0, 999),
        (h.id, 1.5, 0),
    ]
    assert len(debt["trend"]) == 7
    # Monday: G resolved happy; at midnight E (a day old: 4 × (1 + 1/7)) and B (11 h old) are open
    monday = debt["trend"][0]
    assert monday["resolved_positive"] == 1
    assert monday["unresolved_negative"] == pytest.approx(4 * (1 + 1 / 7) + 1 + 11 / 24 / 7, abs=0.01)
    assert debt["trend"][-1]["unresolved_negative"] == 9.5

    # Billing holds B alone: its figures are B's, and a 0 (not null) where B failed.
    billing_week = client.get(
        "/api/v1/metrics/outcomes", params={**WEEK, "team_id": billing.id}, headers=bearer
    ).json()
    assert billing_week["cases_opened"] == billing_week["cases_resolved"] == 1
    assert billing_week["first_contact_resolution_rate"] == 0.0
    assert billing_week["handoffs_per_case"] == 1.0
    assert billing_week["sla_attainment"] is None  # B had no deadline
    assert billing_week["experience_debt"]["ratio"] is None  # Billing holds no unresolved complaint
    assert billing_week["sentiment_recovery"]["recovery_rate"] is None  # B's customer wrote once
    assert billing_week["public_complaints"] == {"cases": 1, "closed_in_public": 1, "rate": 1.0}

    # The dashboard shows the same figures, and each one leads to its cases.
    manager = accounts.create_user(session, email="max@skyways.test", name="Max Manager", password=PASSWORD)
    accounts.add_membership(session, user=manager, brand=brand, role=Role.MANAGER)
    session.commit()
    sign_in(client, manager.email)
    page = client.get("/dashboard", params=WEEK)
    assert page.status_code == 200, page.text
    tiles = dict(
        re.findall(
            r'data-figure="(\w+)">\s*<span class="card-title">[^<]*</span>\s*<strong class="metric-value">([^<]*)<',
            page.text,
        )
    )
    assert tiles["first_contact"] == "60%"
    assert tiles["reopened"] == "20%"
    assert tiles["sla_missed"] == "50%"
    assert tiles["surveyed"] == "3.7 / 5"
    assert tiles["debt"] == "0.32 : 1"
    assert tiles["not_recovered"] == "50%"
    assert tiles["not_closed_in_public"] == "75%"
    assert page.text.count('data-testid="chart"') == 4
    assert f'href="/cases/{debt_e}"' in page.text  # the heaviest complaint, first to pay down
    link = re.search(r'href="(/dashboard/cases\?figure=reopened[^"]*)"', page.text)
    assert link
    behind = client.get(html.unescape(link.group(1)))
    assert behind.status_code == 200
    assert re.findall(r'data-testid="case-row" data-case-id="(\d+)"', behind.text) == [str(a.id)]
    assert '<h1 data-testid="figure-title">Cases reopened within 7 days of resolution</h1>' in behind.text
    for figure, cases in (("not_closed_in_public", [c]), ("not_recovered", [a]), ("recovered", [d])):
        listed = client.get("/dashboard/cases", params={**WEEK, "figure": figure})
        assert re.findall(r'data-testid="case-row" data-case-id="(\d+)"', listed.text) == [
            str(case.id) for case in cases
        ], figure
    assert client.get("/dashboard/cases", params={**WEEK, "figure": "nonsense"}).status_code == 404
    client.cookies.clear()

    # A week with nothing in it: counts 0, every rate and time null.
    empty = client.get(
        "/api/v1/metrics/outcomes", params={"from": "2026-10-01", "to": "2026-10-02"}, headers=bearer
    ).json()
    assert empty["cases_opened"] == empty["cases_resolved"] == 0
    assert empty["resolution_rate"] is None
    assert empty["first_response_minutes"] == {"median": None, "p90": None}
    assert empty["csat"] == {"average": None, "responses": 0, "response_rate": None}
    assert empty["sentiment_recovery"]["mean_change"] is None
    assert empty["public_complaints"] == {"cases": 0, "closed_in_public": 0, "rate": None}


def test_bad_periods_and_teams_are_refused_naming_the_field_and_viewers_may_read(
    client: TestClient, session: Session, brand: Brand, bearer: httpx2.Headers
) -> None:
    other = accounts.create_brand(session, slug="rival", name="Rival")
    rival_team = accounts.create_team(session, brand=other, slug="care", name="Care")
    viewer = accounts.create_user(session, email="vera@skyways.test", name="Vera Viewer", password=PASSWORD)
    accounts.add_membership(session, user=viewer, brand=brand, role=Role.VIEWER)
    session.commit()
    for params, field in (
        ({"to": "2026-11-08"}, "from"),
        ({"from": "yesterday", "to": "2026-11-08"}, "from"),
        ({"from": "2026-11-02", "to": "2026-13-45"}, "to"),
        ({"from": "2026-11-08", "to": "2026-11-02"}, "to"),
        ({**WEEK, "team_id": "care"}, "team_id"),
        ({**WEEK, "team_id": str(rival_team.id)}, "team_id"),
    ):
        refused = client.get("/api/v1/metrics/outcomes", params=params, headers=bearer)
        assert refused.status_code == 400, (params, refused.text)
        assert refused.json()["detail"].startswith(f"{field}:"), refused.text
    for path in ("outcomes", "experience-debt", "voice", "voice.csv"):  # another brand's figures
        hidden = client.get(f"/api/v1/metrics/{path}", params={**WEEK, "brand": "rival"}, headers=bearer)
        assert hidden.status_code == 404, (path, hidden.text)

    sign_in(client, viewer.email)
    seen = client.get("/api/v1/metrics/outcomes", params=WEEK)
    assert seen.status_code == 200, seen.text
    assert seen.json()["cases_opened"] == 0
    # a quiet week's rates have nothing to chart and say so in the page's own words, not in text
    # drawn to shrink on a phone; counts draw their zeros
    quiet = client.get("/dashboard", params=WEEK).text
    assert quiet.count('<p class="chart-empty" data-testid="chart">No data in this period</p>') == 2
    assert quiet.count('<svg class="metric-chart"') == 2


def test_the_voice_of_the_customer_ranks_categories_with_tone_trend_and_examples_and_exports_csv(
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
    brand: Brand,
    bearer: httpx2.Headers,
) -> None:
    desk = Desk(session, session_factory, brand)

    def said(handle: str, when: str, category: str, mood: str, text: str = "") -> None:
        mention = write(session, brand, text=text or f"{handle} about {category}", at=at(when), handle=handle)
        desk.feel(mention, mood)
        session.add(
            Enrichment(
                brand_id=brand.id,
                mention_id=mention.id,
                analyzer="category",
                model_version="t",
                label=category,
                data={},
            )
        )
        session.commit()

    said("p1", "2026-10-27T10:00", "lost luggage", "negative")  # the week before
    said("p2", "2026-10-28T10:00", "refund", "negative")
    said("p3", "2026-10-29T10:00", "refund", "neutral")
    said("p4", "2026-10-30T10:00", "wifi", "negative")
    said("w1", "2026-11-02T10:00", "lost luggage", "negative", "Bag gone, write to mara.lind@example.org")
    said("w2", "2026-11-03T10:00", "lost luggage", "neutral")
    said("w3", "2026-11-04T10:00", "lost luggage", "negative", "=HYPERLINK(evil) my bag")
    said("w4", "2026-11-05T10:00", "lost luggage", "negative")
    said("w5", "2026-11-03T11:00", "refund", "negative")
    said("w6", "2026-11-04T11:00", "refund", "positive")

    found = client.get("/api/v1/metrics/voice", params=WEEK, headers=bearer).json()["categories"]
    assert [
        (
            c["category"],
            c["messages"],
            c["negative_share"],
            c["previous_messages"],
            c["change"],
            c["is_emerging"],
        )
        for c in found
    ] == [
        ("lost luggage", 4, 0.75, 1, 3.0, True),  # four times last week's: an emerging theme
        ("refund", 2, 0.5, 2, 0.0, False),
    ]
    # negative messages first, newest first; three at most
    assert [e["text"] for e in found[0]["examples"]] == [
        "w4 about lost luggage",
        "=HYPERLINK(evil) my bag",
        "Bag gone, write to mara.lind@example.org",
    ]

    exported = client.get("/api/v1/metrics/voice.csv", params=WEEK, headers=bearer)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    lines = exported.text.splitlines()
    assert (
        lines[0]
        == "category,messages,negative_share,previous_messages,change,is_emerging,example_1,example_2,example_3"
    )
    assert lines[1].startswith(
        "lost luggage,4,0.75,1,3.0,True,w4 about lost luggage,'=HYPERLINK(evil) my bag,"
    )

    viewer = accounts.create_user(session, email="vic@skyways.test", name="Vic Viewer", password=PASSWORD)
    accounts.add_membership(session, user=viewer, brand=brand, role=Role.VIEWER)
    session.commit()
    sign_in(client, viewer.email)
    masked = client.get("/api/v1/metrics/voice", params=WEEK).json()["categories"][0]["examples"][2]["text"]
    assert masked == "Bag gone, write to [email]"
    assert "mara.lind" not in client.get("/api/v1/metrics/voice.csv", params=WEEK).text


def test_the_dashboard_answers_hostile_filters_and_another_brands_team_with_its_own_brand_only(
    client: TestClient, session: Session, brand: Brand
) -> None:
    other = accounts.create_brand(session, slug="rival", name="Rival")
    rival_team = accounts.create_team(session, brand=other, slug="rivalcare", name="Rival Care Desk")
    manager = accounts.create_user(session, email="max@skyways.test", name="Max Manager", password=PASSWORD)
    accounts.add_membership(session, user=manager, brand=brand, role=Role.MANAGER)
    session.commit()
    sign_in(client, manager.email)
    hostile = ("99999999999999999999999", "9223372036854775808", "-1", "a\x00b", "1e400", "x" * 5000)
    for path in ("/dashboard", "/dashboard/cases"):
        for field in ("from", "to", "team", "channel", "period", "agent", "category", "by"):
            for value in hostile:
                page = client.get(path, params={"figure": "resolved", field: value})
                # the page with a note, or a 400 for a value past the field's length; never an error
                assert page.status_code in (200, 400), (path, field, value[:20], page.status_code)
        page = client.get(path, params={"figure": "resolved", "team": rival_team.id})
        assert page.status_code == 200
        assert "Rival Care Desk" not in page.text  # another brand's team is no filter here
