"""A function held back until the test lets it go: a slow database, on purpose."""

from __future__ import annotations

import threading
from types import ModuleType


def held(monkeypatch, module: ModuleType, name: str, *, calls: int | None = None) -> threading.Event:
    """Make ``module.name`` wait (at most 10 s) for the returned event before it runs: every
    call, or only the first ``calls`` of them."""
    release = threading.Event()
    original = getattr(module, name)
    made: list[int] = []

    def waiting(*args, **kwargs):
        made.append(1)
        if calls is None or len(made) <= calls:
            release.wait(10)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, waiting)
    return release
