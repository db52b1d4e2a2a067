"""Pydantic shapes of accounts at the edges."""

from __future__ import annotations

from pydantic import BaseModel, EmailStr, Field

from ombuds.accounts.models import Role


class UserCreate(BaseModel):
    email: EmailStr
    name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=8, max_length=200)
    brand_slug: str
    role: Role = Role.AGENT
