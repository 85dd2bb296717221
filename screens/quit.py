"""Ctrl+Q while work is open: say what is open and ask before quitting.

Y keeps every changed form as a draft and ends the call with its wrap-up, then quits;
N (or Esc) goes back. Ctrl+Q pressed again here quits at once, drafts kept: the way out
when the database is gone and no wrap-up can be saved.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from desk.texts.labels import t
from screens.steady import SteadyFooter


class ConfirmQuit(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "dismiss(True)", t("quit.yes"), id="quit-yes"),
        Binding("n", "dismiss(False)", t("key.back"), id="quit-no"),
        Binding("escape", "dismiss(False)", t("key.back"), show=False, id="quit-escape"),
    ]

    def __init__(self, open_call: str | None, changed_forms: list[str]) -> None:
        super().__init__()
        self.open_call = open_call
        self.changed_forms = changed_forms

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Static(t("quit.title"), classes="title")
            if self.open_call is not None:
                yield Static(t("quit.open_call", name=self.open_call))
            for name in self.changed_forms:
                yield Static(t("quit.changed_form", name=name))
            yield Static(t("quit.keys"), classes="hint")
        yield SteadyFooter()
