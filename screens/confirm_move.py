"""Before the queue moves a request on: which request, whose, and from what to what.

The queue acts on the row under the cursor, and rows move as the queue refreshes itself;
one key should never act on a request the agent did not see. Enter or Y confirms, Esc
(or N) backs out and nothing happens.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from desk.texts.labels import t
from screens.labels import inert_text
from screens.steady import SteadyFooter


class ConfirmMoveScreen(ModalScreen[bool]):
    """Dismisses with True to make the move, False to leave the request as it is."""

    HELP_TOPIC = "queue"
    BINDINGS = [
        Binding("enter", "dismiss(True)", t("key.confirm"), id="confirm-move-enter", priority=True),
        Binding("y", "dismiss(True)", t("key.confirm"), show=False, id="confirm-move-yes"),
        Binding("escape", "dismiss(False)", t("key.cancel"), id="confirm-move-cancel"),
        Binding("n", "dismiss(False)", t("key.cancel"), show=False, id="confirm-move-no"),
    ]

    def __init__(self, subject: str, change: str) -> None:
        super().__init__()
        self.subject = subject
        self.change = change

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-move"):
            yield Static(t("queue.confirm_title"), classes="title")
            yield Static(inert_text(self.subject), id="confirm-move-subject")
            yield Static(inert_text(self.change), id="confirm-move-change")
            yield Static(t("queue.confirm_keys"), classes="hint")
        yield SteadyFooter()
