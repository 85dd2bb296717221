"""Responsiveness as a new agent meets it: desk in a real 80×24 terminal (tmux), beside a
reference Textual app and a bare one, in the same run, interleaved (issue #14).

Each app runs in its own tmux server (``tests/e2e/terminal.py``'s ``Terminal``), keys go in
with ``send-keys`` and the time runs from just before the key is sent until
``capture-pane`` shows what is expected (and the previous screen's text is gone). The
screen is polled in a tight loop, so the resolution is one ``capture-pane`` round trip,
printed with the results. What is measured, each repeated ``--runs`` times, desk and the
reference (or bare) app alternating:

1. F2 on the lookup -> the queue's first page painted (a full window of rows), then Esc back;
2. PgDn on the queue -> the next page painted (the rows on screen replaced);
3. launch (process start) -> first frame: the bare app's Input, desk's sign-in with its
   boxes; and desk's "search answers": from launch, sign in (password, Enter, as soon as
   the sign-in shows), type a name prefix as soon as the lookup shows, until its first
   results are painted; the goal is 3x the bare app's first frame. The reference times
   launch -> lookup -> results the same way. Whether keys typed ahead (password, Enter and
   the prefix at once, before the lookup is there) are kept is checked once, and said;
4. open a customer: Enter on the first result -> the identity check visible (Esc after);
5. keystroke to echo: one letter typed into the empty lookup box -> that letter in the
   box, desk against the reference's box and the bare app's Input;
   and, signed in, the prefix typed -> its results painted (desk against the reference).

The reference is ``benchmarks/reference_app.py``: the same screens from fixed data, no
database. Not in CI: run on demand, on the million-customer demo:

    .venv/bin/desk --db sqlite:////tmp/bench/million.sqlite3 demo --customers 1000000   # once, minutes
    .venv/bin/python benchmarks/responsiveness.py --runs 15
"""

from __future__ import annotations

import argparse
import math
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.terminal import DESK, Terminal, desk_command  # noqa: E402
from tests.e2e.walk import PASSWORD  # noqa: E402

REFERENCE = ROOT / "benchmarks" / "reference_app.py"
DEFAULT_DB = "sqlite:////tmp/bench/million.sqlite3"
TIMEOUT = 30.0
# An agent signing in types the password at about 8 keys a second (a 100-words-a-minute
# typist); the database opens meanwhile.
KEY_GAP = 0.12
PLACEHOLDER = "姓名 / 拼音 / 手机号"
HOME_FOOTER = "f2 待办队列"
QUEUE_HEAD = ("状态", "到期", "剩余工时")
# A queue row starts with its state word, then the due time: "11-24 21:00", or the date alone
# for another year ("2025-02-23"); tests/e2e/walk.py's ROW knows only the first form.
ROW = re.compile(r"^\s*(>)?\s*(!!超时|! 临期|正常)\s+(\d{4}-\d\d-\d\d|\d\d-\d\d \d\d:\d\d)")
RESULTS_HEAD = re.compile(r"^\s*姓名\s+手机号\s+证件号")


class TimedOut(Exception):
    pass


MISPAINTED: list[str] = []  # desk launches whose first results were painted cut short


# -- reading the screen ----------------------------------------------------------------------

def queue_rows(shown: str) -> list[str]:
    """The queue rows on screen (state word and due time first), the cursor mark removed."""
    return [re.sub(r"^\s*>", " ", line).strip() for line in shown.splitlines() if ROW.match(line)]


def first_result(shown: str) -> str:
    """The first row under the lookup's results header ('' if none)."""
    lines = shown.splitlines()
    for index, line in enumerate(lines):
        if RESULTS_HEAD.match(line):
            following = lines[index + 1].strip() if index + 1 < len(lines) else ""
            return "" if following.startswith(("客服", "参考")) else following
    return ""


def box_shows(shown: str, text: str) -> bool:
    """The input box (``▊  text   ▎``) holds exactly ``text``."""
    return re.search(rf"▊ +{re.escape(text)} +▎", shown) is not None


def home_ready(shown: str) -> bool:
    return PLACEHOLDER in shown and HOME_FOOTER in shown


def sign_in_ready(shown: str) -> bool:
    return all(text in shown for text in ("坐席登录", "登录名", "agent01", "密码"))


# -- timing ----------------------------------------------------------------------------------

def wait(term: Terminal, ready: Callable[[str], bool], start: float, what: str, timeout: float = TIMEOUT) -> float:
    """Seconds from ``start`` until ``ready(screen)``; polling capture-pane back to back."""
    while True:
        shown = term.screen()
        if ready(shown):
            return time.perf_counter() - start
        if time.perf_counter() - start > timeout:
            raise TimedOut(f"waited {timeout:.0f} s for {what}; the screen was:\n{term.framed(shown)}")


def timed(term: Terminal, send: Callable[[], None], ready: Callable[[str], bool], what: str) -> float:
    start = time.perf_counter()
    send()
    return wait(term, ready, start, what)


def settle(term: Terminal, ready: Callable[[str], bool], what: str, pause: float) -> None:
    wait(term, ready, time.perf_counter(), what)
    time.sleep(pause)


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: with 15 runs the p95 is the slowest."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


# -- the apps --------------------------------------------------------------------------------

class Apps:
    def __init__(self, url: str, work: Path) -> None:
        self.url = url
        self.work = work
        self.count = 0
        self.desk_env = {"TERM": "xterm-256color", "HOME": str(work / "home"),
                         "XDG_DATA_HOME": str(work / "xdg"), "DESK_AGENT": "agent01", "DESK_LANG": "zh"}

    def _dir(self) -> Path:
        self.count += 1
        path = self.work / f"t{self.count}"
        path.mkdir(parents=True)
        return path

    def desk_command(self) -> str:
        return desk_command(self.url, self.desk_env)

    def python_command(self, *args: str) -> str:
        words = ["env", "-i", "PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8", "TERM=xterm-256color",
                 f"HOME={self.work / 'home'}", sys.executable, str(REFERENCE), *args]
        return shlex.join(words)

    def open(self, command: str) -> Terminal:
        return Terminal(command, work=self._dir())

    def held(self, command: str) -> Terminal:
        """A terminal whose command waits for Enter: the launch is timed from that key."""
        term = Terminal(f"read _; exec {command}", work=self._dir())
        time.sleep(0.3)  # the shell is at its read
        return term


def sign_in(term: Terminal) -> None:
    wait(term, sign_in_ready, time.perf_counter(), "the sign-in")
    term.type(PASSWORD)
    wait(term, lambda s: "•" * len(PASSWORD) in s, time.perf_counter(), "the password")
    term.press("Enter")
    wait(term, home_ready, time.perf_counter(), "the lookup after sign-in", timeout=120)


def expected_first_row(term: Terminal, prefix: str, pause: float) -> str:
    """The first result for ``prefix`` once the screen is still: what the timed runs wait for."""
    term.type(prefix)
    wait(term, lambda s: box_shows(s, prefix) and first_result(s) != "", time.perf_counter(), "results")
    time.sleep(1.5)
    row = first_result(term.screen())
    term.press("Escape")
    settle(term, lambda s: PLACEHOLDER in s and first_result(s) == "", "the box cleared", pause)
    return row


# -- one launch of each ----------------------------------------------------------------------

def launch_bare(apps: Apps) -> float:
    term = apps.held(apps.python_command("--bare"))
    try:
        return timed(term, lambda: term.press("Enter"), lambda s: "search" in s, "the bare app's Input")
    finally:
        term.close()


def _desk_to_sign_in(apps: Apps) -> tuple[Terminal, float, float]:
    """desk launched: its terminal, when it was launched, and how long its sign-in took to show."""
    term = apps.held(apps.desk_command())
    start = time.perf_counter()
    term.press("Enter")
    try:
        return term, start, wait(term, sign_in_ready, start, "the sign-in")
    except TimedOut:
        term.close()
        raise


def launch_desk(apps: Apps, prefix: str, row: str) -> tuple[float, float, float]:
    """(sign-in painted, lookup painted after sign-in, first results painted), from launch."""
    term, start, first = _desk_to_sign_in(apps)
    try:
        term.type(PASSWORD)
        term.press("Enter")
        home = wait(term, home_ready, start, "the lookup", timeout=120)
        term.type(prefix)
        # The first result's name is there: answered. Painted whole (every column as wide as
        # its text) is checked after: a row cut to its columns' header widths is a fault.
        name = row.split()[0]
        answered = wait(term, lambda s: box_shows(s, prefix) and first_result(s).split()[:1] == [name], start,
                        "the results")
        try:
            wait(term, lambda s: first_result(s) == row, time.perf_counter(), "the whole row", timeout=3)
        except TimedOut as error:
            MISPAINTED.append(str(error))
        return first, home, answered
    finally:
        term.close()


def launch_desk_paced(apps: Apps, prefix: str, row: str) -> tuple[float, float, float]:
    """desk launched and signed in at an agent's pace: the password typed a key every
    ``KEY_GAP`` s once the sign-in shows. (sign-in painted from launch, Enter on the
    password -> lookup painted, prefix typed -> first results painted): the machine's
    part of "search answers", with the agent's own typing taken out."""
    term, _, first = _desk_to_sign_in(apps)
    try:
        for key in PASSWORD:
            term.type(key)
            time.sleep(KEY_GAP)
        wait(term, lambda s: "•" * len(PASSWORD) in s, time.perf_counter(), "the password")
        home = timed(term, lambda: term.press("Enter"), home_ready, "the lookup")
        answered = timed(term, lambda: term.type(prefix),
                         lambda s: box_shows(s, prefix) and first_result(s) == row, "the results")
        return first, home, answered
    finally:
        term.close()


def launch_reference(apps: Apps, prefix: str, row: str) -> tuple[float, float]:
    term = apps.held(apps.python_command())
    try:
        start = time.perf_counter()
        term.press("Enter")
        first = wait(term, home_ready, start, "the reference's lookup")
        term.type(prefix)
        answered = wait(term, lambda s: box_shows(s, prefix) and first_result(s) == row, start, "the results")
        return first, answered
    finally:
        term.close()


def typed_ahead(apps: Apps, prefix: str, row: str, delay: float) -> str:
    """Password, Enter and the prefix typed at once ``delay`` s after the sign-in shows."""
    term, start, _ = _desk_to_sign_in(apps)
    try:
        time.sleep(delay)
        term.type(PASSWORD)
        term.press("Enter")
        term.type(prefix)
        try:
            took = wait(term, lambda s: box_shows(s, prefix) and first_result(s) == row, start, "the results",
                        timeout=20)
            return f"kept: results {took * 1000:.0f} ms after launch"
        except TimedOut:
            shown = term.screen()
            if "登录名或密码错误" in shown:
                return "lost: the prefix went into the password box and the sign-in was refused"
            if home_ready(shown):
                return "lost: signed in, the lookup box is empty"
            return "lost: the screen was\n" + term.framed(shown)
    finally:
        term.close()


# -- the run ---------------------------------------------------------------------------------

def poll_cost(term: Terminal, times: int = 50) -> tuple[float, float]:
    """Median seconds of one capture-pane and of one send-keys (a key nothing acts on)."""
    captures, sends = [], []
    for _ in range(times):
        start = time.perf_counter()
        term.screen()
        captures.append(time.perf_counter() - start)
    for _ in range(10):
        start = time.perf_counter()
        term._run("send-keys", "F12")  # noqa: SLF001 - bound to nothing in either app
        sends.append(time.perf_counter() - start)
    return statistics.median(captures), statistics.median(sends)


def load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def database_note(url: str) -> str:
    if not url.startswith("sqlite:///"):
        return url
    path = Path(url.removeprefix("sqlite:///"))
    size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    return f"{path} ({size / 2**20:,.0f} MiB with WAL)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=DEFAULT_DB, help=f"database URL (default {DEFAULT_DB})")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--prefix", default="wang", help="the name prefix searched for (default wang)")
    parser.add_argument("--letter", default="z", help="the letter typed for keystroke-to-echo")
    parser.add_argument("--pause", type=float, default=0.3, help="seconds left between actions")
    parser.add_argument("--skip-launch", action="store_true")
    args = parser.parse_args()

    if args.db.startswith("sqlite:///") and not Path(args.db.removeprefix("sqlite:///")).exists():
        sys.exit(f"no database at {args.db}; make it first (takes minutes):\n"
                 f"    {DESK.relative_to(ROOT) if DESK.is_relative_to(ROOT) else DESK} --db {args.db} demo "
                 f"--customers 1000000")

    work = Path(tempfile.mkdtemp(prefix="desk-responsiveness-"))
    apps = Apps(args.db, work)
    samples: dict[str, list[float]] = {}
    failures: dict[str, int] = {}

    def record(name: str, measure: Callable[[], float]) -> None:
        try:
            samples.setdefault(name, []).append(measure())
        except TimedOut as error:
            failures[name] = failures.get(name, 0) + 1
            print(f"{name}: {error}", file=sys.stderr)

    print(f"load before: {load()}", flush=True)
    desk = apps.open(apps.desk_command())
    ref = apps.open(apps.python_command())
    bare = apps.open(apps.python_command("--bare"))
    try:
        sign_in(desk)
        settle(ref, home_ready, "the reference", 0)
        settle(bare, lambda s: "search" in s, "the bare app", 0)
        capture, send = poll_cost(desk)
        print(f"one capture-pane {capture * 1000:.1f} ms, one send-keys {send * 1000:.1f} ms", flush=True)
        desk_row = expected_first_row(desk, args.prefix, args.pause)
        ref_row = expected_first_row(ref, args.prefix, args.pause)
        print(f"first result for {args.prefix!r}: desk {desk_row!r}; reference {ref_row!r}", flush=True)
        # A full window: as many rows as the queue shows once still.
        windows = {}
        for name, term in (("desk", desk), ("reference", ref)):
            term.press("F2")
            wait(term, lambda s: len(queue_rows(s)) > 0, time.perf_counter(), f"{name}'s queue")
            time.sleep(1.5)
            windows[name] = len(queue_rows(term.screen()))
            term.press("Escape")
            settle(term, home_ready, f"{name}'s lookup", args.pause)
        print(f"queue rows on screen: {windows}", flush=True)

        for run in range(args.runs):
            pair = [("desk", desk, desk_row), ("reference", ref, ref_row)]
            if run % 2:
                pair.reverse()  # neither app always goes first
            for name, term, _ in pair:
                full = windows[name]
                record(f"F2 → first page: {name}", lambda t=term, n=full: timed(
                    t, lambda: t.press("F2"),
                    lambda s: all(h in s for h in QUEUE_HEAD) and len(queue_rows(s)) >= n and HOME_FOOTER not in s,
                    "the first page"))
                time.sleep(args.pause)
            for name, term, _ in pair:
                before = queue_rows(term.screen())
                record(f"PgDn → next page: {name}", lambda t=term, b=before: timed(
                    t, lambda: t.press("PageDown"),
                    lambda s: len(queue_rows(s)) == len(b)
                    and sum(x != y for x, y in zip(queue_rows(s), b, strict=True)) >= max(1, len(b) - 2),
                    "the next page"))
                time.sleep(args.pause)
            for name, term, _ in pair:
                record(f"Esc → lookup: {name}", lambda t=term: timed(
                    t, lambda: t.press("Escape"), lambda s: home_ready(s) and "剩余工时" not in s, "the lookup"))
                time.sleep(args.pause)
            for name, term in [(n, t) for n, t, _ in pair] + [("bare", bare)]:
                record(f"keystroke → echo: {name}", lambda t=term: timed(
                    t, lambda: t.type(args.letter), lambda s: box_shows(s, args.letter), "the echo"))
                time.sleep(args.pause)
                term.press("BSpace")
                settle(term, lambda s: PLACEHOLDER in s or box_shows(s, "search"), "the box empty", args.pause)
            for name, term, row in pair:
                record(f"prefix typed → results: {name}", lambda t=term, r=row: timed(
                    t, lambda: t.type(args.prefix), lambda s: box_shows(s, args.prefix) and first_result(s) == r,
                    "the results"))
                time.sleep(args.pause)
            for name, term, _ in pair:
                record(f"Enter → identity check: {name}", lambda t=term: timed(
                    t, lambda: t.press("Enter"), lambda s: "核身：" in s and "已勾选 0 项" in s, "the identity check"))
                time.sleep(args.pause)
                term.press("Escape")
                settle(term, lambda s: "核身：" not in s and HOME_FOOTER in s, "the lookup again", 0)
                term.press("Escape")
                settle(term, lambda s: PLACEHOLDER in s and first_result(s) == "", "the box cleared", args.pause)
            if not args.skip_launch:
                order = [("bare", None), ("desk", None), ("desk paced", None), ("reference", None)]
                for name, _ in (order if run % 2 == 0 else order[::-1]):
                    try:
                        if name == "bare":
                            samples.setdefault("launch → first frame: bare", []).append(launch_bare(apps))
                        elif name == "desk":
                            first, home, answered = launch_desk(apps, args.prefix, desk_row)
                            samples.setdefault("launch → first frame: desk (sign-in)", []).append(first)
                            samples.setdefault("launch → lookup after sign-in: desk", []).append(home)
                            samples.setdefault("launch → search answers: desk", []).append(answered)
                        elif name == "desk paced":
                            first, home, answered = launch_desk_paced(apps, args.prefix, desk_row)
                            samples.setdefault("paced: launch → sign-in", []).append(first)
                            samples.setdefault("paced: password Enter → lookup", []).append(home)
                            samples.setdefault("paced: prefix → results", []).append(answered)
                            samples.setdefault("paced: search answers, typing taken out", []).append(
                                first + home + answered)
                        else:
                            first, answered = launch_reference(apps, args.prefix, ref_row)
                            samples.setdefault("launch → first frame: reference (lookup)", []).append(first)
                            samples.setdefault("launch → search answers: reference", []).append(answered)
                    except TimedOut as error:
                        failures[f"launch {name}"] = failures.get(f"launch {name}", 0) + 1
                        print(f"launch {name}: {error}", file=sys.stderr)
            print(f"run {run + 1}/{args.runs} done", flush=True)
        ahead = [] if args.skip_launch else [
            ("at once when the sign-in shows", typed_ahead(apps, args.prefix, desk_row, 0.0)),
            ("2 s after the sign-in shows (database open)", typed_ahead(apps, args.prefix, desk_row, 2.0)),
        ]
    finally:
        for term in (desk, ref, bare):
            term.close()
        shutil.rmtree(work, ignore_errors=True)
    report(args, samples, failures, capture, send, ahead, windows)


def report(args: argparse.Namespace, samples: dict[str, list[float]], failures: dict[str, int], capture: float,
           send: float, ahead: list[tuple[str, str]], windows: dict[str, int]) -> None:
    def ms(name: str, share: float | None = None) -> float | None:
        values = samples.get(name)
        if not values:
            return None
        return (statistics.median(values) if share is None else percentile(values, share)) * 1000

    def cell(value: float | None) -> str:
        return "-" if value is None else f"{value:,.0f}"

    def ratio(a: float | None, b: float | None) -> str:
        return "-" if a is None or b is None else f"{a / b:.2f}×"

    pairs = [
        ("F2 → queue's first page painted", "F2 → first page: desk", "F2 → first page: reference",
         "p95 < 150 ms", lambda: (ms("F2 → first page: desk", 0.95) or 1e9) < 150),
        ("PgDn → next page painted", "PgDn → next page: desk", "PgDn → next page: reference",
         "< 2× reference", lambda: (ms("PgDn → next page: desk") or 1e9) < 2 * (ms("PgDn → next page: reference") or 0)),
        ("Esc → lookup again", "Esc → lookup: desk", "Esc → lookup: reference", "", None),
        ("launch → first frame (desk: sign-in; ref: lookup)", "launch → first frame: desk (sign-in)",
         "launch → first frame: reference (lookup)", "", None),
        ("launch → search answers (signed in, prefix typed)", "launch → search answers: desk",
         "launch → search answers: reference", "< 3× bare first frame",
         lambda: (ms("launch → search answers: desk") or 1e9) < 3 * (ms("launch → first frame: bare") or 0)),
        ("prefix typed → results painted (signed in)", "prefix typed → results: desk",
         "prefix typed → results: reference", "", None),
        ("Enter on a result → identity check", "Enter → identity check: desk", "Enter → identity check: reference",
         "", None),
        ("keystroke → echo in the box", "keystroke → echo: desk", "keystroke → echo: reference", "", None),
    ]
    lines = [
        f"runs {args.runs}, database {database_note(args.db)}, prefix {args.prefix!r}, "
        f"queue rows on screen {windows}",
        f"poll resolution: one capture-pane {capture * 1000:.1f} ms; one send-keys {send * 1000:.1f} ms",
        f"load after: {load()}",
        "",
        "| measure (ms) | desk median | desk p95 | reference median | reference p95 | ratio median | ratio p95 "
        "| goal | met |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for title, d, r, goal, met in pairs:
        dm, dp, rm, rp = ms(d), ms(d, 0.95), ms(r), ms(r, 0.95)
        verdict = "" if met is None or dm is None else ("yes" if met() else "**no**")
        lines.append(f"| {title} | {cell(dm)} | {cell(dp)} | {cell(rm)} | {cell(rp)} | {ratio(dm, rm)} "
                     f"| {ratio(dp, rp)} | {goal} | {verdict} |")
    bare_first, bare_echo = ms("launch → first frame: bare"), ms("keystroke → echo: bare")
    lines += [
        "",
        "| against the bare app (ms) | bare median | bare p95 | desk median / bare median |",
        "|---|---|---|---|",
        f"| launch → first frame | {cell(bare_first)} | {cell(ms('launch → first frame: bare', 0.95))} "
        f"| sign-in {ratio(ms('launch → first frame: desk (sign-in)'), bare_first)}; "
        f"search answers {ratio(ms('launch → search answers: desk'), bare_first)} (goal < 3×) |",
        f"| keystroke → echo | {cell(bare_echo)} | {cell(ms('keystroke → echo: bare', 0.95))} "
        f"| {ratio(ms('keystroke → echo: desk'), bare_echo)} |",
        "",
        f"desk launch → lookup after sign-in (password typed when the sign-in shows): median "
        f"{cell(ms('launch → lookup after sign-in: desk'))} ms, p95 {cell(ms('launch → lookup after sign-in: desk', 0.95))} ms",
        "",
        f"desk signed in at an agent's pace (a key every {KEY_GAP * 1000:.0f} ms), the machine's part (ms):",
        "",
        "| step | median | p95 |",
        "|---|---|---|",
    ]
    for step in ("launch → sign-in", "password Enter → lookup", "prefix → results",
                 "search answers, typing taken out"):
        lines.append(f"| {step} | {cell(ms('paced: ' + step))} | {cell(ms('paced: ' + step, 0.95))} |")
    paced = ms("paced: search answers, typing taken out")
    lines += ["", f"search answers, typing taken out: {ratio(paced, bare_first)} the bare app's first frame "
                  f"(goal < 3×: {'met' if paced is not None and bare_first and paced < 3 * bare_first else 'not met'})"]
    for when, outcome in ahead:
        lines.append(f"typed ahead (password, Enter, {args.prefix!r} {when}): {outcome}")
    if MISPAINTED:
        lines.append(f"desk launches whose results were painted with columns cut to their headers' width "
                     f"(timed, then still cut 3 s later): {len(MISPAINTED)}; the first:\n{MISPAINTED[0]}")
    if failures:
        lines.append(f"timed out (left out of the figures): {failures}")
    lines += ["", "every sample, in the order taken (ms):"]
    lines += [f"  {name}: {', '.join(f'{value * 1000:.0f}' for value in values)}" for name, values in samples.items()]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
