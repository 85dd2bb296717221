"""The home screen: where every call starts, with the customer lookup box."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from desk.texts import t


class HomeScreen(Screen[None]):
    HELP_TOPIC = "home"
    BINDINGS = [Binding("escape", "clear", t("key.clear"), id="clear-search")]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="lookup"):
            yield Static(t("home.title"), id="lookup-title", classes="title")
            yield Input(placeholder=t("home.search_placeholder"), id="search")
            yield Static(t("home.hint"), id="lookup-hint", classes="hint")
        yield Static(t("contact.lines"), id="contact-lines")
        yield Static(t("db.opening", url=""), id="db-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#search", Input).focus()

    def action_clear(self) -> None:
        self.query_one("#search", Input).value = ""

    def show_database_ready(self, url: str) -> None:
        status = self.query_one("#db-status", Static)
        status.update(t("db.ready", url=url))
        status.set_class(False, "error")

    def show_database_failed(self, reason: str) -> None:
        status = self.query_one("#db-status", Static)
        status.update(t("db.failed", reason=reason))
        status.set_class(True, "error")
