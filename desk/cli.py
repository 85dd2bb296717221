"""The ``desk`` command line: the TUI by default, plus database, demo, import and request
listing commands.

The TUI itself lives in ``screens``, which imports this module, never the other way:
``screens.main`` passes its launcher in as ``open_tui``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desk.errors import DeskError

if TYPE_CHECKING:
    from desk.request_listing import CustomerRequests

OpenTui = Callable[[str | None], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="desk",
        description="desk: 健康关爱增值服务坐席工作台 (hotline service desk). "
        "Without a command it opens the terminal UI.",
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        help="database URL (default: $DESK_DATABASE_URL, else the embedded SQLite file), "
        "e.g. postgresql://user@host:5432/desk",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_commands.add_parser("upgrade", help="migrate the schema to this version and load reference data")
    db_commands.add_parser("status", help="show the database and its schema version")

    demo = commands.add_parser("demo", help="fill the database with realistic demo data")
    demo.add_argument("--customers", type=_positive_int, default=2000, metavar="N")
    demo.add_argument("--seed", type=int, default=20261124)

    importing = commands.add_parser("import", help="import an export (policy system, WeChat self-service)")
    import_kinds = importing.add_subparsers(dest="import_kind", metavar="KIND", required=True)
    for kind, what in (
        ("customers", "customers (binding data)"),
        ("policies", "policies"),
        ("requests", "requests from the WeChat self-service channel"),
    ):
        sub = import_kinds.add_parser(kind, help=f"import {what} from a CSV file")
        sub.add_argument("file", type=Path, metavar="FILE.csv")
        sub.add_argument(
            "--skip-bad",
            action="store_true",
            help="import the good rows even if some rows are bad (default: import nothing)",
        )

    requests = commands.add_parser("requests", help="list a customer's requests, newest first")
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
    sla = commands.add_parser("sla", help="the SLA clock")
    sla_commands = sla.add_subparsers(dest="sla_command", metavar="ACTION", required=True)
    due = sla_commands.add_parser("due", help="when a step started at a time is due (the app's own clock)")
    due.add_argument("--from", dest="start", required=True, type=_start_time, metavar='"YYYY-MM-DD HH:MM"')
    limit = due.add_mutually_exclusive_group(required=True)
    limit.add_argument("--working-days", type=_positive_int, metavar="N")
    limit.add_argument("--days", type=_positive_int, metavar="N", help="calendar days (claims, complaints)")
    return parser


def _start_time(value: str) -> datetime:
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a time as YYYY-MM-DD HH:MM: {value!r}") from None


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def main(argv: Sequence[str] | None = None, open_tui: OpenTui | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command is None:
            if open_tui is None:
                print("desk: the terminal UI is not available here", file=sys.stderr)
                return 2
            return open_tui(args.db)
        return _COMMANDS[args.command](args)
    except DeskError as error:
        print(f"desk: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("desk: interrupted; nothing half-written was kept", file=sys.stderr)
        return 130


def _db(args: argparse.Namespace) -> int:
    from db.schema import current_revision, head_revision
    from desk.database import connect, upgrade_and_load

    if args.db_command == "upgrade":
        database = connect(args.db)
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
    from desk.database import open_database
    from desk.demo import generate_demo

    database = open_database(args.db)
    report = generate_demo(database, customers=args.customers, seed=args.seed, progress=_progress)
    print(report.summary())
    return 0


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _import(args: argparse.Namespace) -> int:
    from desk.database import open_database
    from desk.importing import import_customers, import_policies

    database = open_database(args.db)
    try:
        if args.import_kind == "requests":
            from desk.request_import import import_requests

            request_report = import_requests(database, args.file, skip_bad=args.skip_bad)
            # Skipped duplicates are said too, so a re-import explains why nothing was new.
            reported = request_report.reported()
            report = request_report
        else:
            run = import_customers if args.import_kind == "customers" else import_policies
            report = run(database, args.file, skip_bad=args.skip_bad)
            reported = report.problems
    finally:
        database.close()
    for problem in reported:
        print(problem.describe(), file=sys.stderr)
    print(report.summary())
    return 0 if report.ok else 1


def _requests(args: argparse.Namespace) -> int:
    from desk.database import open_database
    from desk.request_listing import CustomerNotFound, list_requests

    database = open_database(args.db)
    try:
        with database.unit_of_work() as uow:
            listing = list_requests(uow, args.customer, show_all=args.show_all)
    except CustomerNotFound as error:
        print(f"desk: {error}", file=sys.stderr)
        return 1
    finally:
        database.close()
    if args.format == "json":
        print(json.dumps(_listing_json(listing), ensure_ascii=False, indent=2))
    else:
        print(_listing_table(listing))
    return 0


def _minute(at: datetime | None) -> str | None:
    return at.strftime("%Y-%m-%d %H:%M") if at is not None else None


def _listing_json(listing: CustomerRequests) -> dict[str, Any]:
    return {
        "customer": {"name": listing.name, "id_number_masked": listing.id_number_masked},
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
                    {"step": step.code, "name": step.name_zh, "due_at": _minute(step.due_at)}
                    for step in line.open_steps
                ],
            }
            for line in listing.requests
        ],
    }


def _listing_table(listing: CustomerRequests) -> str:
    from rich.cells import cell_len

    from desk.request_listing import CHANNEL_LABELS
    from desk.request_states import RequestState
    from desk.texts import t

    states = {state.value for state in RequestState}
    shown = len(listing.requests)
    more = f"，显示最近 {shown} 条（--all 显示全部）" if shown < listing.total else ""
    title = f"客户：{listing.name}  证件号码：{listing.id_number_masked}  共 {listing.total} 条申请{more}"
    if not listing.requests:
        return f"{title}\n暂无申请"
    header = ["申请号", "服务", "服务对象", "渠道", "状态", "提交时间", "计次", "待办时限"]
    rows = [
        [
            line.number,
            f"{line.service_code} {line.service_name_zh}",
            line.beneficiary or "-",
            CHANNEL_LABELS.get(line.channel, line.channel),
            t(f"state.{line.state}") if line.state in states else line.state,
            _minute(line.submitted_at) or "",
            str(line.counted_uses),
            "；".join(f"{step.name_zh} {_minute(step.due_at) or '就诊当天'}" for step in line.open_steps)
            or "-",
        ]
        for line in listing.requests
    ]
    # Chinese characters take two terminal columns: pad by cell width, never by len().
    widths = [max(cell_len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def aligned(cells: list[str]) -> str:
        padded = [cell + " " * (width - cell_len(cell)) for cell, width in zip(cells, widths, strict=True)]
        return "  ".join(padded).rstrip()

    return "\n".join([title, aligned(header), *(aligned(row) for row in rows)])



def _sla(args: argparse.Namespace) -> int:
    from desk.calendar_data import load_working_calendar
    from desk.database import open_database
    from desk.sla_clock import due_after_calendar_days, due_after_working_days

    if args.days:
        due = due_after_calendar_days(args.start, args.days)
    else:
        database = open_database(args.db)
        with database.unit_of_work() as uow:
            calendar = load_working_calendar(uow)
        database.close()
        due = due_after_working_days(args.start, args.working_days, calendar)
    print(due.at.strftime("%Y-%m-%d %H:%M"))
    if due.calendar_unknown_after:
        print(f"日历仅到 {due.calendar_unknown_after}，之后按周一至周五计算 "
              f"(calendar unknown after {due.calendar_unknown_after})", file=sys.stderr)
    return 0


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "db": _db,
    "demo": _demo,
    "import": _import,
    "requests": _requests,
    "sla": _sla,
}
