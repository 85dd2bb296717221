"""A customer's family members on file (F on the customer view): list, add, edit.

A family member must be on file with name, relation and ID before a psych test or a
smoking-clinic booking is filed for them. The list shows ID numbers masked; A adds a
member, Enter or E edits the highlighted one. The form checks through the use case
(desk.use_cases.family), shows each problem under its field and keeps everything typed;
Esc asks before throwing typed values away. An edit saved by someone else since the form
opened is shown (screens.edit_conflict) and the agent chooses: theirs, mine, or back.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Header, Input, Label, Static

from desk.rules.free_text import printable
from desk.texts.labels import t
from desk.use_cases.edit_conflicts import EditConflict
from desk.use_cases.family import (
    FAMILY_FIELDS,
    FamilyMemberLine,
    id_type_choices,
    relation_choices,
)
from screens.edit_conflict import EditForm
from screens.labels import day, inert
from screens.request_form import ChoiceList
from screens.steady import SteadyFooter, WholeTable

OPTIONAL_FIELDS = frozenset({"birth_date", "sex"})


def _sex_choices() -> tuple[tuple[str, str], ...]:
    return (("M", t("sex.M")), ("F", t("sex.F")))


class FamilyScreen(Screen[None]):
    """The family members of one customer; dismisses when the agent goes back."""

    HELP_TOPIC = "family"
    BINDINGS = [
        Binding("a", "add", t("family.key.add"), id="family-add"),
        Binding("e", "edit", t("family.key.edit"), id="family-edit"),
        Binding("escape", "back", t("key.back"), id="family-back"),
    ]

    def __init__(self, customer_id: uuid.UUID, customer_name: str) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.customer_name = customer_name
        self.members: tuple[FamilyMemberLine, ...] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="family-list"):
            yield Static(t("family.title", name=inert(self.customer_name)), classes="title")
            yield WholeTable(id="family-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="family-status")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.sub_title = printable(t("family.title", name=self.customer_name))  # plain, not markup
        table = self.query_one("#family-table", DataTable)
        for key in ("name", "relation", "id", "birth_date", "sex"):
            table.add_column(t(f"family.col.{key}"), key=key)
        table.focus()
        self._load()

    @work(thread=True, exclusive=True, group="family", exit_on_error=False)
    def _load(self, message: str = "", member_id: uuid.UUID | None = None) -> None:
        from desk.use_cases.family import list_family

        app = self.app
        with app.database.unit_of_work() as uow:  # type: ignore[attr-defined]
            members = list_family(uow, self.customer_id)
        app.call_from_thread(self._show, members, message, member_id)

    def _show(self, members: tuple[FamilyMemberLine, ...], message: str, member_id: uuid.UUID | None) -> None:
        self.members = members
        table = self.query_one("#family-table", DataTable)
        table.clear()
        for member in members:
            sex = t(f"sex.{member.sex}") if member.sex in ("M", "F") else ""
            table.add_row(inert(member.name), member.relation_label, member.masked_id_number,
                          day(member.birth_date) if member.birth_date else "", sex, key=str(member.member_id))
        # The cursor stays on the member just saved, so the agent sees the row they changed.
        ids = [member.member_id for member in members]
        if member_id in ids:
            table.move_cursor(row=ids.index(member_id))
        self.query_one("#family-status", Static).update(message or ("" if members else t("family.empty")))

    def _selected(self) -> FamilyMemberLine | None:
        if not self.members:
            return None
        row = self.query_one("#family-table", DataTable).cursor_row
        return self.members[row] if 0 <= row < len(self.members) else None

    def on_data_table_row_selected(self, _event: DataTable.RowSelected) -> None:
        self.action_edit()  # Enter on a row: the table takes the key

    def action_add(self) -> None:
        self.app.push_screen(FamilyFormScreen(self.customer_id, self.customer_name, None), self._saved)

    def action_edit(self) -> None:
        member = self._selected()
        if member is not None:
            self.app.push_screen(FamilyFormScreen(self.customer_id, self.customer_name, member), self._saved)

    def _saved(self, saved: tuple[str, uuid.UUID] | None) -> None:
        if saved is not None:
            self._load(*saved)

    def action_back(self) -> None:
        self.dismiss(None)


class FamilyFormScreen(EditForm, Screen[tuple[str, uuid.UUID] | None]):
    """Adds a member (``member`` None) or edits one; dismisses with (message, member id) once saved."""

    record_type = FamilyMemberLine
    fields = FAMILY_FIELDS
    save_group = "family-save"

    HELP_TOPIC = "family"
    BINDINGS = [
        Binding("ctrl+s", "save", t("key.save"), id="save-family-member", priority=True),
        Binding("escape", "leave", t("key.cancel"), id="leave-family-form"),
    ]

    def __init__(self, customer_id: uuid.UUID, customer_name: str, member: FamilyMemberLine | None) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.customer_name = customer_name
        self.member = member
        # What the agent's edit begins from: the line opened, then whatever a conflict showed.
        self.started_from = member
        self.saving = False
        self.initial: dict[str, str] = {}
        # The id of the member this form adds, made when it opens and kept across retries:
        # a retry after a lost answer finds the member on file instead of refusing a twin.
        self.new_member_id = uuid.uuid4()

    def _title(self) -> str:
        if self.member is None:
            return printable(t("family.add_title", name=self.customer_name))
        return printable(t("family.edit_title", member=self.member.name))

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(inert(self._title()), classes="title", id="form-title")
        with VerticalScroll(id="form"):
            for name in FAMILY_FIELDS:
                label = t(f"family.field.{name}") + (t("form.optional") if name in OPTIONAL_FIELDS else "")
                with Horizontal(classes="field-row"):
                    yield Label(label, classes="field-label")
                    yield self._widget(name)
                yield Static("", id=f"error-{name}", classes="field-error")
        yield Static("", id="form-message")
        yield SteadyFooter()

    def _widget(self, name: str) -> Widget:
        member = self.member
        if name == "relation":
            return self._choices(name, relation_choices(), member.relation if member else "")
        if name == "id_type":
            # Nearly every member holds a resident ID card: the usual case is pre-chosen.
            return self._choices(name, id_type_choices(), member.id_type if member else "resident_id")
        if name == "sex":
            return self._choices(name, _sex_choices(), member.sex if member else "")
        if name == "id_number":
            # Screens never hold a full ID number: editing shows it masked, empty keeps it.
            hint = t("family.id_unchanged", masked=member.masked_id_number) if member else ""
            return Input(placeholder=hint, id="field-id_number", compact=True)
        if name == "birth_date":
            value = day(member.birth_date) if member and member.birth_date else ""
            return Input(value, placeholder=t("family.birth_hint"), id="field-birth_date", compact=True)
        return Input(member.name if member else "", id=f"field-{name}", compact=True)

    @staticmethod
    def _choices(name: str, choices: Iterable[tuple[str, str]], value: str) -> ChoiceList:
        widget = ChoiceList(choices, id=f"field-{name}")
        if value:
            widget.choose(value)
        return widget

    def on_mount(self) -> None:
        self.sub_title = self._title()
        self.initial = self.values()
        self.query_one("#field-name", Input).focus()

    @on(Input.Submitted)
    def _next(self, _event: Input.Submitted) -> None:
        self.focus_next()

    @staticmethod
    def _as_typed(member: FamilyMemberLine) -> dict[str, str]:
        # The ID number shows masked and empty keeps it: "" is what the box holds for it.
        return {"name": member.name, "relation": member.relation, "id_type": member.id_type, "id_number": "",
                "birth_date": day(member.birth_date) if member.birth_date else "", "sex": member.sex}

    def values(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for name in FAMILY_FIELDS:
            widget = self.query_one(f"#field-{name}")
            values[name] = widget.value if isinstance(widget, ChoiceList | Input) else ""
        return values

    def action_save(self) -> None:
        if self.saving:
            return
        if self.member is not None and not self._dirty():
            self.dismiss((t("family.unchanged"), self.member.member_id))
            return
        self.saving = True
        self._say(t("family.saving"))
        self._save(self._to_save())

    @work(thread=True, exclusive=True, group="family-save", exit_on_error=False)
    def _save(self, values: dict[str, str]) -> tuple[str, uuid.UUID] | None:
        """(message, member id) once saved; None when not (the form says why)."""
        from desk.use_cases.family import FamilyMemberRefused, add_family_member, edit_family_member

        app = self.app
        agent_id, at = app.agent_id, app.now()  # type: ignore[attr-defined]

        def save(uow: Any) -> tuple[str, uuid.UUID]:
            if self.member is None:
                saved = add_family_member(uow, self.customer_id, values, agent_id=agent_id, at=at,
                                          member_id=self.new_member_id)
            else:
                started = self.started_from or self.member
                saved = edit_family_member(uow, self.member.member_id, values, expected_version=started.version,
                                           agent_id=agent_id, at=at, started_from=started)
            done = "family.added" if self.member is None else "family.edited"
            if saved.already_saved:
                done = "family.added_already"
            return t(done, name=saved.name, relation=saved.relation_label), saved.member_id

        return self._save_through(save, FamilyMemberRefused)

    def _kept(self, conflict: EditConflict) -> tuple[str, uuid.UUID]:
        assert self.member is not None  # only an edit meets a conflict
        return t("conflict.kept", who=conflict.changed_by), self.member.member_id
