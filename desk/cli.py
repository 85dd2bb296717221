"""The ``desk`` command line: the TUI by default, plus database, demo and import commands.

The TUI itself lives in ``screens``, which imports this module, never the other way:
``screens.main`` passes its launcher in as ``open_tui``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from desk.errors import DeskError

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

    importing = commands.add_parser("import", help="import an export of the policy system")
    import_kinds = importing.add_subparsers(dest="import_kind", metavar="KIND", required=True)
    for kind, what in (("customers", "customers (binding data)"), ("policies", "policies")):
        sub = import_kinds.add_parser(kind, help=f"import {what} from a CSV file")
        sub.add_argument("file", type=Path, metavar="FILE.csv")
        sub.add_argument(
            "--skip-bad",
            action="store_true",
            help="import the good rows even if some rows are bad (default: import nothing)",
        )
    return parser


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

    run = import_customers if args.import_kind == "customers" else import_policies
    database = open_database(args.db)
    report = run(database, args.file, skip_bad=args.skip_bad)
    for problem in report.problems:
        print(problem.describe(), file=sys.stderr)
    print(report.summary())
    return 0 if report.ok else 1


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "db": _db,
    "demo": _demo,
    "import": _import,
}
