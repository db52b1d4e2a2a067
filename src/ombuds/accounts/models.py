"""Brands (tenants), the people who work in them, their teams and machine tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

# the enums live in values.py for pure modules; re-exported for code written against the tables
from ombuds.accounts.values import AssignmentPolicy as AssignmentPolicy
from ombuds.accounts.values import Role as Role
from ombuds.clock import utcnow
from ombuds.db import Base, str_enum


class Brand(Base):
    __tablename__ = "brand"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: a customer writing again this many days after their case was resolved reopens it
    reopen_window_days: Mapped[int] = mapped_column(default=7, server_default="7")


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Copied into each session cookie at sign-in; raising it (sign-out, a new password,
    #: deactivation) ends every session signed in before, wherever its cookie has been copied.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")

    memberships: Mapped[list[Membership]] = relationship(back_populates="user", lazy="selectin")


#: an existing row's skills when the columns were added: none, so every case fits
NONE = text("'[]'")


class Membership(Base):
    """A user's role in one brand, and how they take cases there (capacity, skills, availability)."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "brand_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role))
    #: most open cases automatic assignment gives the person; None: no limit
    capacity: Mapped[int | None]
    # skills: what automatic assignment matches a case against; an empty list fits every case
    languages: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=NONE)
    channels: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=NONE)
    categories: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=NONE)
    #: when the person went away; None while they are available
    away_since: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="memberships")
    brand: Mapped[Brand] = relationship(lazy="joined")


class Team(Base):
    __tablename__ = "team"
    __table_args__ = (UniqueConstraint("brand_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    is_default: Mapped[bool] = mapped_column(default=False)
    assignment: Mapped[AssignmentPolicy] = mapped_column(
        str_enum(AssignmentPolicy),
        default=AssignmentPolicy.MANUAL,
        server_default=AssignmentPolicy.MANUAL.value,
    )
    #: the member round-robin gave a case to last; the next goes to the one after
    last_assigned_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    #: an archived team keeps its history but gets no new cases and leaves the pickers
    archived_at: Mapped[datetime | None]


class TeamMember(Base):
    """A person in a team: the team's queue is assigned among its members (a person may be in several)."""

    __tablename__ = "team_member"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiToken(Base):
    """A bearer token for machines; only its SHA-256 digest is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(200))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class Invite(Base):
    """A one-time link that lets a person set their password and join a brand; only its digest is stored."""

    __tablename__ = "invite"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(str_enum(Role))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    #: when the link was used; it works once
    accepted_at: Mapped[datetime | None]
    #: when an administrator withdrew it before it was used
    revoked_at: Mapped[datetime | None]
