"""Seeds the demo brand: teams with their routing rules, and people with every role."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ombuds.accounts import actions
from ombuds.accounts.models import Brand, Role
from ombuds.accounts.security import HashedPassword
from ombuds.clock import utcnow
from ombuds.demo import phrases
from ombuds.demo.staff import seed_staff
from ombuds.responses.resolutions.actions import Requester, save_option
from ombuds.responses.resolutions.values import ResolutionKind
from ombuds.routing.actions import create_rule

DEMO_PASSWORD = "larkspur-demo"  # printed by `ombuds demo`; the demo binds to 127.0.0.1 only

TEAMS = (
    ("care", "Customer Care", True),
    ("baggage", "Baggage Services", False),
    ("billing", "Refunds & Billing", False),
    ("digital", "Digital (app & web)", False),
    ("comms", "Communications (PR)", False),
)
#: Routing rules (name, team slug, categories, signals), tried in this order; the rest goes to care.
RULES = (
    ("Press and media to Communications", "comms", (), ("media_author",)),
    ("Refunds and charges to Refunds & Billing", "billing", (), ("billing",)),
    ("Bags to Baggage Services", "baggage", ("Lost Luggage", "Damaged Luggage"), ()),
    ("Booking and the app to Digital", "digital", ("Flight Booking Problems",), ()),
)
PEOPLE = (
    ("admin@larkspur.example", "Alex Admin", Role.ADMIN),
    ("manager@larkspur.example", "Morgan Manager", Role.MANAGER),
    ("agent@larkspur.example", "Ada Agent", Role.AGENT),
    ("pr@larkspur.example", "Priya PR", Role.PR),
    ("viewer@larkspur.example", "Victor Viewer", Role.VIEWER),
)
#: What care may give without asking (kind, label, limits per role in USD; None: no limit).
RESOLUTIONS = (
    (ResolutionKind.WAIVE_FEE, "Waive the change fee", {"agent": 75, "manager": None}),
    (ResolutionKind.CREDIT, "Travel credit", {"agent": 100, "manager": 1000}),
    (ResolutionKind.REBOOK, "Rebook on the next flight", {"agent": None, "manager": None}),
    (ResolutionKind.VOUCHER, "Meal or hotel voucher", {"agent": 50, "manager": 300}),
)


@dataclass(frozen=True)
class Credential:
    email: str
    role: Role
    password: str


def seed_brand(session: Session) -> tuple[Brand, list[Credential]]:
    """The fictional airline with its teams and one person per role."""
    brand = actions.create_brand(session, slug="larkspur", name=phrases.BRAND_NAME)
    teams = {
        slug: actions.create_team(session, brand=brand, slug=slug, name=name, is_default=is_default)
        for slug, name, is_default in TEAMS
    }
    for position, (rule, team, categories, signals) in enumerate(RULES):
        create_rule(
            session,
            brand_id=brand.id,
            name=rule,
            team=teams[team],
            categories=categories,
            signals=signals,
            position=position,
        )
    credentials = []
    password = HashedPassword.of(DEMO_PASSWORD)  # once for everyone, not a third of a second each
    for email, name, role in PEOPLE:
        user = actions.create_user(session, email=email, name=name, password=password)
        actions.add_membership(session, user=user, brand=brand, role=role)
        credentials.append(Credential(email=email, role=role, password=DEMO_PASSWORD))
        if role is Role.ADMIN:
            admin = Requester(user=user, role=role)
    seed_staff(session, brand=brand, password=password)
    for kind, label, limits in RESOLUTIONS:
        save_option(
            session,
            brand_id=brand.id,
            requester=admin,
            now=utcnow(),
            kind=kind,
            label=label,
            currency="USD",
            limits=dict(limits),
        )
    return brand, credentials
