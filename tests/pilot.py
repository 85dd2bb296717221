"""Driving the app as an agent does: shared steps of the Pilot tests."""

from __future__ import annotations

from typing import TypeVar

from textual.screen import Screen
from textual.widgets import DataTable, Static

from screens.app import DeskApp
from screens.identity import IdentityScreen
from tests.callers import NOW

ScreenT = TypeVar("ScreenT", bound=Screen)


def desk_app(url: str) -> DeskApp:
    return DeskApp(database_url=url, clock=lambda: NOW, agent_login="agent01")


async def settle(pilot) -> None:
    """Let the database workers finish and the screen catch up with what they sent."""
    from textual.worker import WorkerCancelled

    for _ in range(2):
        for _attempt in range(5):
            try:
                await pilot.app.workers.wait_for_complete()
                break
            except WorkerCancelled:
                # A worker waited on was cancelled (its screen closed, or a newer
                # exclusive one replaced it): wait for the ones still running.
                await pilot.pause()
        await pilot.pause()


async def press_settled(pilot, *keys: str) -> None:
    """Press keys one by one, letting the screen catch up after each."""
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def search(pilot, text: str) -> list[str]:
    await settle(pilot)
    await pilot.press(*text)
    await settle(pilot)
    table = pilot.app.screen.query_one("#results", DataTable)
    return [table.get_row_at(i)[0] for i in range(table.row_count)]


async def open_identity(pilot, caller: str = "zs") -> IdentityScreen:
    """Look ``caller`` up and open the first result: the identity check."""
    await search(pilot, caller)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, IdentityScreen)
    return pilot.app.screen


async def open_and_verify(pilot, facts: str) -> None:
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, IdentityScreen)
    await pilot.press(*facts, "enter")
    await settle(pilot)


async def open_customer(pilot, caller: str, facts: str = "12") -> None:
    """Find the caller by ``caller`` typed in the lookup, open the first and verify: the customer view."""
    from screens.customer import CustomerScreen

    await search(pilot, caller)
    await open_and_verify(pilot, facts)
    assert isinstance(pilot.app.screen, CustomerScreen)


async def press_to(pilot, key: str, screen_type: type[ScreenT]) -> ScreenT:
    """Press a key that opens a screen: that screen, its workers done."""
    await pilot.press(key)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, screen_type)
    return screen


def static_text(screen, selector: str) -> str:
    """What a Static on the screen shows, as plain text."""
    return str(screen.query_one(selector, Static).render())


async def press_and_leave(pilot, key: str) -> None:
    """Press a key that closes the screen it is pressed on (Ctrl+S on a form).

    Pilot's own ``press`` then waits for the closed screen to go idle, which it never
    does; the key still goes through the app's bindings exactly as typed.
    """
    pilot.app.simulate_key(key)
    await settle(pilot)
    await settle(pilot)


def still_cursor(pilot) -> None:
    """Stop the focused box's cursor blinking (hidden) before a snapshot: a slow machine
    takes the picture half a second later, with the cursor in its other phase."""
    from textual.widgets import Input

    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
