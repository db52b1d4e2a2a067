"""Password hashing at its smallest cost inside the test processes.

The product hashes with argon2id at its default cost (64 MiB and three passes: about 0.3 s of CPU
for every hash and every check), which guards stored hashes against offline guessing. No test
checks that cost, and the suite hashes and checks hundreds of passwords: every user a fixture
creates, every sign-in through a page or a browser. The test processes use the same algorithm
with the same salt and hash lengths at the lowest cost argon2 allows; hashes of either cost
verify with either hasher (the cost is read from the hash). Servers the tests start as their own
processes (``ombuds serve``) keep the product's cost.
"""

from __future__ import annotations

from argon2 import PasswordHasher

from ombuds.accounts import security

#: The hasher the product uses, kept so a test can check its cost was not lowered with ours.
PRODUCT_HASHER = security._hasher
CHEAP_HASHER = PasswordHasher(
    time_cost=1,
    memory_cost=8,  # KiB; the least argon2 accepts for one lane
    parallelism=1,
    hash_len=PRODUCT_HASHER.hash_len,
    salt_len=PRODUCT_HASHER.salt_len,
)


def use_cheap_hashing() -> None:
    security._hasher = CHEAP_HASHER
