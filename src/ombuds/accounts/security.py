"""Password hashing (argon2) and API token digests; pure, no database."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

TOKEN_PREFIX = "omb_"


@dataclass(frozen=True)
class HashedPassword:
    """A password hashed once for several accounts that share it (the demo's people): argon2
    spends a third of a second on purpose for each hash, seconds of the demo's start."""

    hash: str

    @classmethod
    def of(cls, password: str) -> HashedPassword:
        return cls(hash_password(password))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """A fresh bearer token; shown once, only its digest is stored."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
