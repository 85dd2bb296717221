"""Running a use case from a screen's worker thread, with its failure said on the screen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from textual.screen import Screen
from textual.widgets import Static

from desk.errors import DeskError
from desk.texts.labels import t

T = TypeVar("T")


def attempt(screen: Screen[Any], error_line: str, act: Callable[[Any], T]) -> T | None:
    """``act`` in a unit of work; None after writing why it failed into ``error_line``.

    Call from a worker thread: the message is handed to the screen's own thread. A refusal
    is said as the use case words it; anything else (a lost connection) as a failed save,
    never raised: what the agent typed stays on the screen.
    """
    app = screen.app
    try:
        with app.database.unit_of_work() as uow:  # type: ignore[attr-defined]
            return act(uow)
    except DeskError as error:
        message = str(error)
    except Exception as error:  # noqa: BLE001 - said where the agent looks, not raised
        from desk.use_cases.fault_log import unexpected

        message = t("error.save_failed", reason=unexpected(error))
    app.call_from_thread(screen.query_one(f"#{error_line}", Static).update, message)
    return None
