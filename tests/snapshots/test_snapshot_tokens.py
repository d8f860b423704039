"""Ids, delete tokens and access-code hashes."""

from __future__ import annotations

import base64
import re
from collections import Counter

import pytest

from snapshots.tokens import (
    ID_LENGTH,
    access_code_matches,
    check_access_code,
    delete_token_matches,
    hash_access_code,
    hash_delete_token,
    is_valid_id,
    new_delete_token,
    new_id,
)


def test_ids_are_url_safe_and_carry_at_least_128_random_bits() -> None:
    ids = [new_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{24}", i) for i in ids)
    assert {len(base64.urlsafe_b64decode(i)) for i in ids} == {18}
    # Every position varies: no fixed prefix, counter or timestamp hiding in the id.
    for position in range(ID_LENGTH):
        assert len({i[position] for i in ids}) > 40
    counts = Counter("".join(ids))
    assert len(counts) == 64 and max(counts.values()) < 3 * min(counts.values())


def test_every_new_id_is_valid() -> None:
    assert all(is_valid_id(new_id()) for _ in range(200))


@pytest.mark.parametrize(
    "value",
    ["", "A" * 23, "A" * 25, "A" * 23 + "\n", "A" * 23 + "=", "A" * 23 + "/", "A" * 23 + "+", "Ａ" * 24, "٣" * 24, None, 5, b"A" * 24],
)
def test_anything_not_shaped_like_an_id_is_invalid(value: object) -> None:
    assert not is_valid_id(value)


def test_delete_tokens_are_256_bit_and_only_their_hash_matches() -> None:
    token = new_delete_token()
    assert len(base64.urlsafe_b64decode(token + "=")) == 32
    stored = hash_delete_token(token)
    assert token not in stored
    assert delete_token_matches(token, stored)
    assert not delete_token_matches(new_delete_token(), stored)
    assert not delete_token_matches(token[:-1], stored)
    assert not delete_token_matches(None, stored)


@pytest.mark.parametrize("code", ["abcd", "AB12", "a1B2c3", "0000"])
def test_well_formed_access_codes_are_accepted(code: str) -> None:
    assert check_access_code(code) == code


def test_access_code_hashes_are_salted_and_verify_only_the_same_code() -> None:
    first, second = hash_access_code("Ab12"), hash_access_code("Ab12")
    assert first != second and first.startswith("scrypt$")
    assert access_code_matches("Ab12", first) and access_code_matches("Ab12", second)
    for wrong in ("ab12", "Ab123", "", None, "Ab12 ", "x" * 10_000):
        assert not access_code_matches(wrong, first)


def test_a_code_never_matches_when_nothing_is_stored() -> None:
    assert not access_code_matches("Ab12", None)


def test_a_damaged_stored_hash_never_matches() -> None:
    assert not access_code_matches("Ab12", "scrypt$oops")
    assert not access_code_matches("Ab12", "plain$16384$8$1$AAAA$AAAA")
