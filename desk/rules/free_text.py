"""What typed or imported text may hold: nothing that acts on a terminal or a database.

A name pasted from a chat window can carry an escape sequence (it would recolour or move
the cursor of every terminal that prints it), a NUL (PostgreSQL refuses it), a lone
surrogate (no encoding can store it) or zero-width marks. Names refuse them; free text
and search queries drop them. Every channel (form, import, CLI) uses these two.
"""

from __future__ import annotations

import re
import unicodedata

from desk.texts.labels import t

# A terminal escape sequence: CSI (ESC [ … final), OSC (ESC ] … BEL or ST), or ESC + one.
_ESCAPE_SEQUENCE = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-_])")
# Line breaks and tabs are text in a note; every other control, format, surrogate,
# private-use or unassigned code point is not.
_KEPT = {"\n", "\t"}


def _unwanted(ch: str, *, keep_breaks: bool) -> bool:
    if keep_breaks and ch in _KEPT:
        return False
    return unicodedata.category(ch)[0] == "C"


def printable(text: str, *, keep_breaks: bool = False) -> str:
    """``text`` without escape sequences and control characters (line breaks kept on ask)."""
    text = _ESCAPE_SEQUENCE.sub("", text)
    return "".join(ch for ch in text if not _unwanted(ch, keep_breaks=keep_breaks))


def has_control_characters(text: str) -> bool:
    """True if ``text`` holds anything ``printable`` would drop (line breaks included)."""
    return any(_unwanted(ch, keep_breaks=False) for ch in text)


def problem_text(label: str, key: str, **values: object) -> str:
    """The message of ``key`` after the field's label, as in "证件号码：…"."""
    return t("validation.problem", label=label, text=t(key, **values))


def _problem(label: str, key: str, **values: object) -> ValueError:
    return ValueError(problem_text(label, key, **values))


def checked_name(label: str, text: str, *, max_length: int) -> str:
    """A name as it is stored: surrounding space dropped; anything unprintable or longer
    than ``max_length`` (the width of the column it lands in) raises ``ValueError`` with
    the message, naming ``label``. A name is never silently changed: a NUL in it means the
    paste went wrong, and the agent should see that."""
    text = text.strip()
    if has_control_characters(text):
        raise _problem(label, "validation.control_characters")
    if len(text) > max_length:
        raise _problem(label, "validation.at_most", count=max_length)
    return text


def checked_text(label: str, text: str, *, max_length: int, multi_line: bool = False) -> str:
    """Free text (a note, a reason) as it is stored: control characters and escape
    sequences dropped (line breaks and tabs kept when ``multi_line``), surrounding space
    dropped. Longer than ``max_length`` raises ``ValueError``: a long text is refused,
    never cut, so nothing the agent typed is lost without a word."""
    text = printable(text, keep_breaks=multi_line).strip()
    if len(text) > max_length:
        raise _problem(label, "validation.at_most", count=max_length)
    return text
