"""``desk sync``: a branch office's exchange with head office, its status, the conflicts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from desk.errors import DeskError
from desk.texts.labels import t


def add_parser(commands: Any) -> None:
    """``desk sync`` on the subcommands of ``desk``'s parser."""
    sync = commands.add_parser(
        "sync",
        help="exchange changes between this branch's database (--db) and head office's "
        "PostgreSQL; the first run copies the branch's customers (--region or --customers)",
    )
    sync.add_argument("--remote", metavar="URL",
                      help="head office's database (first sync; later runs reuse it, kept without its "
                      "password: use ~/.pgpass or $PGPASSWORD)")
    scope = sync.add_mutually_exclusive_group()
    scope.add_argument("--region", help="first sync: the customers of this region (as stored, e.g. 北京市朝阳区)")
    scope.add_argument("--customers", metavar="FILE", type=Path,
                       help="first sync: the customers whose ID numbers are listed in FILE, one per line")
    show = sync.add_mutually_exclusive_group()
    show.add_argument("--status", action="store_true",
                      help="what waits to go out, when the last sync ran, open conflicts; syncs nothing")
    show.add_argument("--conflicts", action="store_true",
                      help="the open sync conflicts (supervisors, signed in); syncs nothing")
    show.add_argument("--resolve", metavar="ID",
                      help="close the conflict whose id starts with ID (as --conflicts shows it), "
                      "with --note; supervisors, signed in")
    sync.add_argument("--note", default="", help="with --resolve: what was done about it (required)")
    sync.add_argument("--accept", action="store_true",
                      help="with --resolve on a quota conflict: let the request stand as an exception")


def run(args: argparse.Namespace) -> int:
    from db.timestamps import china_now
    from desk.cli.main import _opened
    from desk.use_cases.database import open_database

    database = _opened(open_database(args.db))
    try:
        if args.status:
            print(_status_line(database))
            return 0
        if args.conflicts:
            return _conflicts(database, args)
        if args.resolve:
            return _resolve(database, args, china_now())
        return _sync(database, args, china_now())
    finally:
        database.close()


def _status_line(database: Any) -> str:
    from desk.texts.due import minute
    from desk.use_cases.sync import branch_status

    status = branch_status(database)
    return t(
        "sync.status", role=t(f"sync.role.{status.role}"), remote=status.remote or "-",
        scope=_scope_text(status.scope), waiting=status.waiting,
        last=minute(status.last_sync_at) if status.last_sync_at else t("sync.never"),
        conflicts=status.open_conflicts,
    )


def _scope_text(scope: dict[str, Any]) -> str:
    if "region" in scope:
        return t("sync.scope_region", region=scope["region"])
    if "id_numbers" in scope:
        return t("sync.scope_list", count=len(scope["id_numbers"]))
    return t("sync.scope_all")


def _sync(database: Any, args: argparse.Namespace, at: Any) -> int:
    from desk.cli.signing_in import signed_in
    from desk.use_cases.sync import branch_status, parse_scope, sync_branch

    listed = None
    if args.customers is not None:
        try:
            listed = args.customers.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            raise DeskError(t("sync.customers_unreadable", path=str(args.customers), reason=str(error))) from None
    scope = parse_scope(args.region, listed)
    first = branch_status(database).role == ""
    if not first and (args.region or listed):
        raise DeskError(t("sync.scope_fixed"))
    # The first sync brings the agents: there is nobody to sign in as before it.
    agent = None if first else signed_in(database, args.sign_in_login)
    report = sync_branch(database, remote_url=args.remote, at=at, agent=agent, scope=scope,
                         announce=lambda line: print(line, file=sys.stderr, flush=True))
    print(report.summary())
    return 0


def _resolve(database: Any, args: argparse.Namespace, at: Any) -> int:
    from desk.cli.signing_in import signed_in
    from desk.use_cases.sync_conflicts import resolve_conflict

    agent = signed_in(database, args.sign_in_login)
    resolve_conflict(database, agent, args.resolve.strip(), args.note, accept=args.accept, at=at)
    print(t("sync.resolved", reference=args.resolve.strip()))
    return 0


def _conflicts(database: Any, args: argparse.Namespace) -> int:
    from desk.cli.signing_in import signed_in
    from desk.use_cases.sync_conflicts import open_conflict_lines

    agent = signed_in(database, args.sign_in_login)
    lines = open_conflict_lines(database, agent)
    print(t("sync.conflicts_title", count=len(lines)))
    for line in lines:
        print(line)
    return 0
