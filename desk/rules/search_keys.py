"""The keys a caller is found by, computed once when a customer is written.

Agents type what the caller says: a name in characters or pinyin (``zhangsan``, ``zs``),
the last 4 digits of a mobile, the last 4 or 6 of an ID number. Storing these beside the
customer turns each kind of lookup into an index scan.
"""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin


@lru_cache(maxsize=65536)
def _syllables(name: str) -> tuple[str, ...]:
    # Non-Han characters (a foreign name) are kept as they are, lower-cased.
    return tuple(s.lower() for s in lazy_pinyin(name, style=Style.NORMAL, errors="default") if s.strip())


def name_pinyin(name: str) -> str:
    return "".join(_syllables(name.replace(" ", "").replace("·", "")))


def name_initials(name: str) -> str:
    return "".join(s[0] for s in _syllables(name.replace(" ", "").replace("·", "")))


def customer_search_keys(name: str, id_number: str, mobile: str) -> dict[str, str]:
    """The search-key columns of a customer row."""
    return {
        "name_pinyin": name_pinyin(name)[:128],
        "name_initials": name_initials(name)[:32],
        "id_last4": id_number[-4:].upper(),
        "id_last6": id_number[-6:].upper(),
        "mobile_last4": mobile[-4:],
    }
