"""Ticks that read as text: a box shows ``X`` when ticked and stays empty when not.

Textual draws a checkbox, a radio button and a selection list's box with the same mark
whether on or off (``▐X▌``, ``▐●▌``) and tells them apart only by colour: in monochrome,
under ``NO_COLOR``, through a screen reader or a screen copied as text, every box looks
ticked. These widgets put the state in the character itself.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import Checkbox, OptionList, RadioButton, SelectionList
from textual.widgets.option_list import Option, OptionDoesNotExist

TICKED, UNTICKED = "X", " "  # ASCII: every terminal, the Linux console included, has it
CHOSEN = "●"  # a radio button's own mark, kept where it is on


class TickBox(Checkbox):
    """A checkbox whose box is ``▐X▌`` ticked and ``▐ ▌`` not."""

    # ToggleButton._button reads the inner character from this name on each render.
    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # noqa: N802 - Textual's name
        return TICKED if self.value else UNTICKED


class TickRadio(RadioButton):
    """A radio button whose button is ``▐●▌`` when chosen and ``▐ ▌`` when not."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # noqa: N802 - Textual's name
        return CHOSEN if self.value else UNTICKED


class TickList(SelectionList[str]):
    """A selection list whose boxes are ``▐X▌`` for a selected choice and ``▐ ▌`` otherwise."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        segments = list(strip)
        # SelectionList puts its box first: left side, inner mark, right side, then the prompt.
        if len(segments) < 3 or segments[1].text != Checkbox.BUTTON_INNER:
            return strip
        try:
            selection = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:  # a line past the last choice: no box on it
            return strip
        mark = TICKED if selection.value in self._selected else UNTICKED
        segments[1] = Segment(mark, segments[1].style, segments[1].control)
        return Strip(segments, strip.cell_length)


class MarkedList(OptionList):
    """A list of options whose current one is marked ``>`` in text, so it reads without
    colour and without focus; ``labeled`` makes its options from (id, label) pairs."""

    CHOSEN, NOT_CHOSEN = "> ", "  "

    def __init__(self, *options: Option, id: str | None = None, compact: bool = False) -> None:  # noqa: A002
        self._marked: int | None = None
        super().__init__(*options, id=id, compact=compact)

    def labeled(self, choices: list[tuple[str, str]]) -> list[Option]:
        """Options for ``choices``, their labels remembered for marking."""
        self._labels = [label for _value, label in choices]
        self._marked = None
        return [Option(self.NOT_CHOSEN + label, id=value) for value, label in choices]

    def watch_highlighted(self, highlighted: int | None) -> None:
        super().watch_highlighted(highlighted)
        self.mark_current()

    def on_mount(self) -> None:
        self.mark_current()

    def mark_current(self) -> None:
        highlighted = self.highlighted
        for index in (self._marked, highlighted):
            # After the options were replaced, an old index may be gone.
            if index is not None and index < min(len(self._labels), self.option_count):
                mark = self.CHOSEN if index == highlighted else self.NOT_CHOSEN
                self.replace_option_prompt_at_index(index, mark + self._labels[index])
        self._marked = highlighted
