"""The ``desk`` console command: the CLI of ``desk.cli.main`` with the TUI plugged in."""

from __future__ import annotations

import sys

IDLE_LOCK_ENV = "DESK_IDLE_LOCK_MINUTES"


def open_tui(database_url: str | None, login: str | None = None) -> int:
    """The terminal UI on its sign-in, offering ``login`` (``desk --agent``; empty: none),
    else the likely one."""
    import os

    from desk.rules.free_text import printable
    from desk.rules.sign_in import IDLE_LOCK_DEFAULT, IDLE_LOCK_MINUTES_RANGE, idle_lock_after
    from desk.texts.labels import t
    from desk.use_cases.login_offered import current_login
    from screens.app import DeskApp

    setting = os.environ.get(IDLE_LOCK_ENV)
    try:
        idle_lock = idle_lock_after(setting)
    except ValueError:
        low, high = IDLE_LOCK_MINUTES_RANGE
        print("desk: " + t("sign_in.bad_idle_lock", value=printable(setting or ""), low=low, high=high,
                           default=int(IDLE_LOCK_DEFAULT.total_seconds() // 60)), file=sys.stderr)
        return 2
    # The login box starts with the likely login; only the password lets anyone in.
    DeskApp(database_url=database_url, sign_in_as=current_login() if login is None else login.strip(), idle_lock=idle_lock,
            freeze_start_up=True).run()
    return 0


def main() -> int:
    from desk.cli.main import main as cli_main

    return cli_main(sys.argv[1:], open_tui=open_tui)


if __name__ == "__main__":
    sys.exit(main())
