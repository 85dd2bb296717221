"""Someone else saved the record this form edits: what changed, by whom, when; then a choice.

Shown by a form whose save met ``EditConflict`` (desk.use_cases.edit_conflicts). K or Enter
keeps the stored record and drops the agent's edit; O applies the agent's edit over it;
Esc goes back to the form, everything typed still there. Values are as the screens show
them: ID numbers and mobiles masked.
"""

from __future__ import annotations

from typing import Literal

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from desk.texts.labels import t
from desk.use_cases.edit_conflicts import EditConflict
from screens.labels import inert, inert_text, minute

Choice = Literal["keep", "overwrite", "back"]


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
        yield Footer()

    def action_choose(self, choice: Choice) -> None:
        self.dismiss(choice)


class EditsOfOthers:
    """What an edit form (family member, contact details) does when its save met another
    agent's edit, and when the agent leaves it: one behaviour for every such form.

    The form provides ``started_from`` (the record as the form opened it), ``saving``,
    ``_say``, ``_dirty``, ``action_save``, ``record_type`` (the record's line class) and
    ``_kept`` (what the form returns once the agent keeps the other agent's edit).
    """

    record_type: type
    started_from: object
    saving: bool

    def _conflicted(self, conflict: EditConflict) -> None:
        self.saving = False
        self._say(inert(str(conflict)), error=True)  # type: ignore[attr-defined]

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
