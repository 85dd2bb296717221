"""Bytes desk writes to its terminal: per keystroke in the lookup, and while the queue sits idle.

Over SSH every byte a screen repaints crosses the link. desk runs in a pseudo-terminal of
80×24 (as over SSH), signs in, and this counts what it writes:

- typing a search one letter at a time (each letter given 0.6 s to settle): bytes per key;
- the queue (F2) left alone for 9 s (three of its 3-second refreshes): bytes per second,
  and the CPU desk uses meanwhile (a share of one core).

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
from pathlib import Path

F2 = b"\x1bOQ"


class Terminal:
    """desk in a pseudo-terminal, its output counted as it comes."""

    def __init__(self, args: list[str], env: dict[str, str], code: str | None = None) -> None:
        # Another checkout runs without site processing: the editable install's import
        # hook would otherwise load this checkout whatever PYTHONPATH says.
        python = [sys.executable, "-S"] if code else [sys.executable]
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            if code:
                os.chdir(code)
            os.execve(sys.executable, [*python, "-m", "screens.main", *args], env)
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


def measure(db: str, code: str | None, search: str) -> tuple[list[int], float, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESK_")}
    env.update(TERM="xterm-256color", COLORTERM="truecolor", DESK_LANG="zh", DESK_AGENT="agent01")
    if code:
        env["PYTHONPATH"] = os.pathsep.join([code, *(p for p in sys.path if p.endswith("site-packages"))])
    term = Terminal(["--db", db], env, code)
    try:
        time.sleep(4)  # the sign-in is up and the database opens meanwhile
        term.send(b"demo-desk-2026")
        time.sleep(0.5)
        term.send(b"\r")
        # Screens are drawn cell by cell, so text is not searched for: time is given.
        time.sleep(4)
        per_key = []
        for letter in search:
            before = term.count
            term.send(letter.encode())
            time.sleep(0.6)
            per_key.append(term.count - before)
        term.send(b"\x1b")  # clear the search
        time.sleep(0.5)
        term.send(F2)
        time.sleep(3)  # the first window
        before, cpu, started = term.count, term.cpu_seconds(), time.monotonic()
        time.sleep(9)
        elapsed = time.monotonic() - started
        idle = (term.count - before) / elapsed
        return per_key, idle, (term.cpu_seconds() - cpu) / elapsed
    finally:
        term.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--code", help="another checkout to compare with, run in the same loop")
    parser.add_argument("--search", default="wang")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sides = [("this", None)] + ([("other", args.code)] if args.code else [])
    results: dict[str, tuple[list[int], list[float], list[float]]] = {name: ([], [], []) for name, _ in sides}
    for _ in range(args.runs):
        for name, code in sides:
            per_key, idle, cpu = measure(args.db, code, args.search)
            results[name][0].extend(per_key)
            results[name][1].append(idle)
            results[name][2].append(cpu)
    for name, (keys, idles, cpus) in results.items():
        print(f"{name:>5}: per keystroke median {statistics.median(keys):,.0f} B (max {max(keys):,}); "
              f"idle queue median {statistics.median(idles):,.0f} B/s, "
              f"CPU {statistics.median(cpus) * 100:.2f} % of a core")


if __name__ == "__main__":
    main()
