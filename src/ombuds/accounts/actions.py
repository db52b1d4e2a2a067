"""The only writers of accounts; callers own the transaction."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ombuds.accounts.models import ApiToken, Brand, Invite, Membership, Role, Team, User
from ombuds.accounts.queries import get_brand_by_slug, get_user_by_email
from ombuds.accounts.security import HashedPassword, hash_password, new_token, token_digest, verify_password
from ombuds.clock import utcnow
from ombuds.errors import Conflict, InvalidInput
from ombuds.event_payloads import EventKind
from ombuds.events import record_event


def create_brand(session: Session, *, slug: str, name: str) -> Brand:
    if get_brand_by_slug(session, slug) is not None:
        raise Conflict(f"a brand with slug {slug!r} already exists")
    brand = Brand(slug=slug, name=name)
    session.add(brand)
    session.flush()
    record_event(session, brand_id=brand.id, kind="brand.created", subject_type="brand", subject_id=brand.id)
    return brand


def create_team(session: Session, *, brand: Brand, slug: str, name: str, is_default: bool = False) -> Team:
    team = Team(brand_id=brand.id, slug=slug, name=name, is_default=is_default)
    session.add(team)
    session.flush()
    record_event(session, brand_id=brand.id, kind="team.created", subject_type="team", subject_id=team.id)
    return team


def create_user(session: Session, *, email: str, name: str, password: str | HashedPassword) -> User:
    email = email.strip().lower()
    if get_user_by_email(session, email) is not None:
        raise Conflict(f"a user with email {email!r} already exists")
    digest = password.hash if isinstance(password, HashedPassword) else hash_password(password)
    user = User(email=email, name=name, password_hash=digest)
    session.add(user)
    session.flush()
    return user


def add_membership(
    session: Session, *, user: User, brand: Brand, role: Role, actor: User | None = None
) -> Membership:
    membership = Membership(user_id=user.id, brand_id=brand.id, role=role)
    session.add(membership)
    session.flush()
    record_event(
        session,
        brand_id=brand.id,
        kind="membership.added",
        subject_type="user",
        subject_id=user.id,
        actor_id=actor.id if actor else None,
        data={"role": role.value},
    )
    return membership


class WrongPassword(InvalidInput):
    """A password that is not the account's: the caller counts it as a failed sign-in."""


@cache
def _unknown_user_hash() -> str:
    """Hashed on first use, not at import: argon2 is slow on purpose, and most commands never sign in."""
    return hash_password("no account has this password")


def authenticate(session: Session, *, email: str, password: str) -> User | None:
    """The active user with these credentials, or None (same answer for unknown email and bad password)."""
    user = get_user_by_email(session, email)
    if user is None:
        verify_password(_unknown_user_hash(), password)  # take as long as for a real account
        return None
    if not user.is_active or not verify_password(user.password_hash, password):
        return None
    return user


def create_api_token(
    session: Session, *, brand: Brand, name: str, user: User | None = None
) -> tuple[ApiToken, str]:
    """A new token row and the plain token, which is shown once and never stored."""
    token = new_token()
    row = ApiToken(
        brand_id=brand.id, user_id=user.id if user else None, name=name, digest=token_digest(token)
    )
    session.add(row)
    session.flush()
    record_event(
        session,
        brand_id=brand.id,
        kind="api_token.created",
        subject_type="api_token",
        subject_id=row.id,
        actor_id=user.id if user else None,
        data={"name": name},
    )
    return row, token


def revoke_api_token(session: Session, *, token: ApiToken, actor: User | None = None) -> bool:
    """Stop a token working from now on; False when it was already revoked (nothing changes)."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    record_event(
        session,
        brand_id=token.brand_id,
        kind="api_token.revoked",
        subject_type="api_token",
        subject_id=token.id,
        actor_id=actor.id if actor else None,
        data={"name": token.name},
    )
    return True


#: Last use tells people whether a token is still in use; it is not an audit trail. Recording it at
#: most this often keeps a stream of API reads from writing on every request, where on SQLite each
#: write would wait for the one writer and fail with "database is locked" under load.
TOKEN_USE_RESOLUTION = timedelta(minutes=1)


def touch_api_token(session: Session, *, token: ApiToken, now: datetime | None = None) -> bool:
    """Record the token's use, unless a use less than a minute ago is already recorded."""
    now = now or utcnow()
    if token.last_used_at is not None and now - token.last_used_at < TOKEN_USE_RESOLUTION:
        return False
    token.last_used_at = now
    return True


def end_sessions(session: Session, *, user: User) -> None:
    """Sign the user out everywhere: every session cookie issued before now stops working."""
    user.session_version += 1


def change_password(session: Session, *, user: User, password: str) -> None:
    """A new password; sessions signed in with the old one end (a thief's copy among them)."""
    user.password_hash = hash_password(password)
    end_sessions(session, user=user)


def deactivate_user(session: Session, *, user: User, actor: User | None = None) -> bool:
    """The user can no longer sign in, every open session ends and the API tokens that act for
    them are revoked; False when already inactive (nothing changes)."""
    if not user.is_active:
        return False
    user.is_active = False
    end_sessions(session, user=user)
    for token in session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ):
        revoke_api_token(session, token=token, actor=actor)
    for membership in user.memberships:  # the audit log is kept per brand
        record_event(
            session,
            brand_id=membership.brand_id,
            kind=EventKind.USER_DEACTIVATED,
            subject_type="user",
            subject_id=user.id,
            actor_id=actor.id if actor else None,
        )
    return True


def rename_team(session: Session, *, team: Team, name: str, actor: User | None = None) -> bool:
    """Give the team a new name people see; its slug stays, so rules and links keep working.
    False when the name is unchanged."""
    if team.name == name:
        return False
    previous, team.name = team.name, name
    record_event(
        session,
        brand_id=team.brand_id,
        kind=EventKind.TEAM_RENAMED,
        subject_type="team",
        subject_id=team.id,
        actor_id=actor.id if actor else None,
        data={"from": previous, "to": name},
    )
    return True


def rename_brand(session: Session, *, brand: Brand, name: str, actor: User | None = None) -> bool:
    """A new name people see; the slug stays, so tokens, commands and links keep working.
    False when the name is unchanged."""
    if brand.name == name:
        return False
    previous, brand.name = brand.name, name
    record_event(
        session,
        brand_id=brand.id,
        kind=EventKind.BRAND_RENAMED,
        subject_type="brand",
        subject_id=brand.id,
        actor_id=actor.id if actor else None,
        data={"from": previous, "to": name},
    )
    return True


def _admins(session: Session, brand_id: int) -> list[int]:
    return list(
        session.scalars(
            select(Membership.user_id)
            .join(User, User.id == Membership.user_id)
            .where(Membership.brand_id == brand_id, Membership.role == Role.ADMIN, User.is_active.is_(True))
        )
    )


def change_role(session: Session, *, membership: Membership, role: Role, actor: User | None = None) -> bool:
    """Give a person another role in the brand; the brand always keeps one active administrator.
    False when the role is unchanged."""
    if membership.role is role:
        return False
    if membership.role is Role.ADMIN and _admins(session, membership.brand_id) == [membership.user_id]:
        raise InvalidInput("role: the brand's only administrator stays one; make someone else admin first")
    previous, membership.role = membership.role, role
    record_event(
        session,
        brand_id=membership.brand_id,
        kind=EventKind.ROLE_CHANGED,
        subject_type="user",
        subject_id=membership.user_id,
        actor_id=actor.id if actor else None,
        data={"from": previous.value, "to": role.value},
    )
    return True


#: How long an invite link works when it is not used.
INVITE_VALID_FOR = timedelta(days=7)


def create_invite(
    session: Session,
    *,
    brand: Brand,
    email: str,
    name: str,
    role: Role,
    actor: User | None = None,
    now: datetime | None = None,
) -> tuple[Invite, str]:
    """A one-time link to join the brand; returns the row and the token, shown once.

    Whether the address has an account is not told here: whoever opens the link chooses a
    password, or signs in with theirs (``accept_invite``), so nobody joins a brand without
    agreeing and an administrator cannot learn who has an account elsewhere.
    """
    email = email.strip().lower()
    existing = get_user_by_email(session, email)
    if existing is not None and any(m.brand_id == brand.id for m in existing.memberships):
        raise Conflict(f"email: {email} works for {brand.name} already")
    now = now or utcnow()
    token = new_token()
    invite = Invite(
        brand_id=brand.id,
        email=email,
        name=name,
        role=role,
        digest=token_digest(token),
        invited_by_id=actor.id if actor else None,
        created_at=now,
        expires_at=now + INVITE_VALID_FOR,
    )
    session.add(invite)
    session.flush()
    record_event(
        session,
        brand_id=brand.id,
        kind=EventKind.INVITE_CREATED,
        subject_type="invite",
        subject_id=invite.id,
        actor_id=actor.id if actor else None,
        data={"email": email, "role": role.value},
    )
    return invite, token


def accept_invite(session: Session, *, invite: Invite, password: str, now: datetime | None = None) -> User:
    """Use the link: a new account with this password, or the existing account of the invited
    address signed in with its own, joins the brand in the invited role.

    The caller found the invite with ``queries.get_usable_invite``; it works once.
    """
    now = now or utcnow()
    # Claimed by one conditional UPDATE, so two tabs submitting the same link at once cannot both
    # use it: the second waits for the first's row lock, then finds the invite taken.
    claimed = session.execute(
        update(Invite)
        .where(Invite.id == invite.id, Invite.accepted_at.is_(None), Invite.revoked_at.is_(None))
        .values(accepted_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("invite: this link has been used already")
    invite.accepted_at = now
    # checked after the claim, so a second submission of a used link hears that it was used; a
    # wrong password raises, and the caller's rollback gives the claim back
    existing = get_user_by_email(session, invite.email)
    if existing is not None and authenticate(session, email=invite.email, password=password) is None:
        raise WrongPassword(f"password: not the password of the account {invite.email}")
    user = existing or create_user(session, email=invite.email, name=invite.name, password=password)
    brand = session.get(Brand, invite.brand_id)
    assert brand is not None  # foreign key
    if any(m.brand_id == brand.id for m in user.memberships):
        raise Conflict(f"email: {invite.email} works for {brand.name} already")
    add_membership(session, user=user, brand=brand, role=invite.role)
    record_event(
        session,
        brand_id=invite.brand_id,
        kind=EventKind.INVITE_ACCEPTED,
        subject_type="invite",
        subject_id=invite.id,
        actor_id=user.id,
        data={"email": invite.email, "user_id": user.id},
    )
    return user


def revoke_invite(session: Session, *, invite: Invite, actor: User | None = None) -> bool:
    """Withdraw an unused invite; False when it was used or withdrawn already."""
    if invite.accepted_at is not None or invite.revoked_at is not None:
        return False
    invite.revoked_at = utcnow()
    record_event(
        session,
        brand_id=invite.brand_id,
        kind=EventKind.INVITE_REVOKED,
        subject_type="invite",
        subject_id=invite.id,
        actor_id=actor.id if actor else None,
        data={"email": invite.email},
    )
    return True
