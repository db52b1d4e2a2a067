"""Reads about brands, users and tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ombuds.accounts.models import ApiToken, Brand, Invite, Membership, Role, Team, User
from ombuds.accounts.security import token_digest
from ombuds.errors import NotFound


def get_brand_by_slug(session: Session, slug: str) -> Brand | None:
    return session.scalar(select(Brand).where(Brand.slug == slug))


def get_brand_by_slug_or_raise(session: Session, slug: str) -> Brand:
    brand = get_brand_by_slug(session, slug)
    if brand is None:
        raise NotFound(f"no brand with slug {slug!r}")
    return brand


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def get_user_by_email_or_raise(session: Session, email: str) -> User:
    user = get_user_by_email(session, email)
    if user is None:
        raise NotFound(f"no user with email {email.strip().lower()!r} (see `ombuds user list`)")
    return user


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def list_brands_for_user(session: Session, user: User) -> list[Brand]:
    return list(
        session.scalars(
            select(Brand)
            .join(Membership, Membership.brand_id == Brand.id)
            .where(Membership.user_id == user.id)
            .order_by(Brand.name)
        )
    )


def get_role(session: Session, *, user: User, brand_id: int) -> Role | None:
    return session.scalar(
        select(Membership.role).where(Membership.user_id == user.id, Membership.brand_id == brand_id)
    )


def get_default_team(session: Session, brand_id: int) -> Team | None:
    return session.scalar(
        select(Team)
        .where(Team.brand_id == brand_id, Team.archived_at.is_(None))
        .order_by(Team.is_default.desc(), Team.id)
    )


def list_teams(session: Session, brand_id: int, *, archived: bool = False) -> list[Team]:
    """The brand's teams by name; archived ones only when asked for."""
    query = select(Team).where(Team.brand_id == brand_id)
    if not archived:
        query = query.where(Team.archived_at.is_(None))
    return list(session.scalars(query.order_by(Team.name, Team.id)))  # names may repeat


def get_api_token(session: Session, token: str) -> ApiToken | None:
    """The live token row for a presented bearer token: not revoked, and not acting for a
    deactivated person."""
    return session.scalar(
        select(ApiToken)
        .outerjoin(User, User.id == ApiToken.user_id)
        .where(
            ApiToken.digest == token_digest(token),
            ApiToken.revoked_at.is_(None),
            or_(ApiToken.user_id.is_(None), User.is_active.is_(True)),
        )
    )


def get_team_by_slug_or_raise(session: Session, *, brand: Brand, slug: str) -> Team:
    team = session.scalar(select(Team).where(Team.brand_id == brand.id, Team.slug == slug))
    if team is None:
        raise NotFound(
            f"brand {brand.slug!r} has no team {slug!r} (see `ombuds team list --brand {brand.slug}`)"
        )
    return team


def list_brands(session: Session) -> list[Brand]:
    return list(session.scalars(select(Brand).order_by(Brand.slug)))


def list_people(
    session: Session, *, brand_id: int | None = None
) -> list[tuple[User, Brand | None, Role | None]]:
    """Every user with each brand they work for and their role there (a user of no brand once)."""
    query = (
        select(User, Brand, Membership.role)
        .outerjoin(Membership, Membership.user_id == User.id)
        .outerjoin(Brand, Brand.id == Membership.brand_id)
        .order_by(User.email, Brand.slug)
    )
    if brand_id is not None:
        query = query.where(Membership.brand_id == brand_id)
    return [(user, brand, role) for user, brand, role in session.execute(query)]


def list_api_tokens(session: Session, *, brand_id: int | None = None) -> list[tuple[ApiToken, Brand]]:
    """Tokens with their brand, revoked ones included, oldest first."""
    query = select(ApiToken, Brand).join(Brand, Brand.id == ApiToken.brand_id).order_by(ApiToken.id)
    if brand_id is not None:
        query = query.where(ApiToken.brand_id == brand_id)
    return [(token, brand) for token, brand in session.execute(query)]


def get_api_token_by_id_or_raise(session: Session, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"no API token with id {token_id}")
    return token


def get_usable_invite(session: Session, token: str, *, now: datetime) -> Invite | None:
    """The invite a link names, while it still works: not used, not withdrawn, not expired."""
    invite = session.scalar(select(Invite).where(Invite.digest == token_digest(token)))
    if invite is None or invite.accepted_at is not None or invite.revoked_at is not None:
        return None
    return invite if invite.expires_at > now else None


def list_invites(session: Session, *, brand_id: int) -> list[Invite]:
    """The brand's invites, newest first, used and withdrawn ones included."""
    return list(session.scalars(select(Invite).where(Invite.brand_id == brand_id).order_by(Invite.id.desc())))


def get_membership(session: Session, *, user_id: int, brand_id: int) -> Membership | None:
    return session.scalar(
        select(Membership).where(Membership.user_id == user_id, Membership.brand_id == brand_id)
    )
