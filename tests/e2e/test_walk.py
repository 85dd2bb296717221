"""An agent's call in a real 80×24 terminal, in 256 colours, in 16 and with no colour at all.

The checks read the screen as text only (tmux ``capture-pane`` without ``-e``): each state
an agent acts on (ticked facts, card states, queue urgency) must be there in characters,
whatever the terminal does with colour.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.terminal import Terminal, desk_command
from tests.e2e.walk import Caller, make_demo, make_one_due_soon, pick_caller, walk

SETTINGS = [
    pytest.param({"TERM": "xterm-256color"}, id="xterm-256color"),
    pytest.param({"TERM": "linux"}, id="linux-16-colours"),
    pytest.param({"TERM": "xterm-256color", "NO_COLOR": "1"}, id="no-color"),
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Caller]:
    """The demo database (made once per module and worker) and the caller of the walk."""
    directory = tmp_path_factory.mktemp("e2e-demo")
    url = make_demo(directory)
    make_one_due_soon(url)
    return Path(url.removeprefix("sqlite:///")), pick_caller(url)


@pytest.fixture
def database_copy(demo: tuple[Path, Caller], tmp_path: Path) -> str:
    """Each walk on a copy: what one walk filed is not on the next one's queue."""
    path = tmp_path / "desk.sqlite3"
    shutil.copyfile(demo[0], path)
    return f"sqlite:///{path}"


@pytest.fixture
def terminal_factory(tmp_path: Path) -> Iterator[list[Terminal]]:
    terminals: list[Terminal] = []
    yield terminals
    for terminal in terminals:
        terminal.close()


@pytest.mark.parametrize("settings", SETTINGS)
def test_a_call_from_sign_in_to_the_queue_reads_in_text(settings: dict[str, str], demo: tuple[Path, Caller],
                                                         database_copy: str, terminal_factory: list[Terminal],
                                                         tmp_path: Path) -> None:
    env = {**settings, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "xdg"), "DESK_AGENT": "agent01"}
    terminal = Terminal(desk_command(database_copy, env), work=tmp_path)
    terminal_factory.append(terminal)
    walk(terminal, demo[1])
