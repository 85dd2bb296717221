"""How identity data is shown where it must not be read whole (domain.md, privacy).

Screens show ID numbers and mobiles masked; lists outside a verified call mask names.
"""

from __future__ import annotations

import re

from desk.rules.validation import normalize_mobile


def _mask_middle(text: str, head: int, tail: int) -> str:
    hidden = len(text) - head - tail
    if hidden <= 0:
        # Too short to show any part without showing all of it.
        return "*" * len(text)
    return text[:head] + "*" * hidden + text[len(text) - tail :]


def mask_id_number(number: str) -> str:
    """How screens show an ID number: 110101********123X.

    18-digit numbers hide the birth date and sequence; other numbers keep the first 3 and
    the last 4 characters (the last 4 are what callers quote to verify identity); a number
    of 7 characters or fewer is all stars.
    """
    number = number.strip()
    if len(number) == 18:
        return _mask_middle(number, 6, 4)
    return _mask_middle(number, 3, 4)


def mask_mobile(mobile: str) -> str:
    """How screens show a mobile: 138****5678."""
    try:
        digits = normalize_mobile(mobile)
    except ValueError:
        # Old records may hold anything; still never show it whole.
        digits = mobile.strip()
    return _mask_middle(digits, 3, 4)


def mask_name(name: str) -> str:
    """How lists outside a verified call show a name: 张*, 李*梅, 欧**娜."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


# An 18-character resident ID (or the old 15-digit one) and a mainland mobile, standing
# alone in running text; digits inside longer runs (policy numbers, UUIDs) are left be.
_ID_OR_MOBILE = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15}|1[3-9]\d{9})(?![0-9A-Za-z])")


def mask_identity_in_text(text: str) -> str:
    """``text`` with every ID number and mobile in it masked: for logs and error reports."""

    def masked(match: re.Match[str]) -> str:
        found = match.group(1)
        return mask_mobile(found) if len(found) == 11 else mask_id_number(found)

    return _ID_OR_MOBILE.sub(masked, text)
