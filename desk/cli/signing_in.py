"""The command line's sign-in: who runs a command that needs an agent, proven by a password.

The login is ``desk --agent LOGIN``, else ``$DESK_AGENT``, else the operating-system user.
The password is ``$DESK_PASSWORD`` (scripts, cron), else typed at a prompt that does not
echo. With no terminal to ask at and no ``$DESK_PASSWORD``, the command stops and says so
rather than hang on a pipe or read a password from the data being piped in.

Each command signs in afresh through ``desk.use_cases.sign_in``: every run is an audited
sign-in, a wrong password counts towards the lock, and a locked account stays locked here
as on screen. There is no session file to steal.
"""

from __future__ import annotations

import getpass
import os
import sys

from db.timestamps import china_now
from desk.errors import DeskError
from desk.texts.labels import t
from desk.use_cases.database import Database
from desk.use_cases.login_offered import current_login
from desk.use_cases.sign_in import SignedIn, sign_in

__all__ = ["PASSWORD_ENV", "signed_in", "signing_in_login"]

PASSWORD_ENV = "DESK_PASSWORD"


def signing_in_login(given: str | None) -> str:
    """The login to sign in as: ``--agent``, else ``$DESK_AGENT``, else the system user."""
    if given is not None and given.strip():
        return given.strip()
    return current_login()


def _password(login: str) -> str:
    password = os.environ.get(PASSWORD_ENV)
    if password:
        return password
    if not sys.stdin.isatty():
        raise DeskError(t("cli.sign_in_no_terminal", login=login))
    try:
        return getpass.getpass(t("cli.sign_in_prompt", login=login))
    except EOFError:
        raise DeskError(t("cli.sign_in_no_password")) from None


def signed_in(database: Database, given_login: str | None) -> SignedIn:
    """The agent at the keyboard, signed in (and the sign-in on record).

    Raises ``SignInRefused`` (a ``DeskError``: wrong password, locked, disabled) and
    ``DeskError`` when no password can be had.
    """
    login = signing_in_login(given_login)
    password = _password(login)
    with database.unit_of_work() as uow:
        return sign_in(uow, login, password, china_now())
