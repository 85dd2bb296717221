"""Re-measure the fault figures of issue #11 on the current code, each as "probe: N of M outcome".

Four probes, on real databases, through the public use cases (nothing mocked):

1. first start killed (SQLite only): ``desk --db sqlite:///NEW sla due ...`` in a child
   process, SIGKILLed after a delay spread over 30-100 % of a measured unkilled first
   start, then the same command again; counts later starts that fail, wrong due times
   and reference data missing afterwards.
2. 20 processes filing the last quota use at once: 20 spawned worker processes wait at a
   barrier, then each files the year's one escort (quota 1) of the same fresh policy;
   exactly one must succeed in every round.
3. lock behind another writer: a raw connection holds the write lock (SQLite ``BEGIN
   IMMEDIATE``; PostgreSQL ``LOCK TABLE request IN ACCESS EXCLUSIVE MODE``) while a save
   waits; the wait, the error's type, its message and the message's length.
4. raw error length (PostgreSQL only): the server backend is terminated just before
   ``INSERT INTO request``; the type and length of what the caller gets, and whether it
   holds SQL or the customer's name.

Run from the repository root with the project's venv:

    .venv/bin/python benchmarks/fault_probes.py --backend both
    # options: --backend sqlite|postgresql|both, --rounds 40 (probes 1 and 2; probes 3 and 4
    # run rounds/10 times, at least once), --pg-url postgresql://postgres@127.0.0.1:5432/postgres,
    # --keep (keep the work folder: databases and desk.log)

Everything is made in a temporary folder (the fault log, desk.log, too: XDG_DATA_HOME
points there) and a PostgreSQL database ``desk_probe_<random>``, dropped at the end.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

from scratch_database import create_scratch_database, drop_scratch_database  # beside this script

DUE_ARGS = ["sla", "due", "--from", "2026-09-30 11:00", "--working-days", "2"]
DUE_AFTER_HOLIDAY = "2026-10-09 11:00"  # 30 September 2026 is the eve of National Day
AT = datetime(2026, 11, 24, 10, 30)  # inside the service year of a policy effective 2026-01-10
EFFECTIVE = date(2026, 1, 10)
SERVICE = "escort"  # green channel, booking and escort: once per service year
ILLNESS = "S01"  # a severe entry of the industry list: opens the green channel
FILERS = 20
START_LEAD = 0.3  # s from handing out a round's tasks to its start time: the workers are idle
RAW_WORDS = ("INSERT", "SELECT")

LINES: list[str] = []  # every "probe: N of M outcome" line, for the summary
SURPRISES: list[str] = []  # what did not behave as expected


def say(line: str = "") -> None:
    print(line, flush=True)


def count(probe: str, n: int, m: int, outcome: str, *, expected: int | None = None) -> None:
    """Print one figure; an unexpected one is remembered for the summary."""
    line = f"{probe}: {n} of {m} {outcome}"
    LINES.append(line)
    say(line)
    if expected is not None and n != expected:
        SURPRISES.append(f"{line} (expected {expected})")


def desk_command(url: str, *args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("desk")), "--db", url, *args]


# --- 1. first start killed ------------------------------------------------------------------


def probe_first_start(work: Path, rounds: int) -> None:
    from desk.texts.labels import t
    from desk.use_cases.database import open_database
    from desk.use_cases.reference_data import reference_data_missing

    name = "first start killed"
    folder = work / "first_start"
    folder.mkdir()
    started = time.perf_counter()
    timing = subprocess.run(desk_command(f"sqlite:///{folder / 'timing.sqlite3'}", *DUE_ARGS),
                            capture_output=True, text=True, timeout=120)
    whole = time.perf_counter() - started
    if timing.returncode != 0 or timing.stdout.strip() != DUE_AFTER_HOLIDAY:
        SURPRISES.append(f"{name}: the unkilled first start failed: {timing.stderr.strip()[-400:]}")
    say(f"{name}: an unkilled first start takes {whole:.2f} s; kills spread over "
        f"{0.3 * whole:.2f}-{whole:.2f} s")
    # The notice open_database gives when it had to load the reference data again.
    before, after_what = t("db.reference_reloaded", what="\0").split("\0")
    failed = wrong = missing = file_left = finished = repaired = stray = 0
    examples: list[str] = []
    notices: list[str] = []
    for k in range(rounds):
        fraction = 0.3 + 0.7 * k / max(rounds - 1, 1)
        path = folder / f"killed_{k}.sqlite3"
        url = f"sqlite:///{path}"
        child = subprocess.Popen(desk_command(url, *DUE_ARGS),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(whole * fraction)
        if child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)
        else:
            finished += 1
        child.wait()
        file_left += path.exists()
        try:
            after = subprocess.run(desk_command(url, *DUE_ARGS), capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired:
            after = subprocess.CompletedProcess([], -1, "", "(no answer in 120 s)")
        bad_start = after.returncode != 0 or "Traceback" in after.stderr
        failed += bad_start
        wrong += after.stdout.strip() != DUE_AFTER_HOLIDAY
        stray += bool(list(folder.glob(f"{path.name}.creating-*")))
        if after.stderr.strip() and not bad_start:
            repaired += 1
            if after.stderr.strip() not in notices:
                notices.append(after.stderr.strip())
        if (bad_start or after.stdout.strip() != DUE_AFTER_HOLIDAY) and len(examples) < 3:
            examples.append(f"killed at {fraction:.0%}: rc={after.returncode} "
                            f"out={after.stdout.strip()!r} err={after.stderr.strip()[-300:]!r}")
        # open_database reloads missing reference data itself, with a notice: a reload here
        # means the later start left it missing, so it counts as missing too.
        try:
            database = open_database(url)
        except Exception as error:  # noqa: BLE001 - a probe reports whatever happens
            missing += 1
            examples.append(f"killed at {fraction:.0%}: open_database: {type(error).__name__}: {error}")
            continue
        try:
            lacking = reference_data_missing(database)
            if lacking or any(n.startswith(before) and n.endswith(after_what) for n in database.notices):
                missing += 1
                examples.append(f"killed at {fraction:.0%}: reference data {lacking or database.notices}")
        finally:
            database.close()
    count(name, failed, rounds, "later start failed (non-zero exit or traceback)", expected=0)
    count(name, wrong, rounds, f"wrong due time (not {DUE_AFTER_HOLIDAY})", expected=0)
    count(name, missing, rounds, "reference data missing afterwards", expected=0)
    count(name, stray, rounds, "half-built files (.creating-*) still there after the later start", expected=0)
    count(name, finished, rounds, "first starts had finished before the kill (the kill came too late)")
    count(name, file_left, rounds, "killed starts had already moved the database file into place")
    count(name, repaired, rounds, "later starts said something on stderr (a repair notice)")
    for notice in notices[:3]:
        say(f"    stderr of a later start: {notice[-300:]}")
    for example in examples:
        say(f"    {example}")


# --- setup shared by probes 2-4 -------------------------------------------------------------


class Policies:
    """A fresh customer and policy per round, with the year's one escort still unused."""

    serial = 0  # customers made in this run, on any database

    def __init__(self, database) -> None:
        self.database = database

    def fresh(self, name: str = "张三") -> tuple[uuid.UUID, uuid.UUID]:
        from db.tables import Customer, Policy, ServicePeriod
        from desk.rules.search_keys import customer_search_keys
        from desk.rules.service_period import initial_window
        from desk.rules.validation import check_digit

        Policies.serial += 1
        # A resident ID of its own (the number is unique): one birth day per customer made.
        born = date(1960, 1, 1) + timedelta(days=Policies.serial)
        first17 = f"110105{born:%Y%m%d}123"
        id_number = first17 + check_digit(first17)
        mobile = f"138{Policies.serial:08d}"
        with self.database.unit_of_work() as uow:
            customer = uow.customers.add(
                Customer(name=name, id_number=id_number, birth_date=born, sex="M",
                         mobile=mobile, region="北京市朝阳区", address="朝阳路1号",
                         **customer_search_keys(name, id_number, mobile))
            )
            policy = uow.policies.add(
                Policy(policy_number=f"XP{Policies.serial:010d}", product="小康康卫士重大疾病保险",
                       insured_id=customer.id, holder_id=customer.id, effective_date=EFFECTIVE)
            )
            window = initial_window(EFFECTIVE)
            period = uow.service_periods.add(
                ServicePeriod(policy_id=policy.id, starts_on=window.starts_on, ends_on=window.ends_on)
            )
            uow.commit()
            return policy.id, period.id


def new_request(policy_id: uuid.UUID):
    """The NewRequest of one escort, with a caller-made request_id where NewRequest has one."""
    from desk.use_cases.requests import NewRequest

    extra = {}
    if "request_id" in {f.name for f in dataclasses.fields(NewRequest)}:
        extra["request_id"] = uuid.uuid4()
    return NewRequest(policy_id, SERVICE, suspected_illness=ILLNESS, **extra)


def uses_stored(database, period_id: uuid.UUID) -> int:
    from desk.use_cases.requests import uses_in_year

    with database.unit_of_work() as uow:
        return uses_in_year(uow, period_id, SERVICE)


# --- 2. 20 processes filing the last use at once --------------------------------------------


def _filer(tasks, results, barrier) -> None:
    """One worker process: opens each database once, then files one escort per round."""
    from desk.errors import DatabaseFailure
    from desk.use_cases.database import open_database
    from desk.use_cases.requests import RequestRefused, file_request

    databases = {}
    results.put(("ready", os.getpid()))
    while (task := tasks.get()) is not None:
        if task[0] == "open":
            databases[task[1]] = open_database(task[1], auto_upgrade=False)
            results.put(("opened", os.getpid()))
            continue
        if task[0] == "close":
            databases.pop(task[1]).close()
            results.put(("closed", os.getpid()))
            continue
        _file, url, round_no, policy_id, start_at = task
        database = databases[url]
        new = new_request(policy_id)
        # Everyone has its task and is ready; then all start at the same moment.
        barrier.wait(timeout=120)
        time.sleep(max(0.0, start_at - time.time()))
        began = time.time()
        try:
            with database.unit_of_work() as uow:
                file_request(uow, new, agent_id=None, at=AT)
            outcome, detail = "filed", ""
        except RequestRefused as refused:
            outcome, detail = f"refused ({refused.decision.refusal})", str(refused)
        except DatabaseFailure as failure:
            outcome, detail = f"failed ({type(failure).__name__}, {failure.kind})", str(failure)
        except Exception as error:  # noqa: BLE001 - reported, not hidden
            outcome, detail = f"error ({type(error).__name__})", traceback.format_exc()
        results.put((round_no, outcome, detail, began, time.time() - began))
    for database in databases.values():
        database.close()


class Filers:
    """20 spawned worker processes, started once for every backend of the run."""

    def __init__(self) -> None:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self.barrier = context.Barrier(FILERS)
        self.results = context.Queue()
        self.queues = [context.Queue() for _ in range(FILERS)]
        self.workers = [context.Process(target=_filer, args=(q, self.results, self.barrier), daemon=True)
                        for q in self.queues]
        started = time.perf_counter()
        for worker in self.workers:
            worker.start()
        self._all("ready")
        self.startup = time.perf_counter() - started

    def _all(self, expected: str) -> None:
        for _ in self.workers:
            kind, _pid = self.results.get(timeout=180)
            assert kind == expected, (kind, expected)

    def _send(self, task) -> None:
        for q in self.queues:
            q.put(task)

    def open(self, url: str) -> None:
        self._send(("open", url))
        self._all("opened")

    def close_database(self, url: str) -> None:
        self._send(("close", url))
        self._all("closed")

    def file_at_once(self, url: str, round_no: int, policy_id: uuid.UUID) -> tuple[float, list]:
        start_at = time.time() + START_LEAD
        self._send(("file", url, round_no, policy_id, start_at))
        return start_at, [self.results.get(timeout=180) for _ in range(FILERS)]

    def stop(self) -> None:
        self._send(None)
        for worker in self.workers:
            worker.join(timeout=30)
            if worker.is_alive():
                worker.kill()


def _most_at_once(spans: list[tuple[float, float]]) -> int:
    """The most of these (begin, end) spans that overlap at one moment."""
    edges = sorted([(b, 1) for b, _e in spans] + [(e, -1) for _b, e in spans], key=lambda x: (x[0], x[1]))
    most = now = 0
    for _moment, step in edges:
        now += step
        most = max(most, now)
    return most


def probe_last_use(backend: str, url: str, database, rounds: int, filers: Filers) -> None:
    name = f"20 processes filing the last quota use at once [{backend}]"
    started = time.perf_counter()
    filers.open(url)
    policies = Policies(database)
    several = one = none = stored_wrong = 0
    outcomes: dict[str, int] = {}
    details: dict[str, str] = {}
    spreads: list[float] = []
    slowest = late = 0.0
    in_flight = 0
    try:
        for round_no in range(rounds):
            policy_id, period_id = policies.fresh()
            start_at, got = filers.file_at_once(url, round_no, policy_id)
            filed = sum(outcome == "filed" for _r, outcome, *_ in got)
            for _r, outcome, detail, _began, took in got:
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
                details.setdefault(outcome, detail)
                slowest = max(slowest, took)
            spreads.append(max(g[3] for g in got) - min(g[3] for g in got))
            late = max(late, max(g[3] for g in got) - start_at)
            in_flight = max(in_flight, _most_at_once([(g[3], g[3] + g[4]) for g in got]))
            several += filed > 1
            one += filed == 1
            none += filed == 0
            stored = uses_stored(database, period_id)
            if stored != filed:
                stored_wrong += 1
                SURPRISES.append(f"{name}: round {round_no}: {filed} filed, database holds {stored} uses")
    finally:
        filers.close_database(url)
    count(name, one, rounds, "rounds with exactly one success", expected=rounds)
    count(name, several, rounds, "rounds with more than one success", expected=0)
    count(name, none, rounds, "rounds with no success", expected=0)
    count(name, stored_wrong, rounds, "rounds where the stored uses differ from the successes", expected=0)
    total = rounds * FILERS
    for outcome, n in sorted(outcomes.items(), key=lambda item: -item[1]):
        count(name, n, total, f"filings {outcome}")
        if not outcome.startswith(("filed", "refused")):
            SURPRISES.append(f"{name}: {n} of {total} filings {outcome}: {details[outcome][:600]}")
    say(f"{name}: the 20 filings of a round began within {statistics.median(spreads) * 1000:.1f} ms "
        f"(median; max {max(spreads) * 1000:.1f} ms, latest {late * 1000:.1f} ms after the start time); "
        f"up to {in_flight} in flight at once; slowest filing {slowest:.2f} s; "
        f"{time.perf_counter() - started:.1f} s in all")
    for outcome, detail in details.items():
        if detail:
            say(f"    {outcome}: {detail.strip().splitlines()[-1][:200]}")


# --- 3. a save behind another writer --------------------------------------------------------


def attempt(database, new) -> BaseException | None:
    """File ``new`` once; what it raised, or None if it was filed."""
    from desk.use_cases.requests import file_request

    try:
        with database.unit_of_work() as uow:
            file_request(uow, new, agent_id=None, at=AT)
    except Exception as caught:  # noqa: BLE001 - a probe reports whatever happens
        return caught
    return None


def retry(name: str, what: str, database, new) -> None:
    """The same save again, once the fault is gone: a surprise if it fails."""
    error = attempt(database, new)
    if error is not None:
        SURPRISES.append(f"{name}: the retry after {what} failed: {type(error).__name__}: {error}")


def probe_lock(backend: str, url: str, database, times: int) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' helpers
    import db.engines
    from tests.write_lock import hold_the_write_lock

    name = f"lock behind another writer [{backend}]"
    policies = Policies(database)
    waits: list[float] = []
    types: dict[str, int] = {}
    said = saved_after = 0
    messages: list[str] = []
    for _ in range(times):
        policy_id, period_id = policies.fresh()
        new = new_request(policy_id)
        release = hold_the_write_lock(url)
        began = time.perf_counter()
        try:
            error = attempt(database, new)
        finally:
            waits.append(time.perf_counter() - began)
            release()
        kind = "none (saved while the lock was held)" if error is None else type(error).__name__
        types[kind] = types.get(kind, 0) + 1
        if error is not None:
            message = str(error)
            said += "其他人正在保存" in message
            if not messages:
                messages.append(message)
        # Once the other writer is done the same save goes through, once.
        retry(name, "the lock", database, new)
        saved_after += uses_stored(database, period_id) == 1
    limit = db.engines.SQLITE_BUSY_TIMEOUT_MS if backend == "sqlite" else db.engines.PG_LOCK_TIMEOUT_MS
    for kind, n in types.items():
        count(name, n, times, f"saves failed with {kind}",
              expected=times if kind == "DatabaseFailure" else None)
    if "DatabaseFailure" not in types:
        SURPRISES.append(f"{name}: no save failed with DatabaseFailure: {types}")
    count(name, said, times, "messages say 其他人正在保存", expected=times)
    count(name, saved_after, times, "saved once (and only once) after the lock was let go", expected=times)
    say(f"{name}: waited {min(waits):.2f}-{max(waits):.2f} s before failing "
        f"(median {statistics.median(waits):.2f} s; the configured limit is {limit / 1000:.1f} s)")
    for message in messages:
        say(f"    message ({len(message)} characters): {message}")


# --- 4. the backend killed mid-save ---------------------------------------------------------


def probe_killed_backend(url: str, database, times: int) -> None:
    from sqlalchemy import create_engine, event, text
    from sqlalchemy.engine import make_url


    name = "raw error length [postgresql]"
    customer = "欧阳娜娜"
    policies = Policies(database)
    admin = create_engine(make_url(url), isolation_level="AUTOCOMMIT")
    terminated = 0

    def kill_own_backend(connection, _cursor, statement, *_args) -> None:
        nonlocal terminated
        if statement.lstrip().upper().startswith("INSERT INTO REQUEST "):
            pid = connection.connection.dbapi_connection.info.backend_pid
            with admin.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            terminated += 1

    caught_types: dict[str, int] = {}
    clean = nothing_stored = saved_on_retry = 0
    shown: list[str] = []
    for _ in range(times):
        policy_id, period_id = policies.fresh(customer)
        new = new_request(policy_id)
        event.listen(database.engine, "before_cursor_execute", kill_own_backend)
        try:
            error = attempt(database, new)
        finally:
            event.remove(database.engine, "before_cursor_execute", kill_own_backend)
        kind = "none (saved)" if error is None else type(error).__name__
        if error is not None and hasattr(error, "kind"):
            kind += f" ({error.kind})"
        caught_types[kind] = caught_types.get(kind, 0) + 1
        if error is not None:
            message = str(error)
            leaks = [w for w in (*RAW_WORDS, customer) if w in message]
            clean += not leaks
            raw = error.__context__ or error.__cause__
            line = (f"caller gets {type(error).__name__}, {len(message)} characters, "
                    f"INSERT {'yes' if 'INSERT' in message else 'no'}, "
                    f"SELECT {'yes' if 'SELECT' in message else 'no'}, "
                    f"customer's name {'yes' if customer in message else 'no'}: {message}")
            if raw is not None:
                raw_text = str(raw)
                line += (f"\n    (the driver's error behind it, for the log only: {type(raw).__name__}, "
                         f"{len(raw_text)} characters, INSERT {'yes' if 'INSERT' in raw_text else 'no'}, "
                         f"customer's name {'yes' if customer in raw_text else 'no'})")
            if line.split(":")[0] not in {s.split(":")[0] for s in shown}:
                shown.append(line)
        nothing_stored += uses_stored(database, period_id) == 0
        retry(name, "the kill", database, new)
        saved_on_retry += uses_stored(database, period_id) == 1
    admin.dispose()
    if terminated != times:
        SURPRISES.append(f"{name}: the backend was terminated {terminated} times in {times} saves")
    for kind, n in caught_types.items():
        count(name, n, times, f"saves ended with {kind}")
        if not kind.startswith("DatabaseFailure"):
            SURPRISES.append(f"{name}: {n} of {times} saves ended with {kind}")
    count(name, clean, times, "messages free of INSERT, SELECT and the customer's name", expected=times)
    count(name, nothing_stored, times, "saves left nothing stored", expected=times)
    count(name, saved_on_retry, times, "saved once on retry with the same request", expected=times)
    for line in shown:
        say(f"    {line}")


# --- the run --------------------------------------------------------------------------------


def guarded(title: str, probe, *args) -> float:
    """Run one probe and return its time; a probe that breaks is reported, the rest go on."""
    started = time.perf_counter()
    try:
        probe(*args)
    except Exception:  # noqa: BLE001 - a broken probe is a finding, not the end of the run
        text = traceback.format_exc()
        say(text)
        SURPRISES.append(f"{title} broke off: {text.strip().splitlines()[-1]}")
    say()
    return time.perf_counter() - started


def run_backend(backend: str, work: Path, pg_url: str, rounds: int, few: int,
                filers: Filers) -> dict[str, float]:
    from desk.use_cases.database import open_database

    timings: dict[str, float] = {}
    pg_name = None
    if backend == "sqlite":
        url = f"sqlite:///{work / 'quota.sqlite3'}"
    else:
        url, pg_name = create_scratch_database(pg_url, "desk_probe")
        say(f"[postgresql] database {pg_name}")
    try:
        database = open_database(url, auto_upgrade=True)
        try:
            title = f"probe 2 [{backend}]"
            timings[title] = guarded(title, probe_last_use, backend, url, database, rounds, filers)
            title = f"probe 3 [{backend}]"
            timings[title] = guarded(title, probe_lock, backend, url, database, few)
            if backend == "postgresql":
                title = "probe 4 [postgresql]"
                timings[title] = guarded(title, probe_killed_backend, url, database, few)
        finally:
            database.close()
    finally:
        if pg_name is not None:
            drop_scratch_database(pg_url, pg_name)
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--rounds", type=int, default=40,
                        help="rounds of probes 1 and 2 (probes 3 and 4 run rounds/10 times, at least once)")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)
    rounds = max(1, args.rounds)
    few = max(1, math.ceil(rounds / 10))
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]

    work = Path(tempfile.mkdtemp(prefix="desk_fault_probes_"))
    # Before desk is imported: the fault log goes to the work folder, messages in Chinese.
    os.environ["XDG_DATA_HOME"] = str(work / "xdg")
    os.environ.pop("DESK_DATABASE_URL", None)
    os.environ.pop("DESK_LANG", None)
    say(f"work folder {work}; {os.cpu_count()} cores; rounds {rounds} (probes 3 and 4: {few})")
    say()
    began = time.perf_counter()
    timings: dict[str, float] = {}
    try:
        if "sqlite" in backends:
            timings["probe 1 [sqlite]"] = guarded("probe 1 [sqlite]", probe_first_start, work, rounds)
        else:
            say("first start killed: skipped (SQLite only)")
            say()
        filers = Filers()
        timings["20 worker processes up"] = filers.startup
        say(f"{FILERS} worker processes (spawn) up in {filers.startup:.1f} s")
        say()
        try:
            for backend in backends:
                timings.update(run_backend(backend, work, args.pg_url, rounds, few, filers))
        finally:
            filers.stop()
        if "postgresql" not in backends:
            say("raw error length: skipped (PostgreSQL only)")
    finally:
        if args.keep:
            say(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    elapsed = time.perf_counter() - began

    say("=" * 78)
    say("summary")
    for line in LINES:
        say(f"  {line}")
    say("time: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()) + f"; total {elapsed:.1f} s")
    if SURPRISES:
        say("not as expected:")
        for surprise in SURPRISES:
            say(f"  - {surprise}")
    else:
        say("everything as expected")
    shown = Path(sys.executable)
    with_venv = os.path.relpath(shown) if shown.is_relative_to(Path.cwd()) else str(shown)
    say(f"command: {shlex.join([with_venv, *sys.argv])}")
    say(f"settings: --backend {args.backend} --rounds {rounds} --pg-url {args.pg_url}")
    return 1 if SURPRISES else 0


if __name__ == "__main__":
    sys.exit(main())
