"""``desk serve``: the terminal UI in a browser, for staff without an SSH client.

textual-serve runs one command per browser session: here that command is this same desk
on its sign-in, so every session is its own desk process and signs in on its own. The
TUI is started as a command line, never imported: nothing in ``desk`` loads Textual.

textual-serve has no authentication of its own, so it listens on loopback unless told
otherwise (``--allow-remote``), and then only behind a TLS reverse proxy.
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
import os
import shlex
import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from desk.errors import DeskError
from desk.texts.labels import t

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DATABASE_URL_ENV = "DESK_DATABASE_URL"
# The module that is the ``desk`` console command: what each browser session runs.
TUI_MODULE = "screens.main"
PAGE_TITLE = "desk"


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the server reachable from this machine only.

    ``0.0.0.0``, ``::`` and an empty host bind every interface; any other name than
    ``localhost`` may resolve to anything, so it counts as remote.
    """
    name = host.strip().removeprefix("[").removesuffix("]").lower()
    if name in ("localhost", "localhost."):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    # ::ffff:127.0.0.1 is loopback too; Python 3.11 does not say so by itself.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def remote_refusal(host: str, allow_remote: bool) -> str | None:
    """Why binding ``host`` is refused, or None when it may go ahead."""
    if is_loopback(host) or allow_remote:
        return None
    return t("serve.remote_refused", host=host or '""')


def parse_port(value: str) -> int:
    """The TCP port ``value`` names; one line saying why not otherwise."""
    try:
        port = int(value.strip())
    except ValueError:
        raise DeskError(t("serve.bad_port", port=repr(value))) from None
    # 0 would be any free port: the page could not say where it is.
    if not 1 <= port <= 65535:
        raise DeskError(t("serve.bad_port", port=port))
    return port


def _holds_secret(database_url: str) -> bool:
    """Whether masking the URL hides anything (a password, a secret query parameter); one
    that cannot be read might hide one anywhere, so it counts too."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from db.engines import MASK, shown_url

    try:
        parsed = make_url(database_url)
    except (ArgumentError, ValueError):
        return True
    return parsed.password is not None or MASK in shown_url(parsed)


@dataclass(frozen=True)
class SessionCommand:
    """What each browser session runs: the shell command textual-serve shows in its log
    and page title, and what must reach the process through its environment instead."""

    command: str
    environment: Mapping[str, str] = field(default_factory=dict)


def session_command(database_url: str | None, python: str = sys.executable) -> SessionCommand:
    """desk's TUI on ``database_url``, with no password on its command line.

    A URL with a secret in it (or that cannot even be read) goes through ``DESK_DATABASE_URL``: the command line is in the
    server's log and in every process listing, an environment is its owner's alone.
    """
    # An empty login box: the server's own user is no one's login in a browser.
    command = [shlex.quote(python), "-m", TUI_MODULE, "--agent", "''"]
    if database_url is None:
        # The sessions inherit the server's own DESK_DATABASE_URL, or use the same
        # embedded file, as `desk` would.
        return SessionCommand(" ".join(command))
    if _holds_secret(database_url):
        return SessionCommand(" ".join(command), {DATABASE_URL_ENV: database_url})
    return SessionCommand(" ".join([*command, "--db", shlex.quote(database_url)]))


def public_url(host: str, port: int, given: str | None) -> str:
    """Where browsers reach the server: ``given`` (the reverse proxy's address), else the
    bound address. The page builds its websocket address (ws:// or wss://) from it."""
    if given is not None:
        parts = urlsplit(given.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
            raise DeskError(t("serve.bad_public_url", url=repr(given)))
        return f"{parts.scheme}://{parts.netloc}"
    name = host.strip().removeprefix("[").removesuffix("]")
    shown = f"[{name}]" if ":" in name else name
    return f"http://{shown}:{port}"


def check_can_listen(host: str, port: int) -> None:
    """Bind what the server will bind, and let go: a port in use is one line before the
    server prints anything, rather than a traceback after its banner."""
    try:
        addresses = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM,
                                       flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise DeskError(t("serve.cannot_listen", host=host, port=port, reason=error.strerror)) from None
    for family, kind, protocol, _name, address in addresses:
        with socket.socket(family, kind, protocol) as probe:
            # As aiohttp binds: a port left in TIME_WAIT by a stopped server is free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                probe.bind(address)
            except OSError as error:
                raise _listen_problem(host, port, error) from None


def _listen_problem(host: str, port: int, error: OSError) -> DeskError:
    if error.errno == errno.EADDRINUSE:
        return DeskError(t("serve.port_in_use", host=host, port=port))
    return DeskError(t("serve.cannot_listen", host=host, port=port,
                       reason=error.strerror or type(error).__name__))


def add_parser(commands: Any) -> None:
    """``desk serve`` on the subcommands of ``desk``'s parser."""
    serve = commands.add_parser(
        "serve",
        help="the terminal UI in a browser (textual-serve): each browser session is its own "
        "desk and signs in; loopback only unless --allow-remote",
    )
    serve.add_argument("--host", default=DEFAULT_HOST,
                       help=f"address to listen on (default: {DEFAULT_HOST}, this machine only)")
    # A string: a bad port is desk's one line, not argparse's usage text.
    serve.add_argument("--port", default=str(DEFAULT_PORT), metavar="N",
                       help=f"TCP port (default: {DEFAULT_PORT})")
    serve.add_argument(
        "--allow-remote", action="store_true",
        help="allow a --host other machines can reach; textual-serve has no authentication, "
        "so put a TLS reverse proxy in front",
    )
    serve.add_argument(
        "--public-url", metavar="URL",
        help="the address browsers use, e.g. https://desk.example.com behind a reverse proxy "
        "(default: http://HOST:PORT)",
    )


def serve(args: argparse.Namespace) -> int:
    """Serve desk's TUI to browsers until interrupted."""
    host: str = args.host
    port = parse_port(args.port)
    refusal = remote_refusal(host, args.allow_remote)
    if refusal is not None:
        raise DeskError(refusal)
    url = public_url(host, port, args.public_url)
    if not is_loopback(host):
        print(f"desk: {t('serve.remote_warning', host=host, port=port)}", file=sys.stderr, flush=True)
    check_can_listen(host, port)
    session = session_command(args.db)
    # textual-serve gives each session a copy of this process's environment.
    os.environ.update(session.environment)
    server = _server(session.command, host, port, url)
    try:
        server.serve()
    except OSError as error:
        # Taken between the check and the bind.
        raise _listen_problem(host, port, error) from None
    return 0


def _server(command: str, host: str, port: int, url: str) -> Any:
    # Loaded here: only `desk serve` needs aiohttp and textual-serve.
    from aiohttp import web
    from textual_serve.server import Server

    class DeskServer(Server):
        """textual-serve, saying desk's own line at start instead of its banner (which
        quotes the whole command), and refusing websockets opened by other sites' pages."""

        async def on_startup(self, app: web.Application) -> None:
            print(t("serve.listening", url=self.public_url), flush=True)

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            if not same_origin(request.headers.get("Origin"), request.host, self.public_url):
                raise web.HTTPForbidden(text="cross-origin websocket refused")
            return await super().handle_websocket(request)

    return DeskServer(command, host=host, port=port, title=PAGE_TITLE, public_url=url)


def same_origin(origin: str | None, host_header: str, served_at: str) -> bool:
    """Whether a websocket comes from desk's own page.

    Browsers send ``Origin`` with every websocket; without this check any page the agent
    visits could open a desk session on their loopback port. A client that sends no
    Origin is not a browser page, and is let through to the sign-in like any other.
    """
    if origin is None:
        return True
    netloc = urlsplit(origin).netloc.lower()
    return netloc in (host_header.lower(), urlsplit(served_at).netloc.lower())
