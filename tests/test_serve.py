"""`desk serve`: desk in a browser through textual-serve.

The refusals and the command line each session runs are checked as plain functions; one
test serves a demo database and signs in from headless Chromium, as staff would.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from desk.cli.main import main
from desk.cli.serve import (
    DATABASE_URL_ENV,
    TUI_MODULE,
    is_loopback,
    parse_port,
    public_url,
    remote_refusal,
    same_origin,
    session_command,
)
from desk.errors import DeskError
from desk.texts.labels import EN

DESK = Path(sys.executable).with_name("desk")
# CI sets one of these: there a missing Chromium fails the run instead of skipping it.
REQUIRED = any(os.environ.get(name, "") not in {"", "0"} for name in ("DESK_REQUIRE_E2E", "DESK_REQUIRE_PG"))
SECRET = "s3cr3t-Pa55"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("[::1]", True),
        ("::ffff:127.0.0.1", True),
        ("localhost", True),
        ("LOCALHOST", True),
        ("0.0.0.0", False),
        ("::", False),
        ("", False),
        ("192.168.1.20", False),
        ("10.0.0.5", False),
        ("desk.example.com", False),
    ],
)
def test_only_loopback_counts_as_this_machine(host, loopback):
    assert is_loopback(host) is loopback
    assert (remote_refusal(host, allow_remote=False) is None) is loopback
    # --allow-remote lets any of them through (with a warning, said by `serve`).
    assert remote_refusal(host, allow_remote=True) is None


@pytest.mark.parametrize("value", ["0", "65536", "-1", "abc", "80.5", ""])
def test_a_port_outside_1_to_65535_is_refused(value):
    with pytest.raises(DeskError):
        parse_port(value)


def test_a_port_in_range_is_taken():
    assert parse_port("8000") == 8000
    assert parse_port(" 65535 ") == 65535


def test_the_page_reaches_the_server_where_it_is_bound_or_through_the_proxy():
    assert public_url("127.0.0.1", 8000, None) == "http://127.0.0.1:8000"
    assert public_url("::1", 8000, None) == "http://[::1]:8000"
    assert public_url("0.0.0.0", 8000, "https://desk.example.com/") == "https://desk.example.com"
    for bad in ("desk.example.com", "ftp://desk.example.com", "https://desk.example.com/sub"):
        with pytest.raises(DeskError):
            public_url("0.0.0.0", 8000, bad)


def test_a_websocket_from_another_sites_page_is_refused():
    served = "http://127.0.0.1:8000"
    assert same_origin("http://127.0.0.1:8000", "127.0.0.1:8000", served)
    assert same_origin("https://desk.example.com", "desk.example.com", "https://desk.example.com")
    assert not same_origin("https://evil.example", "127.0.0.1:8000", served)
    assert same_origin(None, "127.0.0.1:8000", served)  # not a browser page: the sign-in decides


def test_a_url_without_a_password_goes_on_the_command_line_quoted():
    url = "sqlite:////tmp/a folder/it's here.sqlite3"
    session = session_command(url, python="/opt/py thon/bin/python")
    assert shlex.split(session.command) == ["/opt/py thon/bin/python", "-m", TUI_MODULE, "--agent", "", "--db", url]
    assert session.environment == {}


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://desk:{SECRET}@db.internal:5432/desk",
        f"postgresql+psycopg://desk@db.internal/desk?password={SECRET}",
        f"postgresql://desk@db.internal/desk?sslpassword={SECRET}",
        f"postgresql://desk:{SECRET}@[not a url",
    ],
)
def test_a_password_never_reaches_the_command_line(url):
    session = session_command(url)
    assert SECRET not in session.command
    assert "--db" not in shlex.split(session.command)
    assert session.environment == {DATABASE_URL_ENV: url}


def test_no_database_given_means_the_sessions_find_it_as_desk_does():
    session = session_command(None)
    # The login box starts empty: the server's user is no one's login in a browser.
    assert shlex.split(session.command)[1:] == ["-m", TUI_MODULE, "--agent", ""]
    assert session.environment == {}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::"])
def test_serving_beyond_this_machine_needs_allow_remote(host, capsys):
    assert main(["serve", "--host", host, "--port", str(_free_port())]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--allow-remote" in err


def test_allow_remote_warns_that_the_sign_in_is_the_only_gate(capsys, monkeypatch):
    monkeypatch.setattr("desk.cli.serve.t", lambda key, **values: EN[key].format(**values))
    # 192.0.2.1 (TEST-NET-1) is on no machine: the warning is said, then the bind fails.
    assert main(["serve", "--host", "192.0.2.1", "--allow-remote", "--port", str(_free_port())]) == 2
    warning, problem = capsys.readouterr().err.splitlines()
    assert "no authentication" in warning and "TLS reverse proxy" in warning
    assert problem.startswith("desk: cannot listen on 192.0.2.1")


@pytest.mark.parametrize("port", ["0", "70000", "http"])
def test_a_bad_port_is_one_line(port, capsys):
    assert main(["serve", "--port", port]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_a_port_in_use_is_one_line(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(port) in err


# --- served for real -------------------------------------------------------------------


def _serving(args: list[str], port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """`desk ... serve` in its own process group (the sessions' processes die with it),
    once it answers on ``port``."""
    with log.open("wb") as out:
        server = subprocess.Popen([str(DESK), *args, "serve", "--port", str(port)], env=env,
                                  stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"desk serve exited {server.returncode}: {log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.2)
    _stop(server)
    raise AssertionError(f"desk serve did not answer on {port}: {log.read_text()}")


def _stop(server: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    except ProcessLookupError:
        pass


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ, DESK_LANG="en", XDG_DATA_HOME=str(tmp_path / "xdg"))
    env.pop(DATABASE_URL_ENV, None)
    return env


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the sessions' command lines in /proc")
def test_a_session_gets_the_password_through_its_environment_only_and_other_sites_are_refused(tmp_path):
    from aiohttp import ClientSession, WSServerHandshakeError

    url = f"postgresql://desk:{SECRET}@127.0.0.1:9/desk"
    port = _free_port()
    log = tmp_path / "serve.log"
    server = _serving(["--db", url], port, _env(tmp_path), log)
    try:
        async def one_session() -> tuple[str, list[bytes], list[bytes]]:
            async with ClientSession() as http:
                page = await (await http.get(f"http://127.0.0.1:{port}/")).text()
                # Another site's page may not open a session on this one.
                with pytest.raises(WSServerHandshakeError) as refused:
                    await http.ws_connect(f"http://127.0.0.1:{port}/ws", origin="https://elsewhere.example")
                assert refused.value.status == 403
                async with http.ws_connect(f"http://127.0.0.1:{port}/ws?width=80&height=24"):
                    deadline = time.monotonic() + 30
                    while time.monotonic() < deadline:
                        sessions = [
                            pid for pid in _descendants(server.pid)
                            if TUI_MODULE.encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
                        ]
                        if sessions:
                            break
                        await asyncio.sleep(0.2)
                    cmdlines = [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in _descendants(server.pid)]
                    environs = [Path(f"/proc/{pid}/environ").read_bytes() for pid in sessions]
            return page, cmdlines, environs

        page, cmdlines, environs = asyncio.run(one_session())
    finally:
        _stop(server)
    assert environs, "no desk session was started"
    assert all(f"{DATABASE_URL_ENV}={url}".encode() in environ for environ in environs)
    assert not [line for line in cmdlines if SECRET.encode() in line]
    assert SECRET not in page
    assert SECRET not in log.read_text()


# xterm.js draws on a canvas: the text is read from its buffer, through the Terminal that
# textual-serve's page keeps as `this.terminal` (caught as it is set, before any script).
_CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, 'terminal', {
  configurable: true,
  set(value) {
    Object.defineProperty(this, 'terminal', {value, writable: true, configurable: true, enumerable: true});
    if (value && value.buffer) { window.deskTerminal = value; }
  },
});
"""
_SCREEN_TEXT = """
const term = window.deskTerminal;
if (!term) { return ''; }
const buffer = term.buffer.active, lines = [];
for (let i = 0; i < buffer.length; i++) { lines.push(buffer.getLine(i).translateToString(true)); }
return lines.join('\\n');
"""
# Where on the page the cell showing `arguments[0]` is, to click it.
_CELL_AT = """
const term = window.deskTerminal, buffer = term.buffer.active;
for (let row = 0; row < buffer.length; row++) {
  const column = buffer.getLine(row).translateToString(true).indexOf(arguments[0]);
  if (column >= 0) {
    const box = document.querySelector('.xterm-screen').getBoundingClientRect();
    return [box.left + (column + 0.5) * box.width / term.cols, box.top + (row + 0.5) * box.height / term.rows];
  }
}
return null;
"""


def _chromium() -> tuple[str, str]:
    browser, driver = shutil.which("chromium"), shutil.which("chromedriver")
    try:
        import selenium  # noqa: F401
    except ImportError:
        browser = None
    if browser is None or driver is None:
        message = "Chromium, chromedriver or selenium missing (apt-get install chromium chromium-driver)"
        if REQUIRED:
            pytest.fail(message + " (CI requires the browser test)")
        pytest.skip(message)
    return browser, driver


@pytest.fixture
def browser() -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver = _chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,800"):
        options.add_argument(argument)
    chrome = webdriver.Chrome(service=Service(driver), options=options)
    try:
        chrome.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _CATCH_TERMINAL})
        yield chrome
    finally:
        chrome.quit()


def _until_shown(chrome, text: str, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    screen = ""
    while time.monotonic() < deadline:
        screen = chrome.execute_script(_SCREEN_TEXT) or ""
        if text in screen:
            return screen
        time.sleep(0.3)
    raise AssertionError(f"{text!r} never shown; the page showed:\n{screen}")


def _demo_served(tmp_path, env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    """``desk serve`` on a small demo database: the server and its port."""
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    subprocess.run([str(DESK), "--db", url, "demo", "--customers", "50"], env=env, check=True,
                   capture_output=True, timeout=120)
    port = _free_port()
    return _serving(["--db", url], port, env, tmp_path / "serve.log"), port


def _sign_in_page(browser, port: int) -> tuple[str, object]:
    """The page's sign-in screen as shown, and the terminal's keyboard to type into."""
    from selenium.webdriver.common.by import By

    browser.get(f"http://127.0.0.1:{port}/")
    shown = _until_shown(browser, EN["sign_in.title"])
    keys = browser.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea")
    keys.send_keys("agent01")
    _until_shown(browser, "agent01")
    return shown, keys


def test_an_agent_signs_in_from_a_browser(tmp_path, browser):
    from selenium.webdriver.common.keys import Keys

    env = _env(tmp_path)
    # The server's own login must not be offered to whoever opens the page.
    env["DESK_AGENT"] = "someone"
    server, port = _demo_served(tmp_path, env)
    try:
        shown, keys = _sign_in_page(browser, port)
        assert "someone" not in shown
        # Password and Enter at once, as a paste sends them: the box takes every letter
        # before Enter is acted on.
        keys.send_keys(Keys.ENTER + "demo-desk-2026" + Keys.ENTER)
        screen = _until_shown(browser, EN["home.search_placeholder"])
    finally:
        _stop(server)
    # The lookup screen's status line: this session opened the database it was served.
    assert EN["db.ready"].format(url="desk.sqlite3") in screen
    assert "demo-desk-2026" not in screen


def test_tab_moves_from_login_to_password_in_a_browser(tmp_path, browser):
    """The browser must hand Tab to desk (the next box), not move its own focus off the
    terminal: a sign-in typed as login, Tab, password, Enter gets in."""
    from selenium.webdriver.common.keys import Keys

    server, port = _demo_served(tmp_path, _env(tmp_path))
    try:
        _shown, keys = _sign_in_page(browser, port)
        keys.send_keys(Keys.TAB)
        time.sleep(0.5)
        keys.send_keys("demo-desk-2026" + Keys.ENTER)
        screen = _until_shown(browser, EN["home.search_placeholder"])
    finally:
        _stop(server)
    assert "demo-desk-2026" not in screen
