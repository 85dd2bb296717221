"""Someone else saved the record this form edits: what changed, by whom, when; then a choice.

Shown by a form whose save met ``EditConflict`` (desk.use_cases.edit_conflicts). K or Enter
keeps the stored record and drops the agent's edit; O applies the agent's edit over it;
Esc goes back to the form, everything typed still there. Values are as the screens show
them: ID numbers and mobiles masked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from desk.texts.labels import t
from desk.use_cases.edit_conflicts import EditConflict
from screens.labels import inert, inert_text, minute
from screens.steady import SteadyFooter

Choice = Literal["keep", "overwrite", "back"]
Saved = TypeVar("Saved")


def changes_table(conflict: EditConflict) -> Table:
    """Field, the value the agent began from, the value now: long values wrap, never cut."""
    table = Table(box=None, expand=True, pad_edge=False, show_edge=False)
    table.add_column(t("conflict.col.field"), no_wrap=True, style="bold")
    table.add_column(t("conflict.col.then"), ratio=1, overflow="fold")
    table.add_column(t("conflict.col.now"), ratio=1, overflow="fold")
    for change in conflict.changes:
        table.add_row(inert_text(change.label), inert_text(change.then or "-"), inert_text(change.now or "-"))
    if not conflict.changes:
        table.add_row(inert_text(t("conflict.nothing_visible")), "", "")
    return table


class EditConflictScreen(ModalScreen[Choice]):
    """Dismisses with "keep" (theirs stays), "overwrite" (apply mine) or "back" (to my form)."""

    BINDINGS = [
        Binding("enter", "choose('keep')", t("conflict.key.keep"), show=False, id="conflict-keep-enter", priority=True),
        Binding("k", "choose('keep')", t("conflict.key.keep"), key_display="K/⏎", id="conflict-keep"),
        Binding("o", "choose('overwrite')", t("conflict.key.overwrite"), key_display="O", id="conflict-overwrite"),
        Binding("escape", "choose('back')", t("conflict.key.back"), id="conflict-back"),
    ]

    def __init__(self, conflict: EditConflict) -> None:
        super().__init__()
        self.conflict = conflict

    def compose(self) -> ComposeResult:
        conflict = self.conflict
        at = minute(conflict.changed_at) if conflict.changed_at is not None else t("conflict.unknown_time")
        with Vertical(id="edit-conflict"):
            yield Static(t("conflict.title"), classes="title")
            yield Static(inert_text(t("conflict.who", who=conflict.changed_by, at=at)), id="edit-conflict-who")
            with VerticalScroll(id="edit-conflict-changes"):
                yield Static(changes_table(conflict), id="edit-conflict-table")
            yield Static(t("conflict.keys"), classes="hint")
        yield SteadyFooter()

    def action_choose(self, choice: Choice) -> None:
        self.dismiss(choice)


class EditForm:
    """A form that edits one record field by field (family member, contact details): each
    problem under its field, a message line below, and a save in a thread worker that
    keeps everything typed whatever becomes of it.

    When its save meets another agent's edit, the agent sees what changed and chooses;
    leaving with changes asks first.

    The form provides ``fields`` (its fields in order: ``#field-<name>`` and
    ``#error-<name>`` under it), ``save_group`` (the group of its save worker), ``values``,
    ``initial`` (the values as it opened), ``record_type`` (the record's line class),
    ``started_from`` (the record as last seen), ``_as_typed`` (a record as the boxes show
    it), ``_kept`` (what the form returns once the agent keeps the other's edit), ``saving``
    and ``action_save``.
    """

    record_type: type
    started_from: object
    saving: bool
    fields: tuple[str, ...]
    save_group: str
    initial: dict[str, str]

    def _conflicted(self, conflict: EditConflict) -> None:
        self.saving = False
        self._say(str(conflict), error=True)  # type: ignore[attr-defined]

        def chosen(choice: Choice | None) -> None:
            if choice == "keep":
                self.dismiss(self._kept(conflict))  # type: ignore[attr-defined]
                return
            # Mine, now or after more editing, goes over what the agent has just seen.
            if isinstance(conflict.current, self.record_type):
                self.started_from = conflict.current
            if choice == "overwrite":
                self.action_save()  # type: ignore[attr-defined]
            else:
                self._say(t("conflict.again", who=conflict.changed_by))  # type: ignore[attr-defined]

        self.app.push_screen(EditConflictScreen(conflict), chosen)  # type: ignore[attr-defined]

    def action_leave(self) -> None:
        from screens.request_form import ConfirmDiscard

        if not self._dirty():  # type: ignore[attr-defined]
            self.dismiss(None)  # type: ignore[attr-defined]
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)  # type: ignore[attr-defined]

        self.app.push_screen(ConfirmDiscard(), answered)  # type: ignore[attr-defined]

    def _dirty(self) -> bool:
        return self.values() != self.initial  # type: ignore[attr-defined]

    def _to_save(self) -> dict[str, str]:
        """What the agent typed, and for every field the agent left as it opened, the
        record as last seen: applying mine over another agent's edit must not put back
        the fields that agent changed and this one never touched."""
        values: dict[str, str] = self.values()  # type: ignore[attr-defined]
        if not isinstance(self.started_from, self.record_type):
            return values
        seen = self._as_typed(self.started_from)  # type: ignore[attr-defined]
        return {name: value if value != self.initial.get(name) else seen.get(name, value)
                for name, value in values.items()}

    def _say(self, message: str, error: bool = False) -> None:
        line = self.query_one("#form-message", Static)  # type: ignore[attr-defined]
        line.update(inert(message))
        line.set_class(error, "error")

    def _show_problems(self, problems: dict[str, str]) -> None:
        for name in self.fields:
            error = self.query_one(f"#error-{name}", Static)  # type: ignore[attr-defined]
            error.update(inert(problems.get(name, "")))
            error.display = name in problems
        first = next((name for name in self.fields if name in problems), None)
        if first is not None:
            self.query_one(f"#field-{first}").focus()  # type: ignore[attr-defined]

    def _save_through(self, save: Callable[[Any], Saved], refused: type[Exception]) -> Saved | None:
        """In the save worker's thread: ``save`` in a unit of work, and what it returns; None
        once the form has been told why not (``refused`` carries field ``problems``)."""
        from desk.errors import DeskError

        app = self.app  # type: ignore[attr-defined]
        try:
            with app.database.unit_of_work() as uow:
                return save(uow)
        except EditConflict as conflict:
            app.call_from_thread(self._conflicted, conflict)
        except refused as error:
            app.call_from_thread(self._refused, {p.field: p.message for p in error.problems})  # type: ignore[attr-defined]
        except DeskError as error:
            app.call_from_thread(self._failed, str(error))
        except Exception as error:  # noqa: BLE001 - a locked or lost database: keep what was typed
            from desk.use_cases.fault_log import unexpected

            # Never the driver's words: a refused row is quoted with its ID number.
            app.call_from_thread(self._failed, t("error.save_failed", reason=unexpected(error)))
        return None

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Leave from the event loop once the worker has finished, never from its thread.
        if event.worker.group == self.save_group and event.state == WorkerState.SUCCESS and event.worker.result:
            self.dismiss(event.worker.result)  # type: ignore[attr-defined]

    def _refused(self, problems: dict[str, str]) -> None:
        self.saving = False
        self._show_problems(problems)
        # A problem of no field (there should be none) is still said, at the bottom.
        stray = [message for name, message in problems.items() if name not in self.fields]
        self._say("；".join([t("form.fix_fields", count=len(problems)), *stray]), error=True)

    def _failed(self, reason: str) -> None:
        self.saving = False
        self._say(reason, error=True)
