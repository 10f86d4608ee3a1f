"""Password hashing: argon2id, verification, rehash detection (no database needed)."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from progress.passwords import (
    MIN_PASSWORD_LENGTH,
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)

PASSWORD = "correct horse battery staple"


def test_hashes_are_argon2id_and_verify() -> None:
    hashed = hash_password(PASSWORD)
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, PASSWORD) is True
    assert verify_password(hashed, PASSWORD + "!") is False
    assert needs_rehash(hashed) is False


@pytest.mark.parametrize("stored", [None, "", "not a hash", "$argon2id$broken"])
def test_missing_or_malformed_hashes_never_verify(stored: str | None) -> None:
    assert verify_password(stored, PASSWORD) is False


def test_weaker_hashes_need_rehashing() -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD)
    assert verify_password(weak, PASSWORD) is True
    assert needs_rehash(weak) is True
    assert needs_rehash("garbage") is True


@pytest.mark.parametrize(
    ("password", "usable"),
    [("x" * (MIN_PASSWORD_LENGTH - 1), False), ("x" * MIN_PASSWORD_LENGTH, True), ("", False)],
)
def test_password_problem(password: str, usable: bool) -> None:
    assert (password_problem(password) is None) is usable
