"""The ``desk`` console command: the CLI of ``desk.cli.main`` with the TUI plugged in."""

from __future__ import annotations

import sys


def open_tui(database_url: str | None) -> int:
    from screens.app import DeskApp

    DeskApp(database_url=database_url).run()
    return 0


def main() -> int:
    from desk.cli.main import main as cli_main

    return cli_main(sys.argv[1:], open_tui=open_tui)


if __name__ == "__main__":
    sys.exit(main())
