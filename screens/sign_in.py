"""Signing in, and unlocking a session left idle.

The app opens on this screen: nothing of the desk is reachable until a password lets an
agent in. The same screen locks an idle session, with the login fixed to the agent who
was working: it covers the whole terminal (a full screen, not a dialog), so nothing of the
call underneath shows, and once the password is right it goes away and the screen, form
and typed text underneath are exactly as they were.

A refusal is said under the password, which is cleared; the login stays as typed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Static

from desk.texts.labels import t
from screens.labels import inert
from screens.steady import SteadyFooter

if TYPE_CHECKING:
    # The use case loads with the database stack, in the worker, never before the first frame.
    from desk.use_cases.sign_in import SignedIn  # noqa: F401 - named as Screen["SignedIn"]


class TypedAhead(Widget, can_focus=True):
    """Takes the keys typed after the password's Enter, while the password is checked.

    An agent who knows the screens types the caller's name straight after the password;
    those letters used to land in the password box, which was then checked with them and
    refused. They are kept here instead and put into the lookup's search box once in.
    """

    DEFAULT_CSS = "TypedAhead { width: 0; height: 0; }"

    def __init__(self) -> None:
        super().__init__(id="sign-in-typed-ahead")
        self.text = ""

    def on_key(self, event: events.Key) -> None:
        if event.character is not None and event.is_printable:
            self.text += event.character
        elif event.key == "backspace":
            self.text = self.text[:-1]
        else:
            return
        event.stop()
        event.prevent_default()


class SignInScreen(Screen["SignedIn"]):
    HELP_TOPIC = "sign_in"
    BINDINGS = [
        # A priority binding acts on Enter in the order the keys came: in the login box it
        # moves the focus before the password's letters arrive (typed ahead, or pasted as
        # "login⏎password⏎"); in the password box it waits for the letters before it.
        Binding("enter", "enter", t("key.sign_in"), id="sign-in", priority=True),
    ]

    def __init__(self, login: str = "", *, locked: bool = False) -> None:
        """``login`` fills the login box; ``locked`` fixes it (an idle session's owner)."""
        super().__init__()
        self.login = login
        self.locked = locked
        # Enter was pressed while the database was still opening.
        self._waiting = False

    def compose(self) -> ComposeResult:
        with Vertical(id="sign-in"):
            yield Static(t("sign_in.locked_title" if self.locked else "sign_in.title"), classes="title")
            if self.locked:
                yield Static(t("sign_in.locked_hint", login=inert(self.login)), id="sign-in-hint")
            yield Input(self.login, placeholder=t("sign_in.login"), id="sign-in-login",
                        max_length=TYPED_MAX, disabled=self.locked)
            yield Input(placeholder=t("sign_in.password"), id="sign-in-password", password=True,
                        max_length=TYPED_MAX)
            yield Static("", id="sign-in-error", classes="error")
        yield TypedAhead()
        yield SteadyFooter()

    def on_mount(self) -> None:
        # Named on their frames: a filled box has no placeholder left to say what it is.
        self.query_one("#sign-in-login", Input).border_title = t("sign_in.login")
        self.query_one("#sign-in-password", Input).border_title = t("sign_in.password")
        box = "#sign-in-password" if self.login else "#sign-in-login"
        self.query_one(box, Input).focus()

    def action_enter(self) -> None:
        login = self.query_one("#sign-in-login", Input)
        password = self.query_one("#sign-in-password", Input)
        if self.focused is login:
            # Enter in the login box moves on, as a form does; at once, not by focus(),
            # which waits its turn behind the keys already typed after this Enter.
            self.set_focus(password)
            return
        if self.focused is self.typed_ahead:
            return  # the password is already being checked
        # Keys after this Enter are not the password's: from here they go aside, at once.
        # The boxes may still hold keys typed before it: check once both have taken theirs.
        self.set_focus(self.typed_ahead)
        login.call_later(password.call_later, self.action_sign_in)

    def action_sign_in(self) -> None:
        login = self.query_one("#sign-in-login", Input)
        password = self.query_one("#sign-in-password", Input)
        if not login.value.strip():
            login.focus()
            self._say(t("agent.login_required"))
            return
        if not password.value:
            password.focus()
            self._say(t("sign_in.password_required"))
            return
        if self.app.database is None:  # type: ignore[attr-defined]
            problem = self.app.database_problem  # type: ignore[attr-defined]
            if problem is not None:
                # The password stays typed: Enter again once the server is back.
                password.focus()
                self._say(problem.line)
                return
            # Still opening (a first start, a slow link): the check goes ahead by itself.
            self._waiting = True
            self._say(t("sign_in.waiting"))
            return
        self._say(t("sign_in.checking"))
        self._check(login.value.strip(), password.value)

    def database_opened(self) -> None:
        """The app's word that the database is open: a sign-in waiting for it goes ahead."""
        if self._waiting:
            self._waiting = False
            self.action_sign_in()

    def database_failed(self, line: str) -> None:
        if self._waiting:
            self._waiting = False
            self.query_one("#sign-in-password", Input).focus()
            self._say(line)

    @property
    def typed_ahead(self) -> TypedAhead:
        return self.query_one(TypedAhead)

    def _say(self, message: str) -> None:
        self.query_one("#sign-in-error", Static).update(inert(message))

    @work(thread=True, exclusive=True, group="sign-in", exit_on_error=False)
    def _check(self, login: str, password: str) -> None:
        from desk.errors import DeskError
        from desk.use_cases.sign_in import sign_in

        app = self.app
        try:
            with app.database.unit_of_work() as uow:  # type: ignore[attr-defined]
                signed_in = sign_in(uow, login, password, at=app.now())  # type: ignore[attr-defined]
        except DeskError as error:
            app.call_from_thread(self._refused, str(error))
            return
        except Exception as error:  # noqa: BLE001 - said where the agent looks, the password kept
            from desk.use_cases.fault_log import unexpected

            app.call_from_thread(self._failed, t("db.failed", reason=unexpected(error)))
            return
        app.call_from_thread(self._admitted, signed_in)

    def _admitted(self, agent: SignedIn) -> None:
        # Handed over before the screen goes: the app opens the lookup with it.
        self.app.typed_ahead = self.typed_ahead.text  # type: ignore[attr-defined]
        self.dismiss(agent)

    def _failed(self, message: str) -> None:
        self._say(message)
        self.query_one("#sign-in-password", Input).focus()

    def _refused(self, message: str) -> None:
        self._say(message)
        # What was typed after a refused password is not kept: it may be the next try.
        self.typed_ahead.text = ""
        password = self.query_one("#sign-in-password", Input)
        password.value = ""
        password.focus()


# Long enough for any login and passphrase, short enough that a paste of a whole file is
# cut. Not the login column's width: that would load the database stack before the first
# frame, and a login too long to exist is refused like any unknown one.
TYPED_MAX = 256
