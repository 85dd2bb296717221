"""Ending a call: a wrap-up code and a note. A failed save keeps everything typed."""

from __future__ import annotations

import uuid

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static

from desk.texts.labels import t
from desk.use_cases import limits
from desk.use_cases.calls import WRAP_UP_CODES, end_call
from screens.labels import inert
from screens.steady import SteadyFooter
from screens.widgets import MarkedList


class WrapUpScreen(ModalScreen[bool]):
    HELP_TOPIC = "wrap_up"
    BINDINGS = [
        Binding("ctrl+s", "save", t("key.save"), id="save-wrap-up", priority=True),
        Binding("escape", "dismiss(False)", t("key.cancel"), id="cancel-wrap-up"),
        Binding("up", "code(-1)", t("key.up"), show=False, id="wrap-up-code-up"),
        Binding("down", "code(1)", t("key.down"), show=False, id="wrap-up-code-down"),
    ]

    def __init__(self, call_id: uuid.UUID, name: str, default_code: str) -> None:
        super().__init__()
        self.call_id = call_id
        self.customer_name = name
        self.default_code = default_code
        # Made once, kept across retries: a retry after a lost answer never adds a second note.
        self.note_id = uuid.uuid4()

    def compose(self) -> ComposeResult:
        with Vertical(id="wrap-up"):
            yield Static(t("wrap_up.title", name=inert(self.customer_name)), classes="title")
            yield Static(t("wrap_up.code"), classes="section")
            # The chosen code marked ">" in text: it must read without colour too.
            codes = MarkedList(id="wrap-up-code")
            codes.add_options(codes.labeled([(code, t(f"wrap_up.{code}")) for code in WRAP_UP_CODES]))
            yield codes
            yield Static(t("wrap_up.note"), classes="section")
            yield Input(id="wrap-up-note", max_length=limits.CALL_NOTE)
            yield Static("", id="wrap-up-error", classes="error")
        yield SteadyFooter()

    def on_mount(self) -> None:
        codes = self.query_one("#wrap-up-code", OptionList)
        codes.highlighted = WRAP_UP_CODES.index(self.default_code)
        self.query_one("#wrap-up-note", Input).focus()

    def action_code(self, step: int) -> None:
        codes = self.query_one("#wrap-up-code", OptionList)
        current = codes.highlighted or 0
        codes.highlighted = max(0, min(codes.option_count - 1, current + step))

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        self.action_save()

    def action_save(self) -> None:
        codes = self.query_one("#wrap-up-code", OptionList)
        if codes.highlighted is None:
            self.query_one("#wrap-up-error", Static).update(t("wrap_up.need_code"))
            return
        code = WRAP_UP_CODES[codes.highlighted]
        self._save(code, self.query_one("#wrap-up-note", Input).value)

    @work(thread=True, exclusive=True, group="wrap-up", exit_on_error=False)
    def _save(self, code: str, note: str) -> None:
        app = self.app
        try:
            with app.database.unit_of_work() as uow:  # type: ignore[attr-defined]
                end_call(uow, self.call_id, wrap_up_code=code, note=note,
                         agent_id=app.agent_id, at=app.now(), note_id=self.note_id)  # type: ignore[attr-defined]
        except Exception as error:  # noqa: BLE001 - the form stays filled whatever went wrong
            from desk.errors import DeskError
            from desk.use_cases.fault_log import unexpected

            # A refusal in its own words; anything else by reference, never the driver's words.
            reason = str(error) if isinstance(error, DeskError) else unexpected(error)
            app.call_from_thread(self.query_one("#wrap-up-error", Static).update,
                                 t("error.save_failed", reason=reason))
            return
        app.call_from_thread(self.dismiss, True)
