"""Python's garbage collector kept out of the agent's way.

A full collection walks every object the process holds: with pypinyin's dictionaries
(about 200,000 lists) it took 130-160 ms, on the main thread, at whatever moment the
allocation counts said; one F2 in four took 200-300 ms instead of 85. What start-up
loaded lives as long as desk does, so it is frozen out of the collector's sight; what
remains (screens, caches: 20-60 ms) is collected fully only when no key has come for a
moment, or, for someone who never pauses, after ten times Python's own interval.
"""

from __future__ import annotations

import gc

# Python's default: a full collection after ten collections of the middle generation.
FULL_AFTER = 10
# Never by the allocation counts: collect_if_due runs them.
_NEVER = 1 << 30


def freeze_start_up() -> None:
    """Move everything alive now out of the collector's sight, and take full collections
    off the allocation counts (call ``collect_if_due`` from a timer instead)."""
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, _NEVER)


def collect_if_due(idle: bool) -> bool:
    """A full collection if Python would have run one by now (``idle``: no key is
    waiting), or long overdue; True if it ran."""
    pending = gc.get_count()[2]  # collections of the middle generation since the last full one
    if pending >= FULL_AFTER * (1 if idle else 10):
        gc.collect()
        return True
    return False
