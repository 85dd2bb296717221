"""Ticks that read as text: a box shows ``X`` when ticked and stays empty when not.

Textual draws a checkbox, a radio button and a selection list's box with the same mark
whether on or off (``▐X▌``, ``▐●▌``) and tells them apart only by colour: in monochrome,
under ``NO_COLOR``, through a screen reader or a screen copied as text, every box looks
ticked. These widgets put the state in the character itself.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import Checkbox, RadioButton, SelectionList
from textual.widgets.option_list import OptionDoesNotExist

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
