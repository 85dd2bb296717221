"""Ticks that read as text: a box shows ``X`` when ticked and stays empty when not.

Textual draws a checkbox, a radio button and a selection list's box with the same mark
whether on or off (``▐X▌``, ``▐●▌``) and tells them apart only by colour: in monochrome,
under ``NO_COLOR``, through a screen reader or a screen copied as text, every box looks
ticked. These widgets put the state in the character itself, and so the row the keys act
on: the focused box, the highlighted choice, starts with ``>``.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.content import Content
from textual.geometry import Size
from textual.strip import Strip
from textual.widgets import Checkbox, OptionList, RadioButton, SelectionList
from textual.widgets.option_list import Option, OptionDoesNotExist

TICKED, UNTICKED = "X", " "  # ASCII: every terminal, the Linux console included, has it
CHOSEN = "●"  # a radio button's own mark, kept where it is on
# The row the keys act on. ASCII, as "▶" is of ambiguous width: two columns in some CJK
# terminals, which would push the Chinese text beside it out of line.
CURSOR, NOT_CURSOR = "> ", "  "


class TickBox(Checkbox):
    """A checkbox whose box is ``▐X▌`` ticked and ``▐ ▌`` not, led by ``>`` while focused
    (space ticks the focused box: a column of boxes is a multi-choice list)."""

    # ToggleButton._button reads the inner character from this name on each render.
    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # noqa: N802 - Textual's name
        return TICKED if self.value else UNTICKED

    def render(self) -> Content:
        # Focus and blur repaint the box (its style changes), so the mark follows focus.
        return Content.assemble(CURSOR if self.has_focus else NOT_CURSOR, super().render())

    def get_content_width(self, container: Size, viewport: Size) -> int:
        # The mark's columns, or the label would be cut short to make room for it.
        return super().get_content_width(container, viewport) + len(CURSOR)


class TickRadio(RadioButton):
    """A radio button whose button is ``▐●▌`` when chosen and ``▐ ▌`` when not."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # noqa: N802 - Textual's name
        return CHOSEN if self.value else UNTICKED


class TickList(SelectionList[str]):
    """A selection list whose boxes are ``▐X▌`` for a selected choice and ``▐ ▌`` otherwise;
    while the list has focus, the highlighted choice (the one space ticks) is led by ``>``."""

    def _get_left_gutter_width(self) -> int:
        # Room for the cursor mark before the box: the prompts are laid out this much narrower.
        return super()._get_left_gutter_width() + len(CURSOR)

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        segments = list(strip)
        # SelectionList puts its box first: left side, inner mark, right side, then the prompt.
        if len(segments) < 3 or segments[1].text != Checkbox.BUTTON_INNER:
            return strip
        index = self.scroll_offset.y + y
        try:
            selection = self.get_option_at_index(index)
        except OptionDoesNotExist:  # a line past the last choice: no box on it
            return strip
        mark = TICKED if selection.value in self._selected else UNTICKED
        segments[1] = Segment(mark, segments[1].style, segments[1].control)
        # Moving the highlight repaints the list already (Textual's own highlight): the
        # mark costs no repaint of its own.
        cursor = CURSOR if self.has_focus and index == self.highlighted else NOT_CURSOR
        segments.insert(0, Segment(cursor, segments[3].style))
        return Strip(segments, strip.cell_length + len(cursor))


class MarkedList(OptionList):
    """A list of options whose current one is marked ``>`` in text, so it reads without
    colour and without focus; ``labeled`` makes its options from (id, label) pairs."""

    CHOSEN, NOT_CHOSEN = CURSOR, NOT_CURSOR

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
