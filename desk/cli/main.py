"""The ``desk`` command line: the TUI by default, plus database, demo, import and request
listing commands.

The TUI itself lives in ``screens``, which imports this module, never the other way:
``screens.main`` passes its launcher in as ``open_tui``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from desk.cli import serve as serving
from desk.cli import sync_command as syncing
from desk.errors import DeskError
from desk.rules.free_text import printable
from desk.rules.roles import Role
from desk.texts.labels import t

if TYPE_CHECKING:
    from desk.use_cases.database import Database
    from desk.use_cases.request_listing import CustomerRequests, OpenStep

# (database URL, login to offer at sign-in) -> exit status
OpenTui = Callable[[str | None, str | None], int]

# argparse's own messages (Python 3.11), to be said again in the UI language.
_ARGUMENT = re.compile(r"argument (?P<name>.+?): (?P<problem>.*)", re.DOTALL)
_ARGUMENT_PROBLEMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"invalid choice: (?P<value>.*) \(choose from (?P<choices>.*)\)"), "cli.invalid_choice"),
    (re.compile(r"expected one argument"), "cli.expected_one"),
    (re.compile(r"ignored explicit argument (?P<value>.*)"), "cli.no_value_taken"),
    (re.compile(r"invalid \S+ value: (?P<value>.*)"), "cli.invalid_value"),
    (re.compile(r"not allowed with argument (?P<other>.*)"), "cli.not_allowed_with"),
)
_PARSER_PROBLEMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"the following arguments are required: (?P<names>.*)"), "cli.required"),
    (re.compile(r"one of the arguments (?P<names>.*) is required"), "cli.one_of_required"),
    (re.compile(r"unrecognized arguments: (?P<names>.*)"), "cli.unrecognized"),
)


def named_list(names: Iterable[str]) -> str:
    """Choices as the UI language lists them: "table、csv、json" or "table, csv, json"."""
    return t("cli.list_separator").join(names)


def _said(message: str, patterns: Sequence[tuple[re.Pattern[str], str]]) -> str | None:
    for pattern, key in patterns:
        match = pattern.fullmatch(message)
        if match is not None:
            values = match.groupdict()
            if "choices" in values:
                # argparse lists them as repr()s: 'table', 'csv', 'json'.
                values["choices"] = named_list(c.strip().strip("'") for c in values["choices"].split(","))
            return t(key, **values)
    return None


def said_in_ui_language(message: str) -> str:
    """An argparse error message in the UI language; one it does not know, as it is.

    Messages raised by our own ``type=`` functions are already in the UI language.
    """
    argument = _ARGUMENT.fullmatch(message)
    if argument is not None:
        problem = argument["problem"]
        return t("cli.argument", name=argument["name"],
                 problem=_said(problem, _ARGUMENT_PROBLEMS) or problem)
    return _said(message, _PARSER_PROBLEMS) or message


class DeskArgumentParser(argparse.ArgumentParser):
    """argparse, answering in the UI language: its own messages are English only.

    The subcommands' parsers are of this class too (``add_subparsers`` uses the class of
    the parser it is called on).
    """

    def format_usage(self) -> str:
        usage = super().format_usage()
        return t("cli.usage_prefix") + usage.removeprefix("usage: ")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: {t('cli.error', problem=said_in_ui_language(message))}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = DeskArgumentParser(
        prog="desk",
        description="desk: 健康关爱增值服务坐席工作台 (hotline service desk). "
        "Without a command it opens the terminal UI.",
        epilog="Signing in: queue, requests, audit, import, calendar import and agent act as a "
        "signed-in agent. The login is --agent LOGIN (before the command), else $DESK_AGENT, "
        "else your system user; the password is $DESK_PASSWORD, else asked at the terminal "
        "(not echoed). Every sign-in, and every refusal, is in the audit log.",
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        help="database URL (default: $DESK_DATABASE_URL, else the embedded SQLite file), "
        "e.g. postgresql://user@host:5432/desk",
    )
    # Not "agent": `desk audit --agent LOGIN` is a filter, and its dest must stay its own.
    parser.add_argument(
        "--agent",
        dest="sign_in_login",
        metavar="LOGIN",
        help="sign in as LOGIN (default: $DESK_AGENT, else your system user); the password is "
        "$DESK_PASSWORD, else asked at the terminal",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_commands.add_parser("upgrade", help="migrate the schema to this version and load reference data")
    db_commands.add_parser("status", help="show the database and its schema version")

    demo = commands.add_parser("demo", help="fill the database with realistic demo data")
    demo.add_argument("--customers", type=_positive_int, default=2000, metavar="N")
    demo.add_argument("--seed", type=int, default=20261124)

    importing = commands.add_parser("import", help="import an export (policy system, WeChat self-service; "
                                    "supervisors and admins, signed in; audited)")
    import_kinds = importing.add_subparsers(dest="import_kind", metavar="KIND", required=True)
    for kind, what in (
        ("customers", "customers (binding data)"),
        ("policies", "policies"),
        ("requests", "requests from the WeChat self-service channel"),
        ("family", "family members of the insured (name, relation, ID)"),
    ):
        sub = import_kinds.add_parser(kind, help=f"import {what} from a CSV file")
        sub.add_argument("file", type=Path, metavar="FILE.csv")
        sub.add_argument(
            "--skip-bad",
            action="store_true",
            help="import the good rows even if some rows are bad (default: import nothing)",
        )

    requests = commands.add_parser("requests", help="list a customer's requests, newest first (supervisors and "
                                   "admins, signed in; audited export)")
    requests.add_argument(
        "--customer",
        required=True,
        metavar="ID_NUMBER_OR_POLICY_NUMBER",
        help="the customer's ID number, or a policy number of which they are the insured",
    )
    requests.add_argument("--format", choices=("table", "json"), default="table")
    requests.add_argument(
        "--all", action="store_true", dest="show_all", help="every request, not only the latest 20"
    )
    _full_numbers_arguments(requests, "the customer's full ID number")
    queue = commands.add_parser("queue", help="the pending-SLA queue, soonest due first (supervisors and admins, "
                                "signed in; audited export)")
    queue.add_argument("--format", choices=("table", "csv", "json"), default="table")
    queue.add_argument("--overdue", action="store_true", help="only the overdue rows")
    queue.add_argument("--service", metavar="CODE", help="one service (escort, admission, smoking, "
                       "advance_claim) or complaint")
    queue.add_argument("--step", metavar="CODE", help="one step (eligibility, booking, decision, ...)")
    queue.add_argument("--now", type=_start_time, metavar='"YYYY-MM-DD HH:MM"',
                       help="as of this time (default: now, China time)")
    _full_numbers_arguments(queue, "id_number and mobile columns with each customer's full numbers")
    audit = commands.add_parser("audit", help="the audit log, oldest first (supervisors and admins, signed in; "
                                "the reading is audited too)")
    audit.add_argument("--since", type=_since, metavar='"YYYY-MM-DD[ HH:MM]"', help="only events from then on")
    audit.add_argument("--agent", metavar="LOGIN", help="only what this agent did (a filter: to sign in as "
                       "someone, put --agent before the command)")
    audit.add_argument("--action", metavar="ACTION", help="only this action (reveal_id, export_queue, ...)")
    audit.add_argument("--format", choices=("table", "csv", "json"), default="table")
    calendar = commands.add_parser("calendar", help="the working-day calendar (holidays, make-up days)")
    calendar_commands = calendar.add_subparsers(dest="calendar_command", metavar="ACTION", required=True)
    calendar_import = calendar_commands.add_parser(
        "import", help="add or change days from a CSV file (date,kind,name) and recompute open deadlines "
        "(supervisors and admins, signed in: desk --agent LOGIN calendar import ...)"
    )
    calendar_import.add_argument("file", type=Path, metavar="FILE.csv")
    calendar_list = calendar_commands.add_parser("list", help="the exceptions to Monday-Friday")
    calendar_list.add_argument(
        "--year", type=_year, metavar="YYYY", help="one year (default: this year and every later one held)"
    )
    sla = commands.add_parser("sla", help="the SLA clock")
    sla_commands = sla.add_subparsers(dest="sla_command", metavar="ACTION", required=True)
    due = sla_commands.add_parser("due", help="when a step started at a time is due (the app's own clock)")
    due.add_argument("--from", dest="start", required=True, type=_start_time, metavar='"YYYY-MM-DD HH:MM"')
    limit = due.add_mutually_exclusive_group(required=True)
    limit.add_argument("--working-days", type=_positive_int, metavar="N")
    limit.add_argument("--days", type=_positive_int, metavar="N", help="calendar days (claims, complaints)")
    _agent_parsers(commands)
    serving.add_parser(commands)
    syncing.add_parser(commands)
    return parser


def _agent_parsers(commands: Any) -> None:
    agent = commands.add_parser("agent", help="agent accounts (admins, signed in; the first admin may be added "
                                "by anyone, without signing in)")
    agent_commands = agent.add_subparsers(dest="agent_command", metavar="ACTION", required=True)
    add = agent_commands.add_parser("add", help="add an agent with a password (asked twice)")
    add.add_argument("login", metavar="LOGIN")
    add.add_argument("--name", required=True, metavar="NAME")
    add.add_argument("--role", choices=[role.value for role in Role], default="agent")
    passwd = agent_commands.add_parser("passwd", help="set an agent's password (also lifts a lock)")
    passwd.add_argument("login", metavar="LOGIN")
    for sub in (add, passwd):
        sub.add_argument("--password-stdin", action="store_true",
                         help="read the new password from the first line of standard input (scripts); "
                         "your own sign-in password then comes from $DESK_PASSWORD")


def _full_numbers_arguments(sub: argparse.ArgumentParser, what: str) -> None:
    sub.add_argument("--full-numbers", action="store_true",
                     help=f"show {what} instead of masked ones (needs --reason; audited)")
    sub.add_argument("--reason", metavar="TEXT", help="why the full numbers are needed (kept in the audit log)")


def _full_numbers_reason(args: argparse.Namespace) -> str | None:
    """The reason for full numbers, or None for masked ones; refused before signing in."""
    if not args.full_numbers:
        if args.reason is not None:
            # A reason with masked output would log a justification for nothing shown.
            raise DeskError(t("cli.reason_without_full_numbers"))
        return None
    if not (args.reason or "").strip():
        raise DeskError(t("cli.full_numbers_reason"))
    return str(args.reason)


def _start_time(value: str) -> datetime:
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        raise argparse.ArgumentTypeError(t("cli.bad_time", value=repr(value))) from None


def _since(value: str) -> datetime:
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(value.strip(), pattern)
        except ValueError:
            pass
    raise argparse.ArgumentTypeError(t("cli.bad_since", value=repr(value)))


def _year(value: str) -> int:
    try:
        year = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(t("cli.bad_year", value=repr(value))) from None
    if not 1900 <= year <= 2999:
        raise argparse.ArgumentTypeError(t("cli.bad_year", value=repr(value)))
    return year


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(t("cli.not_whole_number", value=repr(value))) from None
    if number < 1:
        raise argparse.ArgumentTypeError(t("cli.at_least_one"))
    return number


def main(argv: Sequence[str] | None = None, open_tui: OpenTui | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command is None:
            if open_tui is None:
                print("desk: the terminal UI is not available here", file=sys.stderr)
                return 2
            return open_tui(args.db, args.sign_in_login)
        status = _COMMANDS[args.command](args)
        # A pipe buffers the output: flush here, where a closed reader can still be
        # caught, rather than at interpreter exit, where it can only be reported.
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        return _reader_gone()
    except DeskError as error:
        # A message may quote stored or imported text: inert, like every table.
        print(f"desk: {printable(str(error), keep_breaks=True)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("desk: interrupted; nothing half-written was kept", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - the one boundary: a reference, not a traceback
        from desk.use_cases.fault_log import unexpected

        print(f"desk: {unexpected(error)}", file=sys.stderr)
        return 1


# What a shell reports for a writer ended by SIGPIPE (128 + 13), so `set -o pipefail`
# still tells a cut-short listing from a whole one.
SIGPIPE_STATUS = 141


def _reader_gone() -> int:
    """`desk queue | head`: the reader has what it wanted; stop without a traceback.

    Whatever is still buffered would be flushed again at exit and fail again, so stdout
    is pointed at the null device first (the recipe of the Python signal docs). Anything
    the command wrote to the database is already committed: output comes last.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass  # stdout without a file descriptor (a test's capture): nothing left to flush
    return SIGPIPE_STATUS


def _db(args: argparse.Namespace) -> int:
    from db.schema import current_revision, head_revision
    from desk.use_cases.database import (
        connect,
        prepare_embedded_file,
        resolve_database_url,
        upgrade_and_load,
    )

    if args.db_command == "upgrade":
        # An embedded file half made by a killed first start is set aside first, as any
        # start would: migrating it in place is what cannot be done.
        # Resolved once: resolving the embedded default also tightens the data directory.
        url = resolve_database_url(args.db)
        for notice in prepare_embedded_file(url):
            print(f"desk: {notice}", file=sys.stderr)
        database = connect(url)
        moved = upgrade_and_load(database)
        revision = current_revision(database.engine)
        print(f"{database.shown_url}: schema {revision}" + (" (upgraded)" if moved else " (already current)"))
        return 0
    database = connect(args.db)
    revision = current_revision(database.engine)
    state = "current" if revision == head_revision() else f"needs upgrade to {head_revision()}"
    print(f"{database.shown_url}: schema {revision or 'none'} ({state})")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from desk.demo.generator import DEMO_PASSWORD, generate_demo
    from desk.use_cases.database import open_database

    database = _opened(open_database(args.db))
    report = generate_demo(database, customers=args.customers, seed=args.seed, progress=_progress)
    print(report.summary())
    print(t("demo.password", password=DEMO_PASSWORD))
    return 0


def _opened(database: Database) -> Database:
    """The database, once what opening it repaired has been said on stderr."""
    for notice in database.notices:
        print(f"desk: {notice}", file=sys.stderr)
    return database


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _import(args: argparse.Namespace) -> int:
    from desk.cli.signing_in import signed_in
    from desk.use_cases.database import open_database
    from desk.use_cases.import_runs import run_import
    from desk.use_cases.request_import import RequestImportReport

    database = _opened(open_database(args.db))
    try:
        agent = signed_in(database, args.sign_in_login)
        report = run_import(database, args.import_kind, args.file, agent=agent, skip_bad=args.skip_bad)
    finally:
        database.close()
    # Skipped duplicates of a request import are said too, so a re-import explains why
    # nothing was new.
    reported = report.reported() if isinstance(report, RequestImportReport) else report.problems
    for problem in reported:
        print(problem.describe(), file=sys.stderr)
    print(report.summary())
    return 0 if report.ok else 1


def _requests(args: argparse.Namespace) -> int:
    from db.timestamps import china_now
    from desk.cli.signing_in import signed_in
    from desk.use_cases.database import open_database
    from desk.use_cases.request_listing import CustomerNotFound, export_requests

    reason = _full_numbers_reason(args)
    database = _opened(open_database(args.db))
    try:
        agent = signed_in(database, args.sign_in_login)
        with database.unit_of_work() as uow:
            # Customer data leaving the database: an audited export, as `desk queue` is.
            listing = export_requests(uow, args.customer, agent=agent, at=china_now(), output=args.format,
                                      show_all=args.show_all, full_numbers_reason=reason)
    except CustomerNotFound as error:
        print(f"desk: {printable(str(error))}", file=sys.stderr)
        return 1
    finally:
        database.close()
    if args.format == "json":
        print(json.dumps(_listing_json(listing), ensure_ascii=False, indent=2))
    else:
        print(_listing_table(listing))
    return 0


def _minute(at: datetime | None) -> str | None:
    from desk.texts.due import minute

    return minute(at) if at is not None else None


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


_REQUEST_COLUMNS = ("number", "service", "beneficiary", "channel", "state", "submitted", "counted", "due")


def _step_due(step: OpenStep) -> str:
    from desk.texts.due import due_text

    if step.due_at is None:
        return t("cli.due_on_visit_day")
    return due_text(step.due_at, step.calendar_unknown_after)


def _listing_json(listing: CustomerRequests) -> dict[str, Any]:
    return {
        "customer": {"name": listing.name, "id_number_masked": listing.id_number_masked,
                     **({"id_number": listing.id_number} if listing.id_number is not None else {})},
        "total": listing.total,
        "requests": [
            {
                "number": line.number,
                "service_code": line.service_code,
                "service_name": line.service_name_zh,
                "policy_number": line.policy_number,
                "beneficiary": line.beneficiary,
                "channel": line.channel,
                "state": line.state,
                "submitted_at": _minute(line.submitted_at),
                "counted_uses": line.counted_uses,
                "open_steps": [
                    {
                        "step": step.code, "name": step.name_zh, "due_at": _minute(step.due_at),
                        "calendar_unknown_after": _day(step.calendar_unknown_after),
                    }
                    for step in line.open_steps
                ],
            }
            for line in listing.requests
        ],
    }


def _listing_table(listing: CustomerRequests) -> str:
    from desk.rules.request_states import RequestState
    from desk.texts.labels import t
    from desk.texts.tables import aligned_table
    from desk.use_cases.request_listing import channel_label

    states = {state.value for state in RequestState}
    shown = len(listing.requests)
    more = t("cli.requests.more", shown=shown) if shown < listing.total else ""
    shown_number = printable(listing.id_number) if listing.id_number is not None else listing.id_number_masked
    title = t("cli.requests.title", name=printable(listing.name), id_number=shown_number,
              total=listing.total, more=more)
    if not listing.requests:
        return f"{title}\n{t('cli.requests.none')}"
    header = [t(f"cli.requests.column.{name}") for name in _REQUEST_COLUMNS]
    rows = [
        [
            line.number,
            f"{line.service_code} {line.service_name_zh}",
            line.beneficiary or "-",
            channel_label(line.channel),
            t(f"state.{line.state}") if line.state in states else line.state,
            _minute(line.submitted_at) or "",
            str(line.counted_uses),
            "；".join(f"{step.name_zh} {_step_due(step)}" for step in line.open_steps)
            or "-",
        ]
        for line in listing.requests
    ]
    return "\n".join([title, *aligned_table(header, rows)])



def _queue(args: argparse.Namespace) -> int:
    from db.timestamps import china_now
    from desk.cli.queue_report import render_csv, render_json, render_table
    from desk.cli.signing_in import signed_in
    from desk.rules.sla_status import SlaState
    from desk.use_cases.database import open_database
    from desk.use_cases.queue import QueueFilter, service_names, step_names
    from desk.use_cases.queue_export import export_queue

    services, steps = service_names(), step_names()
    if args.service and args.service not in services:
        raise DeskError(t("cli.unknown_service", code=args.service, choices=_coded(services)))
    if args.step and args.step not in steps:
        raise DeskError(t("cli.unknown_step", code=args.step, choices=_coded(steps)))
    queue_filter = QueueFilter(service=args.service, step=args.step,
                               state=SlaState.OVERDUE if args.overdue else None)
    now = args.now or china_now()
    reason = _full_numbers_reason(args)
    database = _opened(open_database(args.db))
    try:
        agent = signed_in(database, args.sign_in_login)
        with database.unit_of_work() as uow:
            export = export_queue(uow, agent=agent, now=now, queue_filter=queue_filter, at=china_now(),
                                  output=args.format, full_numbers_reason=reason)
    finally:
        database.close()
    numbers = export.numbers if export.full_numbers else None
    if args.format == "json":
        print(render_json(export.page, export.items, numbers))
    elif args.format == "csv":
        sys.stdout.write(render_csv(export.items, numbers))
    else:
        print(render_table(export.page, export.items, numbers))
    return 0


def _audit(args: argparse.Namespace) -> int:
    from db.timestamps import china_now
    from desk.cli.audit_report import render
    from desk.cli.signing_in import signed_in
    from desk.use_cases.audit_log import AuditFilter, read_audit_log
    from desk.use_cases.database import open_database

    audit_filter = AuditFilter(since=args.since, agent=args.agent, action=args.action)
    database = _opened(open_database(args.db))
    try:
        reader = signed_in(database, args.sign_in_login)
        with database.unit_of_work() as uow:
            lines = read_audit_log(uow, reader=reader.login, audit_filter=audit_filter, at=china_now(),
                                   output=args.format)
    finally:
        database.close()
    sys.stdout.write(render(lines, args.format))
    return 0


def _agent(args: argparse.Namespace) -> int:
    from db.timestamps import china_now
    from desk.cli.signing_in import signed_in, signing_in_login
    from desk.use_cases.database import open_database
    from desk.use_cases.sign_in import add_agent, set_password

    database = _opened(open_database(args.db))
    try:
        with database.unit_of_work() as uow:
            bootstrap = args.agent_command == "add" and args.role == Role.ADMIN and not uow.agents.has_active_admin()
        # The first admin of a database has no one to sign in as; add_agent decides again,
        # in its own transaction, so a race cannot make a second "first" admin.
        by = signing_in_login(args.sign_in_login) if bootstrap else signed_in(database, args.sign_in_login).login
        # Signed in first: a refused sign-in should not cost typing a new password twice.
        password = _new_password(args.password_stdin)
        with database.unit_of_work() as uow:
            if args.agent_command == "add":
                agent = add_agent(uow, login=args.login, name=args.name, role=args.role, password=password,
                                  by=by, at=china_now())
                print(t("agent.added", login=agent.login, role=t(f"role.{agent.role}")))
            else:
                agent = set_password(uow, login=args.login, password=password, by=by, at=china_now())
                print(t("agent.password_set", login=agent.login))
    finally:
        database.close()
    return 0


def _new_password(from_stdin: bool) -> str:
    """The password from stdin's first line, or typed twice at a prompt that does not echo."""
    import getpass

    try:
        if from_stdin:
            line = sys.stdin.readline()
            if not line:
                raise DeskError(t("cli.password_missing"))
            return line.removesuffix("\n").removesuffix("\r")
        first = getpass.getpass(t("cli.password_prompt"))
        if getpass.getpass(t("cli.password_again")) != first:
            raise DeskError(t("cli.password_mismatch"))
        return first
    except EOFError:
        raise DeskError(t("cli.password_missing")) from None


def _coded(names: dict[str, str]) -> str:
    """The codes to type, each with the name the agent knows it by."""
    return named_list(t("cli.code_named", code=code, name=name) for code, name in names.items())


def _calendar(args: argparse.Namespace) -> int:
    from desk.use_cases.database import open_database

    database = _opened(open_database(args.db))
    try:
        if args.calendar_command == "import":
            return _calendar_import(database, args)
        return _calendar_list(database, args)
    finally:
        database.close()


def _calendar_import(database: Database, args: argparse.Namespace) -> int:
    from db.timestamps import china_now
    from desk.cli.signing_in import signed_in
    from desk.use_cases.calendar_edits import import_calendar

    agent = signed_in(database, args.sign_in_login)
    with database.unit_of_work() as uow:
        read, report = import_calendar(uow, args.file, agent_id=agent.agent_id, at=china_now())
    for problem in read.problems:
        print(problem.describe(), file=sys.stderr)
    if report is None:
        print(t("cli.calendar_not_imported"))
        return 1
    print(report.summary())
    if report.known_until is not None:
        print(t("calendar.known_until", day=report.known_until.isoformat()))
    return 0


def _calendar_list(database: Database, args: argparse.Namespace) -> int:
    from db.timestamps import china_now
    from desk.texts.labels import t
    from desk.texts.tables import aligned_table
    from desk.use_cases.calendar_data import known_until, load_calendar_days

    with database.unit_of_work() as uow:
        if args.year is not None:
            years = [args.year]
        else:
            this_year = china_now().year
            years = sorted(year for year in uow.calendar.years() if year >= this_year)
        days = load_calendar_days(uow, years)
        known = known_until(uow)
    print(t("calendar.known_until", day=known.isoformat()) if known else t("calendar.known_none"))
    if not days:
        print(t("calendar.none"))
        return 0
    header = [t(f"calendar.col.{name}") for name in ("date", "weekday", "kind", "name")]
    rows = [
        [
            entry.day.isoformat(),
            t(f"calendar.weekday.{entry.day.weekday()}"),
            t(f"calendar.kind.{entry.kind}"),
            entry.name,
        ]
        for entry in days
    ]
    print("\n".join(aligned_table(header, rows)))
    return 0


def _sla(args: argparse.Namespace) -> int:
    from desk.rules.sla_clock import due_after_calendar_days, due_after_working_days
    from desk.use_cases.calendar_data import load_working_calendar
    from desk.use_cases.database import open_database

    if args.days:
        due = due_after_calendar_days(args.start, args.days)
    else:
        database = _opened(open_database(args.db))
        with database.unit_of_work() as uow:
            calendar = load_working_calendar(uow)
        database.close()
        due = due_after_working_days(args.start, args.working_days, calendar)
    print(_minute(due.at))
    if due.calendar_unknown_after:
        print(t("cli.calendar_unknown_after", day=due.calendar_unknown_after), file=sys.stderr)
    return 0


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "db": _db,
    "demo": _demo,
    "import": _import,
    "requests": _requests,
    "queue": _queue,
    "audit": _audit,
    "sla": _sla,
    "calendar": _calendar,
    "agent": _agent,
    "serve": serving.serve,
    "sync": syncing.run,
}
