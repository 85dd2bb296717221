"""The same call over a real SSH connection: sshd on 127.0.0.1, a key made for the test.

The server runs as whoever runs the tests (root in CI: sshd then logs in root by key only,
``PermitRootLogin prohibit-password``), from a config written into tmp: its own host key,
authorized keys, pid file and port. tmux runs ``ssh -t`` as an agent's terminal would; the
terminal type reaches desk through the pty request, the rest through ``env`` in the command.
"""

from __future__ import annotations

import getpass
import os
import shlex
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.terminal import STAGE, Terminal, desk_command, need
from tests.e2e.walk import (
    Caller,
    check_queue_states_in_words,
    look_up_and_verify,
    make_demo,
    make_one_due_soon,
    pick_caller,
    sign_in,
)

SSHD = "/usr/sbin/sshd"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def sshd(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """A running sshd for this test and the client key it accepts; stopped afterwards."""
    daemon = need("sshd", SSHD)
    keygen = need("ssh-keygen")
    keys = tmp_path / "ssh"
    keys.mkdir(mode=0o700)
    for name in ("host", "client"):
        subprocess.run([keygen, "-q", "-t", "ed25519", "-N", "", "-f", str(keys / name)], check=True, timeout=STAGE)
    shutil.copyfile(keys / "client.pub", keys / "authorized_keys")
    if os.geteuid() == 0:
        # Root's sshd wants its privilege-separation directory, absent until the service ran once.
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    port = free_port()
    config = keys / "sshd_config"
    config.write_text("\n".join([
        f"Port {port}", "ListenAddress 127.0.0.1", f"HostKey {keys / 'host'}",
        f"AuthorizedKeysFile {keys / 'authorized_keys'}", f"PidFile {keys / 'sshd.pid'}",
        "StrictModes no", "UsePAM no", "PasswordAuthentication no", "KbdInteractiveAuthentication no",
        "PermitRootLogin prohibit-password", f"AllowUsers {getpass.getuser()}", "LogLevel ERROR", "",
    ]), encoding="utf-8")
    log = keys / "sshd.log"
    server = subprocess.Popen([daemon, "-D", "-e", "-f", str(config)], stdout=subprocess.DEVNULL,
                              stderr=log.open("w"))
    try:
        deadline = time.monotonic() + STAGE
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"sshd did not start: {log.read_text(errors='replace')}") from None
                time.sleep(0.05)
        yield port, keys / "client"
    finally:
        server.terminate()
        server.wait(timeout=STAGE)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Caller]:
    url = make_demo(tmp_path_factory.mktemp("e2e-ssh-demo"))
    make_one_due_soon(url)
    return url, pick_caller(url)


def test_a_call_over_ssh_reads_in_text(sshd: tuple[int, Path], demo: tuple[str, Caller], tmp_path: Path) -> None:
    port, key = sshd
    client = need("ssh")
    url, caller = demo
    # TERM is not in the remote command: ssh -t carries the client's, as for a real agent.
    remote = desk_command(url, {"NO_COLOR": "1", "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "xdg"),
                                "DESK_AGENT": "agent01", "TEXTUAL_FPS": "20"})
    remote = remote.replace("env -i ", "env -i TERM=\"$TERM\" ", 1)
    ssh = shlex.join([client, "-F", "/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                      "-o", "LogLevel=ERROR", "-o", "BatchMode=yes", "-i", str(key), "-p", str(port), "-t",
                      "127.0.0.1", remote])
    terminal = Terminal(f"env TERM=xterm-256color {ssh}", work=tmp_path)
    try:
        sign_in(terminal)
        look_up_and_verify(terminal, caller)
        terminal.press("w")
        terminal.wait_for(f"结束通话：{caller.name}")
        terminal.press("C-s")
        terminal.wait_for("打开并核身", "f2 待办队列")
        terminal.press("F2")
        terminal.wait_for("筛选：服务=全部")
        check_queue_states_in_words(terminal)
    finally:
        terminal.close()
