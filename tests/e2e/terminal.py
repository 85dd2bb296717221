"""A real terminal for end-to-end walks: desk runs inside tmux, keys go in, text comes out.

Each ``Terminal`` has its own tmux server (its own ``-L`` socket), so tests running side
by side under xdist never see each other's windows; closing it kills that server and
whatever ran in it. Waiting is polling the screen: a stage that does not show what is
expected fails with the last screen printed, which is what one needs to see why.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

# CI sets these: a missing tmux (or sshd) fails the run there instead of skipping.
REQUIRED = any(os.environ.get(name, "") not in {"", "0"} for name in ("DESK_REQUIRE_E2E", "DESK_REQUIRE_PG"))
POLL = 0.05  # seconds between looks at the screen
STAGE = 20.0  # seconds one stage may take on a loaded two-core machine
DESK = Path(sys.executable).parent / "desk"  # the installed entry point, as an agent runs it


def need(program: str, path: str | None = None) -> str:
    """The program's path; outside CI a missing program skips the test, in CI it fails it."""
    found = path if path and os.access(path, os.X_OK) else shutil.which(program)
    if found is None:
        message = f"{program} is not installed"
        if REQUIRED:
            pytest.fail(message + " (CI requires the end-to-end tests)")
        pytest.skip(message)
    return found


def desk_command(database_url: str, env: Mapping[str, str]) -> str:
    """A shell command running desk on ``database_url`` with exactly ``env`` (and a PATH)."""
    settings = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", **env}
    # env -i: nothing of the test runner's environment (NO_COLOR, DESK_*) leaks in.
    words = ["env", "-i", *(f"{k}={v}" for k, v in settings.items()), str(DESK), "--db", database_url]
    return shlex.join(words)


class Terminal:
    """One tmux window of ``width`` × ``height`` running ``command`` (a shell command line)."""

    def __init__(self, command: str, *, width: int = 80, height: int = 24, work: Path) -> None:
        self.tmux = need("tmux")
        self.socket = f"desk-e2e-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.work = work
        config = work / "tmux.conf"
        # A dead desk stays on screen: its last words are what the failure should show.
        config.write_text("set -g remain-on-exit on\nset -g status off\n", encoding="utf-8")
        self._run("-f", str(config), "new-session", "-d", "-x", str(width), "-y", str(height), command)
        self.last = ""
        # kill-server leaves the socket file behind: noted here to be removed on close.
        self.socket_path = Path(self._run("display-message", "-p", "#{socket_path}").strip())

    def _run(self, *args: str) -> str:
        # -u: UTF-8 whatever the locale, or Chinese text would be drawn as underscores.
        result = subprocess.run([self.tmux, "-u", "-L", self.socket, *args], capture_output=True, text=True,
                                timeout=STAGE, env={**os.environ, "LC_ALL": "C.UTF-8"})
        if result.returncode != 0:
            raise RuntimeError(f"tmux {' '.join(args[:2])}: {result.stderr.strip()}")
        return result.stdout

    def type(self, text: str) -> None:
        """Type text as it is (-l: no key names), Chinese included."""
        self._run("send-keys", "-l", text)

    def press(self, *keys: str, pause: float = 0.0) -> None:
        """Press keys by tmux name (Enter, Escape, Tab, Right, F2, C-s), ``pause`` seconds apart."""
        for key in keys:
            self._run("send-keys", key)
            if pause:
                time.sleep(pause)

    def screen(self, colours: bool = False) -> str:
        """What the terminal shows now; with ``colours`` the escape sequences that paint it."""
        self.last = self._run("capture-pane", "-p", *(["-e"] if colours else []))
        return self.last

    def wait_until(self, ready: Callable[[str], bool], what: str, timeout: float = STAGE) -> str:
        """The screen once ``ready(screen)`` holds; failing after ``timeout`` with the last screen."""
        deadline = time.monotonic() + timeout
        while True:
            shown = self.screen()
            if ready(shown):
                return shown
            if time.monotonic() > deadline:
                raise AssertionError(f"waited {timeout:.0f} s for {what}; the screen was:\n{self.framed(shown)}")
            time.sleep(POLL)

    def wait_for(self, *texts: str, timeout: float = STAGE) -> str:
        """The screen once every one of ``texts`` is on it."""
        return self.wait_until(lambda shown: all(text in shown for text in texts), " and ".join(map(repr, texts)),
                               timeout)

    def wait_gone(self, text: str, timeout: float = STAGE) -> str:
        return self.wait_until(lambda shown: text not in shown, f"{text!r} to go", timeout)

    @staticmethod
    def framed(shown: str) -> str:
        return "\n".join(f"|{line}" for line in shown.splitlines())

    def close(self) -> None:
        subprocess.run([self.tmux, "-L", self.socket, "kill-server"], capture_output=True, timeout=STAGE)
        self.socket_path.unlink(missing_ok=True)


def line_with(shown: str, text: str) -> str:
    """The first line of the screen holding ``text`` ('' if none)."""
    return next((line for line in shown.splitlines() if text in line), "")
