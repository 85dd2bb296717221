"""Bytes desk writes to its terminal: per keystroke in the lookup, and while the queue sits idle.

Over SSH every byte a screen repaints crosses the link. desk runs in a pseudo-terminal of
80×24 (as over SSH), signs in, and this counts what it writes:

- typing a search one letter at a time (each letter given 0.6 s to settle): bytes per key;
- the lookup left alone for 9 s, then the queue (F2) left alone for 9 s (three of its
  3-second refreshes): bytes per second, and the CPU desk uses meanwhile (a share of one
  core): an unchanged queue should cost what an idle lookup costs.

Beside desk, in the same loop, ``benchmarks/reference_app.py`` (the same lookup from fixed
data, no database) is typed the same search: its bytes per key are what painting the same
result change costs a plain Textual app (the goal: desk at most 2× that).

Give ``--code DIR`` to run another checkout's desk (through PYTHONPATH) in the same run,
to compare before and after a change:

    .venv/bin/python benchmarks/terminal_bytes.py --db sqlite:////tmp/demo.sqlite3 --code /tmp/old
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import pty
import select
import statistics
import struct
import sys
import termios
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

F2 = b"\x1bOQ"


class Terminal:
    """desk in a pseudo-terminal, its output counted as it comes."""

    def __init__(self, args: list[str], env: dict[str, str], code: str | None = None) -> None:
        """``args``: desk's arguments, or a whole command line starting with a path."""
        # Another checkout runs without site processing: the editable install's import
        # hook would otherwise load this checkout whatever PYTHONPATH says.
        python = [sys.executable, "-S"] if code else [sys.executable]
        argv = [sys.executable, *args] if args and args[0].endswith(".py") else [*python, "-m", "screens.main", *args]
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            if code:
                os.chdir(code)
            os.execve(sys.executable, argv, env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.count = 0
        self.text = b""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            ready, _, _ = select.select([self.fd], [], [], 0.2)
            if not ready:
                continue
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                return
            if not data:
                return
            self.count += len(data)
            self.text = (self.text + data)[-200_000:]

    def send(self, data: bytes) -> None:
        os.write(self.fd, data)

    def cpu_seconds(self) -> float:
        """User and system CPU time desk has used so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        self.send(b"\x11")  # Ctrl+Q
        time.sleep(0.5)
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)


REFERENCE = Path(__file__).with_name("reference_app.py")
IDLE_SECONDS = 9.0


@dataclass
class Measured:
    per_key: list[int] = field(default_factory=list)  # bytes written after each letter
    idle_lookup: list[tuple[float, float]] = field(default_factory=list)  # (bytes/s, CPU share)
    idle_queue: list[tuple[float, float]] = field(default_factory=list)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESK_")}
    env.update(TERM="xterm-256color", COLORTERM="truecolor", DESK_LANG="zh", DESK_AGENT="agent01")
    return env


def _idle(term: Terminal) -> tuple[float, float]:
    before, cpu, started = term.count, term.cpu_seconds(), time.monotonic()
    time.sleep(IDLE_SECONDS)
    elapsed = time.monotonic() - started
    return (term.count - before) / elapsed, (term.cpu_seconds() - cpu) / elapsed


def _type(term: Terminal, search: str, into: Measured) -> None:
    # Screens are drawn cell by cell, so text is not searched for: time is given.
    for letter in search:
        before = term.count
        term.send(letter.encode())
        time.sleep(0.6)
        into.per_key.append(term.count - before)


def measure(db: str, code: str | None, search: str, into: Measured) -> None:
    env = _env()
    if code:
        env["PYTHONPATH"] = os.pathsep.join([code, *(p for p in sys.path if p.endswith("site-packages"))])
    term = Terminal(["--db", db], env, code)
    try:
        time.sleep(4)  # the sign-in is up and the database opens meanwhile
        term.send(b"demo-desk-2026")
        time.sleep(0.5)
        term.send(b"\r")
        time.sleep(4)
        into.idle_lookup.append(_idle(term))
        _type(term, search, into)
        term.send(b"\x1b")  # clear the search
        time.sleep(0.5)
        term.send(F2)
        time.sleep(3)  # the first window
        into.idle_queue.append(_idle(term))
    finally:
        term.close()


def measure_reference(search: str, into: Measured) -> None:
    term = Terminal([str(REFERENCE)], _env())
    try:
        time.sleep(3)
        into.idle_lookup.append(_idle(term))
        _type(term, search, into)
    finally:
        term.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--code", help="another checkout to compare with, run in the same loop")
    parser.add_argument("--search", default="wang")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sides = [("this", None)] + ([("other", args.code)] if args.code else []) + [("reference", None)]
    results = {name: Measured() for name, _ in sides}
    for _ in range(args.runs):
        for name, code in sides:
            if name == "reference":
                measure_reference(args.search, results[name])
            else:
                measure(args.db, code, args.search, results[name])
    reference = statistics.median(results["reference"].per_key)
    print(f"| {args.runs} runs, typing {args.search!r} | per keystroke, median (max) | against the reference "
          f"| idle lookup | idle queue |")
    print("|---|---|---|---|---|")
    for name, measured in results.items():
        keys = measured.per_key
        print(f"| {name} | {statistics.median(keys):,.0f} B ({max(keys):,} B) "
              f"| {statistics.median(keys) / reference:.2f}× | {_rate(measured.idle_lookup)} "
              f"| {_rate(measured.idle_queue)} |")
    for name, measured in results.items():
        print(f"{name} per key, in order: {measured.per_key}")


def _rate(samples: list[tuple[float, float]]) -> str:
    if not samples:
        return "-"
    return (f"{statistics.median(b for b, _ in samples):,.0f} B/s, "
            f"CPU {statistics.median(c for _, c in samples) * 100:.2f} %")


if __name__ == "__main__":
    main()
