"""Random ids and delete tokens, strict id validation, and salted hashes for access codes and tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from typing import TypeGuard

from snapshots.errors import SnapshotInvalid

ID_BYTES = 18  # 144 bits; a multiple of 3 so the URL-safe base64 form has no padding and every character carries data
ID_LENGTH = 24
DELETE_TOKEN_BYTES = 32
_ID_RE = re.compile(rf"[A-Za-z0-9_-]{{{ID_LENGTH}}}")
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")
_CODE_RE = re.compile(r"[A-Za-z0-9]{4,6}")

# scrypt at n=2**14, r=8 costs ~16 MB and tens of milliseconds: cheap for one honest open, slow for a stolen-table attack.
_SCRYPT_N = 2**14
_SCRYPT_R = 8
_SCRYPT_P = 1
_SALT_BYTES = 16
_DUMMY_HASH_SALT = b"\x00" * _SALT_BYTES


def new_id() -> str:
    """A fresh snapshot id: 144 random bits, URL-safe, never derived from the data."""
    return secrets.token_urlsafe(ID_BYTES)


def is_valid_id(value: object) -> TypeGuard[str]:
    """True only for strings shaped exactly like ids from `new_id`; checked before any storage is touched."""
    return isinstance(value, str) and len(value) == ID_LENGTH and _ID_RE.fullmatch(value) is not None


def new_delete_token() -> str:
    """A fresh 256-bit delete token, shown once to the creator."""
    return secrets.token_urlsafe(DELETE_TOKEN_BYTES)


def hash_delete_token(token: str) -> str:
    """The stored form of a delete token; a plain SHA-256 suffices for 256 random bits."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def delete_token_matches(token: object, stored_hash: str) -> bool:
    """Compare a presented delete token with its stored hash in constant time."""
    if not isinstance(token, str) or _TOKEN_RE.fullmatch(token) is None:
        return False
    return hmac.compare_digest(hash_delete_token(token), stored_hash)


def check_access_code(code: object) -> str:
    """Return the code if it is 4–6 ASCII letters or digits, else raise `SnapshotInvalid` with a Chinese message."""
    if not isinstance(code, str) or _CODE_RE.fullmatch(code) is None:
        raise SnapshotInvalid("提取码须为 4–6 位英文字母或数字（区分大小写）。")
    return code


def hash_access_code(code: str) -> str:
    """The stored form of an access code: scrypt with a per-snapshot random salt, parameters kept alongside."""
    salt = secrets.token_bytes(_SALT_BYTES)
    digest = _scrypt(code, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    return "$".join(("scrypt", str(_SCRYPT_N), str(_SCRYPT_R), str(_SCRYPT_P), _b64(salt), _b64(digest)))


def access_code_matches(code: object, stored_hash: str | None) -> bool:
    """Check a presented code against a stored hash; hashes even when there is nothing to match, so timing tells nothing."""
    if not isinstance(code, str) or len(code) > 64:
        return False
    if stored_hash is None:
        _scrypt(code, _DUMMY_HASH_SALT, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
        return False
    try:
        scheme, n, r, p, salt, digest = stored_hash.split("$")
        expected = base64.urlsafe_b64decode(digest)
        actual = _scrypt(code, base64.urlsafe_b64decode(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return scheme == "scrypt" and hmac.compare_digest(actual, expected)


def code_admits(code: object, found: bool, stored_hash: str | None) -> bool:
    """True for a found item without a code or with a matching one; a missing item costs the same hashing, so timing tells nothing.

    Codes have no spaces, so spaces around a pasted code are noise, not a different code.
    """
    code = code.strip() if isinstance(code, str) else None
    if not found:
        if code is not None:
            access_code_matches(code, None)
        return False
    return stored_hash is None or access_code_matches(code, stored_hash)


def _scrypt(code: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(code.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32, maxmem=64 * 1024 * 1024)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii")
