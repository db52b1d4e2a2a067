"""The tests hash passwords cheaply (tests/support/passwords.py); the product must not."""

from __future__ import annotations

from argon2 import Type, profiles

from ombuds.accounts.security import verify_password
from tests.support.passwords import CHEAP_HASHER, PRODUCT_HASHER


def test_the_product_hashes_passwords_at_argon2_s_recommended_cost() -> None:
    recommended = profiles.RFC_9106_LOW_MEMORY
    assert PRODUCT_HASHER.type is Type.ID
    assert PRODUCT_HASHER.memory_cost >= recommended.memory_cost
    assert PRODUCT_HASHER.time_cost >= recommended.time_cost


def test_a_hash_of_either_cost_is_checked_by_the_product() -> None:
    for hasher in (PRODUCT_HASHER, CHEAP_HASHER):
        stored = hasher.hash("correct horse")
        assert stored.startswith("$argon2id$")
        assert verify_password(stored, "correct horse")
        assert not verify_password(stored, "battery staple")
