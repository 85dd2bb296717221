"""The login the sign-in offers: read from the environment, no database needed.

Apart from ``desk.use_cases.agents`` so that the ``desk`` command can fill the sign-in's
login box without importing the database stack before its first frame.
"""

from __future__ import annotations

import getpass
import os

AGENT_ENV = "DESK_AGENT"


def current_login() -> str:
    """``DESK_AGENT`` if set (a shared terminal), else the operating-system user: the
    login to offer, never an identity by itself."""
    login = os.environ.get(AGENT_ENV, "").strip()
    if login:
        return login
    try:
        return getpass.getuser()
    except OSError:
        return "agent"
