"""A request form, built from the benefit's field list (desk.forms.request_forms.FORMS).

Tab / Shift+Tab move between fields, Ctrl+S files the request, Esc asks before
throwing typed values away. Problems show beside their field. If saving fails for any
reason but a rule, the values are kept on screen and in a draft on disk; when the reason
is a database that cannot be reached, the form waits for it and files once it is back.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Header, Input, Label, OptionList, SelectionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from desk.forms.request_forms import FORMS, INSURED, FieldKind, FormContext, FormField, choices_for
from desk.rules.entitlement import BenefitStatus
from desk.texts.labels import t
from screens.labels import card_state_text, inert, minute, quota_text
from screens.steady import SteadyFooter
from screens.widgets import MarkedList, TickList

CHOICE_KINDS = {FieldKind.CHOICE, FieldKind.BENEFICIARY, FieldKind.ILLNESS, FieldKind.CITY, FieldKind.CLINIC}


class ChoiceList(MarkedList):
    """Exactly one of a few choices, inline: ↑/↓ choose, Tab moves on, typing jumps.

    The list opens on "please choose", which is no choice: tabbing past a field never
    picks its first option for the agent. Typed characters jump to the first choice that
    starts with them, or failing that contains them (``S2`` → S2x, ``脑`` → 脑恶性肿瘤):
    a list of thirty illnesses is not walked with ↓.
    """

    TYPE_AHEAD_PAUSE = 1.0  # seconds without a key before typing starts a new search

    def __init__(self, choices: Iterable[tuple[str, str]], id: str) -> None:  # noqa: A002
        super().__init__(*self._with_prompt(choices), id=id, compact=True)
        self._typed = ""
        self._typed_at = 0.0

    def on_key(self, event: events.Key) -> None:
        character = event.character
        if not character or not character.isprintable() or character.isspace():
            return
        now = time.monotonic()
        self._typed = (self._typed if now - self._typed_at < self.TYPE_AHEAD_PAUSE else "") + character
        self._typed_at = now
        index = self._match(self._typed.casefold())
        if index is not None:
            self.highlighted = index
            event.stop()
            event.prevent_default()

    def _match(self, typed: str) -> int | None:
        labels = [label.casefold() for label in self._labels[1:]]
        for test in (str.startswith, str.__contains__):
            for index, label in enumerate(labels, 1):
                if test(label, typed):
                    return index
        return None

    def _with_prompt(self, choices: Iterable[tuple[str, str]]) -> list[Option]:
        return self.labeled([("", t("form.choose")), *choices])

    @property
    def value(self) -> str:
        if self.highlighted is None:
            return ""
        return self.get_option_at_index(self.highlighted).id or ""

    def choose(self, value: str) -> None:
        for index in range(self.option_count):
            if self.get_option_at_index(index).id == value:
                self.highlighted = index
                return

    def set_choices(self, choices: Iterable[tuple[str, str]]) -> None:
        self.clear_options()
        self.add_options(self._with_prompt(choices))
        self.highlighted = 0


class ConfirmDiscard(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "dismiss(True)", t("form.discard_yes"), id="discard-yes"),
        Binding("n", "dismiss(False)", t("form.discard_no"), id="discard-no"),
        Binding("escape", "dismiss(False)", t("form.discard_no"), show=False, id="discard-escape"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Static(t("form.discard_question"), classes="title")
            yield Static(t("form.discard_keys"), classes="hint")
        yield SteadyFooter()


class ReasonScreen(ModalScreen[str | None]):
    """Asks for the reason of a supervisor override."""

    BINDINGS = [Binding("escape", "dismiss(None)", t("key.cancel"), id="reason-cancel")]

    def compose(self) -> ComposeResult:
        from desk.use_cases.limits import REASON

        with Vertical(id="confirm"):
            yield Static(t("form.override_title"), classes="title")
            yield Input(placeholder=t("form.override_reason"), id="override-reason", max_length=REASON)
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value.strip())


class RequestFormScreen(Screen[str | None]):
    """Dismisses with a line to show the agent (request number and due time) once filed."""

    HELP_TOPIC = "form"
    BINDINGS = [
        Binding("ctrl+s", "save", t("key.save"), id="save-request", priority=True),
        Binding("ctrl+o", "override", t("form.override_key"), id="override-request", priority=True),
        Binding("escape", "leave", t("key.cancel"), id="leave-form"),
    ]

    def __init__(self, status: BenefitStatus, policy_id: uuid.UUID, whose: str | None = None) -> None:
        super().__init__()
        # Whose benefit and who is calling, as the cards said it (被保险人：张三（来电人为投保人）).
        self.whose = whose
        self.status = status
        self.benefit = status.benefit
        self.policy_id = policy_id
        self.fields = FORMS[self.benefit.code]
        self.context: FormContext | None = None
        self.refusal_overridable = False
        self.saving = False
        # The save found the database unreachable: it goes again, once, when the database is
        # back (``connection_back``), with the override it was made with.
        self.waiting_for_connection = False
        self._waiting_override: str | None = None
        # The request's id, made when the form opens and kept across retries (and in the
        # draft): a retry after a save whose answer was lost finds that save, never files twice.
        self.request_id = uuid.uuid4()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(t("form.title", name=self.benefit.name_zh), classes="title", id="form-title")
        yield Static(f"{card_state_text(self.status)} · {quota_text(self.status)}", id="form-state")
        yield Static("", id="form-insured")
        yield VerticalScroll(id="form")
        yield Static("", id="form-message")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.sub_title = t("form.title", name=self.benefit.name_zh)
        self._load_context()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "override":
            from desk.rules.roles import Action, may

            return self.refusal_overridable and may(getattr(self.app, "agent_role", None), Action.OVERRIDE)
        return True

    # -- building the form -----------------------------------------------------------------

    @work(thread=True, exclusive=True, group="form", exit_on_error=False)
    def _load_context(self) -> None:
        from desk.use_cases.drafts import DraftStore
        from desk.use_cases.form_context import load_form_context

        app = self.app
        with app.database.unit_of_work() as uow:  # type: ignore[attr-defined]
            context = load_form_context(uow, self.policy_id, app.today())  # type: ignore[attr-defined]
        draft = DraftStore().load(self.policy_id, self.benefit.code)
        app.call_from_thread(self._build, context, draft)

    def _build(self, context: FormContext, draft: dict[str, Any] | None) -> None:
        from desk.use_cases.drafts import draft_request_id

        self.context = context
        self.request_id = draft_request_id(draft) or self.request_id
        # Whose benefit this is, said on every form: the caller may be the policyholder.
        whose = self.whose or t("form.for_insured", name=inert(context.insured_name))
        if self.benefit.audience == "insured":
            whose += t("form.insured_only")
        self.query_one("#form-insured", Static).update(whose)
        form = self.query_one("#form", VerticalScroll)
        # A scroll container takes focus when it overflows: a Tab stop where typing is lost.
        form.can_focus = False
        widgets: list[Widget] = []
        for form_field in self.fields:
            label = form_field.label + ("" if form_field.required else t("form.optional"))
            row = Horizontal(Label(label, classes="field-label"), self._widget(form_field, context, draft or {}),
                             classes="field-row")
            widgets.append(row)
            widgets.append(Static("", id=f"error-{form_field.name}", classes="field-error"))
        form.mount_all(widgets)
        if draft:
            self._say(t("form.draft_restored"))
        self.call_after_refresh(self._focus_first)
        self.call_after_refresh(self._show_current_choices)

    def _show_current_choices(self) -> None:
        # A chosen value (the insured, a draft's choice) is on screen, not "please choose".
        for choices in self.query(ChoiceList):
            choices.mark_current()
            if choices.highlighted is not None:
                choices.scroll_to_highlight(top=True)

    def _focus_first(self) -> None:
        self.query_one(f"#field-{self.fields[0].name}").focus()

    def _widget(self, form_field: FormField, context: FormContext, draft: dict[str, Any]) -> Widget:
        name, value = form_field.name, draft.get(form_field.name)
        if form_field.kind in CHOICE_KINDS:
            choices = ChoiceList(choices_for(form_field, context, draft), id=f"field-{name}")
            if value:
                choices.choose(str(value))
            elif form_field.kind is FieldKind.BENEFICIARY:
                choices.choose(INSURED)  # the insured, the usual case
            return choices
        if form_field.kind is FieldKind.MULTI:
            chosen = set(value or [])
            return TickList(
                *((label, v, v in chosen) for v, label in form_field.choices), id=f"field-{name}", compact=True
            )
        return Input(value=str(value or ""), placeholder=form_field.placeholder, id=f"field-{name}", compact=True,
                     max_length=context.max_length(form_field) or 0)

    @on(OptionList.OptionHighlighted, "#field-city")
    def _city_changed(self, _event: OptionList.OptionHighlighted) -> None:
        # The clinic list follows the city.
        if self.context is None:
            return
        clinic = next((f for f in self.fields if f.kind is FieldKind.CLINIC), None)
        if clinic is not None:
            widget = self.query_one(f"#field-{clinic.name}", ChoiceList)
            widget.set_choices(choices_for(clinic, self.context, self.values()))

    # -- reading and saving ----------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for form_field in self.fields:
            widget = self.query(f"#field-{form_field.name}").first()
            if isinstance(widget, ChoiceList):
                values[form_field.name] = widget.value
            elif isinstance(widget, SelectionList):
                values[form_field.name] = list(widget.selected)
            elif isinstance(widget, Input):
                values[form_field.name] = widget.value
        return values

    def is_dirty(self) -> bool:
        """Something was typed or chosen (the beneficiary starts chosen: it does not count)."""
        return self.context is not None and any(v for k, v in self.values().items() if k != "beneficiary")

    def save_draft(self) -> Path:
        """Keep what is on the form where opening the same form again finds it."""
        from desk.use_cases.drafts import DraftStore

        return DraftStore().save(self.policy_id, self.benefit.code, self.values(), self.request_id)

    def _show_problems(self, problems: dict[str, str]) -> list[str]:
        """Each problem under its field, the first field focused and its hint scrolled into
        view; the problems that belong to no field of this form are returned, to be said."""
        for form_field in self.fields:
            error = self.query_one(f"#error-{form_field.name}", Static)
            error.update(problems.get(form_field.name, ""))
            error.display = form_field.name in problems
        first = next((f for f in self.fields if f.name in problems), None)
        if first is not None:
            self.query_one(f"#field-{first.name}").focus(scroll_visible=False)
            hint = self.query_one(f"#error-{first.name}", Static)
            # After the hint is laid out: at 80x24 it can sit below the last visible line.
            self.call_after_refresh(self.query_one("#form", VerticalScroll).scroll_to_widget, hint, animate=False)
        names = {f.name for f in self.fields}
        return [message for name, message in problems.items() if name not in names]

    def _say_problems(self, problems: dict[str, str]) -> None:
        unplaced = self._show_problems(problems)
        self._say(" ".join([t("form.fix_fields", count=len(problems)), *unplaced]), error=True)

    def _say(self, message: str, error: bool = False) -> None:
        line = self.query_one("#form-message", Static)
        line.update(message)
        line.set_class(error, "error")

    def action_save(self, override_reason: str | None = None) -> None:
        if self.context is None or self.saving:
            return
        from desk.forms.request_forms import read_form

        result = read_form(self.benefit.code, self.values(), self.context)
        if isinstance(result, list):
            self._say_problems({p.field: p.message for p in result})
            return
        self._show_problems({})
        self.saving = True
        self.waiting_for_connection = False
        self._say(t("form.saving"))
        self._file(result, self.values(), override_reason)

    @work(thread=True, exclusive=True, group="form-save", exit_on_error=False)
    def _file(self, result: Any, values: dict[str, Any], override_reason: str | None) -> str | None:
        """The line to show once filed; None when it was not (the form says why)."""
        from desk.errors import DatabaseFailure, DeskError
        from desk.use_cases.drafts import DraftStore
        from desk.use_cases.fault_log import unexpected
        from desk.use_cases.requests import (
            DetailsRefused,
            NewRequest,
            Override,
            RequestRefused,
            file_request,
        )

        app = self.app
        new = NewRequest(
            policy_id=self.policy_id,
            service_code=self.benefit.code,
            beneficiary_member_id=result.beneficiary_member_id,
            beneficiary_name=result.beneficiary_name,
            details=result.details,
            suspected_illness=result.suspected_illness,
            request_id=self.request_id,
        )
        override = Override(app.agent_id, override_reason) if override_reason else None  # type: ignore[attr-defined]
        drafts = DraftStore()
        try:
            with app.database.unit_of_work() as uow:  # type: ignore[attr-defined]
                filed = file_request(uow, new, agent_id=app.agent_id, at=app.now(), override=override)  # type: ignore[attr-defined]
        except RequestRefused as refused:
            app.call_from_thread(self._refused, str(refused), refused.decision.overridable)
            return None
        except DetailsRefused as refused:
            app.call_from_thread(self._details_refused, {p.field: p.message for p in refused.problems})
            return None
        except DatabaseFailure as error:
            # A locked or lost database: keep everything, on screen and in a draft.
            path = drafts.save(self.policy_id, self.benefit.code, values, self.request_id)
            if error.kind == "unreachable":
                app.call_from_thread(self._wait_for_connection, str(error), str(path), override_reason)
            else:
                app.call_from_thread(self._failed, str(error), str(path))
            return None
        except DeskError as error:
            app.call_from_thread(self._failed, str(error), None)
            return None
        except Exception as error:  # noqa: BLE001 - a bug must not cost the agent the form
            path = drafts.save(self.policy_id, self.benefit.code, values, self.request_id)
            app.call_from_thread(self._failed, unexpected(error), str(path))
            return None
        drafts.discard(self.policy_id, self.benefit.code)
        due = minute(filed.due_at) if filed.due_at else t("form.no_due")
        # A retry that found its first attempt saved reads as a save, said as such.
        said = "form.filed_already" if filed.already_saved else "form.filed"
        return t(said, number=filed.number, due=due)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Leave from the event loop once the worker has finished, never from its thread.
        if event.worker.group == "form-save" and event.state == WorkerState.SUCCESS and event.worker.result:
            self.dismiss(event.worker.result)

    def _refused(self, reason: str, overridable: bool) -> None:
        self.saving = False
        self.refusal_overridable = overridable
        hint = t("form.override_hint") if overridable else ""
        self._say(t("form.refused", reason=reason) + hint, error=True)
        self.refresh_bindings()

    def _details_refused(self, problems: dict[str, str]) -> None:
        self.saving = False
        self._say_problems(problems)

    def _failed(self, reason: str, draft: str | None) -> None:
        self.saving = False
        message = t("error.save_failed", reason=reason)
        if draft:
            message += t("form.draft_kept")
        self._say(message, error=True)

    def _wait_for_connection(self, reason: str, draft: str, override_reason: str | None) -> None:
        self.saving = False
        self.waiting_for_connection = True
        self._waiting_override = override_reason
        self._say(t("error.save_failed", reason=reason) + t("form.draft_kept") + t("form.waiting_for_connection"),
                  error=True)

    def connection_back(self) -> None:
        """The database answers again: the save that waited for it goes now, once (the same
        request id, so a save whose answer was lost is found, not filed again)."""
        # Only on top: the filed form leaves by dismissing, which closes the top screen.
        if self.waiting_for_connection and not self.saving and self.is_current:
            self.action_save(override_reason=self._waiting_override)

    def on_screen_resume(self) -> None:
        # Back from a dialog (help, the discard question) after the database came back.
        if self.waiting_for_connection and not self.app.connection.unreachable:  # type: ignore[attr-defined]
            self.connection_back()

    def action_override(self) -> None:
        def reason_given(reason: str | None) -> None:
            if reason:
                self.action_save(override_reason=reason)

        self.app.push_screen(ReasonScreen(), reason_given)

    def action_leave(self) -> None:
        if not self.is_dirty():
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                from desk.use_cases.drafts import DraftStore

                DraftStore().discard(self.policy_id, self.benefit.code)
                self.dismiss(None)

        self.app.push_screen(ConfirmDiscard(), answered)
