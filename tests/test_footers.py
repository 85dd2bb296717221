"""At 80x24 every key a screen offers is on its footer, none cut at the right edge.

The queue's footer once hid `o`, `x` and `r`, and the customer view's the F-keys: an agent
cannot press a key the screen does not show.
"""

from __future__ import annotations

import pytest
from textual.widgets._footer import FooterKey

from tests.pilot import desk_app, open_and_verify, search, settle
from tests.test_queue_screen import with_open_work

WIDTH = 80


async def _customer(pilot) -> None:
    await search(pilot, "zs")
    await open_and_verify(pilot, "12")


async def _unverified(pilot) -> None:
    await search(pilot, "zs")
    await open_and_verify(pilot, "1")


async def _cards(pilot) -> None:
    await _customer(pilot)
    await pilot.press("b")
    await settle(pilot)


async def _form(pilot) -> None:
    await _cards(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def _identity(pilot) -> None:
    await search(pilot, "zs")
    await pilot.press("enter")
    await settle(pilot)


async def _queue(pilot) -> None:
    await settle(pilot)
    await pilot.press("f2")
    for _ in range(3):
        await settle(pilot)


async def _request(pilot) -> None:
    await _queue(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def _calendar(pilot) -> None:
    await settle(pilot)
    await pilot.press("f3")
    await settle(pilot)


async def _home(pilot) -> None:
    await settle(pilot)


async def _contact(pilot) -> None:
    await _customer(pilot)
    await pilot.press("e")
    await settle(pilot)


SCREENS = {"home": _home, "identity": _identity, "customer": _customer, "unverified": _unverified,
           "cards": _cards, "form": _form, "queue": _queue, "request": _request, "calendar": _calendar,
           "contact": _contact}


@pytest.mark.parametrize("name", list(SCREENS))
async def test_every_footer_key_fits_80_columns(migrated_sqlite_url, name):
    app = desk_app(with_open_work(migrated_sqlite_url))
    async with app.run_test(size=(WIDTH, 24)) as pilot:
        await SCREENS[name](pilot)
        keys = list(app.screen.query(FooterKey))
        assert keys, type(app.screen).__name__
        cut = [f"{key.key_display} {key.description}" for key in keys if key.region.right > WIDTH or key.region.width == 0]
        assert cut == [], type(app.screen).__name__


@pytest.mark.parametrize("name", list(SCREENS))
async def test_no_footer_key_hides_under_another(migrated_sqlite_url, name):
    """The command palette's key sits at the right edge over whatever reaches it: the
    customer view's F1 once did."""
    app = desk_app(with_open_work(migrated_sqlite_url))
    async with app.run_test(size=(WIDTH, 24)) as pilot:
        await SCREENS[name](pilot)
        regions = sorted((key.region.x, key.region.right, key.key_display) for key in app.screen.query(FooterKey)
                         if key.region.width)
        overlaps = [(a[2], b[2]) for a, b in zip(regions, regions[1:], strict=False) if b[0] < a[1]]
        palette = [key.region for key in app.screen.query(FooterKey) if key.key == "ctrl+p"]
        hidden = [key.key_display for key in app.screen.query(FooterKey)
                  if key.key != "ctrl+p" and any(key.region.right > r.x for r in palette)]
        assert overlaps == [] and hidden == [], type(app.screen).__name__


async def test_a_message_sits_in_the_header_line_not_over_the_data(migrated_sqlite_url):
    from textual.widgets._toast import Toast

    app = desk_app(with_open_work(migrated_sqlite_url))
    async with app.run_test(size=(WIDTH, 24), notifications=True) as pilot:
        await _customer(pilot)
        app.notify("已保存小结")
        await settle(pilot)
        await pilot.pause(0.2)
        (toast,) = [toast for screen in app.screen_stack for toast in screen.query(Toast)]
        assert toast.region.y == 0 and toast.region.height == 1, toast.region


async def test_the_service_window_is_never_cut_at_80_columns(migrated_sqlite_url):
    from sqlalchemy import update
    from textual.widgets import DataTable

    from db.tables import Policy

    url = with_open_work(migrated_sqlite_url)
    from desk.use_cases.database import open_database

    database = open_database(url)
    with database.engine.begin() as connection:  # the demo's longest product name
        connection.execute(update(Policy).values(product="小康安心保重大疾病保险（2024版）"))
    database.close()
    app = desk_app(url)
    async with app.run_test(size=(WIDTH, 24)) as pilot:
        await _customer(pilot)
        table = app.screen.query_one("#policies", DataTable)
        assert table.virtual_size.width <= table.scrollable_content_region.width, (
            table.virtual_size, table.scrollable_content_region)
