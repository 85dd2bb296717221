"""Passwords as desk keeps them: a salted scrypt hash, never the password itself.

The stored form carries its own parameters, ``scrypt$<n>$<r>$<p>$<salt>$<hash>`` (salt and
hash in base64), so a later, costlier setting applies to new passwords while old hashes
still verify. Hashing and checking live together here because they share that format;
this is not a pure rule (each hash draws a fresh random salt), and the sign-in rule only
needs the answer, ``password_ok``.

n=2**14, r=8 takes about 50 ms and 16 MiB: slow for a guesser with a stolen table, quick
enough for a person signing in and for the tests.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import unicodedata

SCHEME = "scrypt"
N, R, P = 2**14, 8, 1
SALT_BYTES = 16
HASH_BYTES = 32
# Refuses a stored hash asking for absurd work (a damaged or tampered row) instead of
# stalling the desk: 4x what the parameters above need.
_MAX_MEMORY = 64 * 1024 * 1024
MIN_PASSWORD_LENGTH = 8


def _bytes(password: str) -> bytes:
    # One form for one typed text: an input method may send composed or decomposed accents.
    return unicodedata.normalize("NFC", password).encode("utf-8")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    """The stored form of ``password``, with a fresh random salt."""
    salt = os.urandom(SALT_BYTES)
    digest = hashlib.scrypt(_bytes(password), salt=salt, n=N, r=R, p=P, maxmem=_MAX_MEMORY, dklen=HASH_BYTES)
    return f"{SCHEME}${N}${R}${P}${_b64(salt)}${_b64(digest)}"


def password_matches(password: str, stored: str | None) -> bool:
    """True if ``password`` is the one ``stored`` was made from; False for no or a bad hash.

    The comparison takes the same time wherever the digests differ.
    """
    if not stored:
        return False
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != SCHEME:
            return False
        expected_bytes = base64.b64decode(expected, validate=True)
        digest = hashlib.scrypt(
            _bytes(password), salt=base64.b64decode(salt, validate=True), n=int(n), r=int(r), p=int(p),
            maxmem=_MAX_MEMORY, dklen=len(expected_bytes),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, expected_bytes)


@functools.cache
def unmatchable_hash() -> str:
    """A hash no one knows the password of: checked against when no agent has the login
    typed, so an unknown login takes as long to refuse as a wrong password."""
    return hash_password(os.urandom(16).hex())
