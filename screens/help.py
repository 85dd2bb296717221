"""F1: help for the screen the agent is on, written as Markdown beside the code."""

from __future__ import annotations

from importlib import resources

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown, Static

from desk.texts.labels import language, t


def help_text(topic: str) -> str:
    folder = resources.files("screens")
    for name in (f"help_{topic}.{language()}.md", f"help_{topic}.zh.md"):
        path = folder.joinpath(name)
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return f"# {t('help.title')}\n"


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape", "dismiss", t("help.close"), id="close-help")]

    def __init__(self, topic: str) -> None:
        super().__init__()
        self.topic = topic

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Markdown(help_text(self.topic))
            yield Static(t("help.close"), classes="hint")
