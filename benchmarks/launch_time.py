"""Time from launch to a usable sign-in screen, against a bare Textual app with one widget.

Each run is a fresh interpreter (imports included), headless, that reports the wall-clock
time at which the first frame with the focused login box is up, then exits; the time
to shut down (and the database worker still opening) is not counted. Both apps alternate
in the same loop.

    .venv/bin/python benchmarks/launch_time.py --runs 15
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE = """
from textual.app import App
from textual.widgets import Input

import sys, time

class Bare(App):
    def compose(self):
        yield Input(placeholder="search")

    def on_mount(self):
        self.query_one(Input).focus()
        self.call_after_refresh(self._launch_done)

    def _launch_done(self):
        print(time.time(), file=sys.stderr)
        self.exit()

Bare().run(headless=True)
"""

DESK = """
import sys, time
from screens.app import DeskApp

class Ready(DeskApp):
    def on_mount(self):
        super().on_mount()
        self.call_after_refresh(self._launch_done)

    def _launch_done(self):
        # What the desk command shows first: the sign-in, its login box taking keys.
        assert self.focused is not None and self.focused.id == "sign-in-login"
        print(time.time(), file=sys.stderr)
        self.exit()

Ready(database_url=sys.argv[1]).run(headless=True)
"""


def _once(code: str, *args: str) -> float:
    started = time.time()
    done = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, text=True)
    return float(done.stderr.strip().splitlines()[-1]) - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--db", help="database URL (default: a fresh migrated SQLite file)")
    args = parser.parse_args()
    url = args.db
    if url is None:
        from desk.use_cases.database import open_database

        url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'launch.sqlite3'}"
        open_database(url).close()
    _once(BARE), _once(DESK, url)  # warm the file cache
    bare, desk = [], []
    for _ in range(args.runs):
        bare.append(_once(BARE))
        desk.append(_once(DESK, url))
    b, d = statistics.median(bare), statistics.median(desk)
    print(f"bare Textual app: median {b * 1000:.0f} ms  (min {min(bare) * 1000:.0f})")
    print(f"desk lookup:      median {d * 1000:.0f} ms  (min {min(desk) * 1000:.0f})")
    print(f"ratio: {d / b:.2f}x over {args.runs} runs")


if __name__ == "__main__":
    main()
