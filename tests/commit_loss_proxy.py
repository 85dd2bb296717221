"""A TCP proxy in front of PostgreSQL that can lose the answer to a COMMIT.

The fault it makes is the one idempotent writes exist for: the server receives the
COMMIT, commits, and answers, but the answer never reaches desk. Armed, the proxy lets a
client's ``COMMIT`` (psycopg sends it as a simple-protocol Query message, ``Q``) through
to the server, waits for the server's answer up to its ReadyForQuery (``Z``), so the
commit is certainly done, and then closes both sockets instead of passing the answer on.
The client sees a lost connection; the database holds the committed transaction.

In-process, threads and sockets only::

    with CommitLossProxy("127.0.0.1", 5432) as proxy:
        url = make_url(pg_url).set(host="127.0.0.1", port=proxy.port)
        proxy.arm()           # the next COMMIT through the proxy loses its answer
        ...
        assert proxy.dropped == 1

Disarmed, it forwards bytes both ways unchanged. ``go_down()`` plays the server going
away (every link cut, every new connection closed at once) until ``come_back()``. Connect with ``sslmode=disable`` and
``gssencmode=disable``: an encrypted stream cannot be read for its COMMIT.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from types import TracebackType

# Requests sent before the startup message: a length, a code, no type byte.
_UNTYPED_REQUEST_CODES = frozenset({80877102, 80877103, 80877104})  # cancel, SSL, GSS encryption
_CHUNK = 65536


class _Link:
    """One client connection and its connection to the server, piped both ways."""

    def __init__(self, proxy: CommitLossProxy, client: socket.socket, server: socket.socket) -> None:
        self.proxy = proxy
        self.client = client
        self.server = server
        # Set by the client side once an armed COMMIT went to the server: from then on the
        # server side swallows the answer and closes the link after its ReadyForQuery.
        self.losing_answer = threading.Event()
        self.closed = threading.Event()

    def start(self) -> None:
        for target in (self._client_to_server, self._server_to_client):
            threading.Thread(target=target, daemon=True, name=f"commit-loss-{target.__name__}").start()

    def close(self) -> None:
        if self.closed.is_set():
            return
        self.closed.set()
        for sock in (self.client, self.server):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _client_to_server(self) -> None:
        buffer = b""
        started = False  # past the startup message: every message has a type byte
        try:
            while not self.closed.is_set():
                data = self.client.recv(_CHUNK)
                if not data:
                    break
                buffer += data
                while True:
                    message, buffer, started = _next_client_message(buffer, started)
                    if message is None:
                        break
                    if _is_commit(message) and self.proxy.take_arm():
                        # Before the send: the answer may come back before sendall returns.
                        self.losing_answer.set()
                    self.server.sendall(message)
        except OSError:
            pass
        finally:
            self.close()

    def _server_to_client(self) -> None:
        pending = b""
        try:
            while not self.closed.is_set():
                data = self.server.recv(_CHUNK)
                if not data:
                    break
                if not self.losing_answer.is_set():
                    self.client.sendall(data)
                    continue
                # The client waits for each answer before it sends the next query, so the
                # answer to the COMMIT starts at a message boundary of this stream.
                pending += data
                if _holds_ready_for_query(pending):
                    self.proxy.count_drop()
                    break
        except OSError:
            pass
        finally:
            self.close()


def _next_client_message(buffer: bytes, started: bool) -> tuple[bytes | None, bytes, bool]:
    """The first whole message of ``buffer`` (None if incomplete), the rest, and ``started``."""
    if not started:
        if len(buffer) < 8:
            return None, buffer, started
        (length,) = struct.unpack("!I", buffer[:4])
        if len(buffer) < length:
            return None, buffer, started
        (code,) = struct.unpack("!I", buffer[4:8])
        return buffer[:length], buffer[length:], code not in _UNTYPED_REQUEST_CODES
    if len(buffer) < 5:
        return None, buffer, started
    (length,) = struct.unpack("!I", buffer[1:5])
    if len(buffer) < length + 1:
        return None, buffer, started
    return buffer[: length + 1], buffer[length + 1 :], started


def _is_commit(message: bytes) -> bool:
    if message[:1] != b"Q":
        return False
    query = message[5:].rstrip(b"\x00").decode("utf-8", "replace").strip().rstrip(";").strip()
    return query.upper() in {"COMMIT", "COMMIT TRANSACTION", "COMMIT WORK", "END"}


def _holds_ready_for_query(stream: bytes) -> bool:
    """Whether the server's messages in ``stream`` reach a ReadyForQuery."""
    at = 0
    while len(stream) - at >= 5:
        kind = stream[at : at + 1]
        (length,) = struct.unpack("!I", stream[at + 1 : at + 5])
        if len(stream) - at < length + 1:
            return False
        if kind == b"Z":
            return True
        at += length + 1
    return False


class CommitLossProxy:
    """Listens on 127.0.0.1 (``port``), forwards to ``host``:``server_port``."""

    def __init__(self, host: str = "127.0.0.1", server_port: int = 5432) -> None:
        self.host = host
        self.server_port = server_port
        self._listener = socket.create_server(("127.0.0.1", 0))
        # accept() wakes up now and then to see whether the proxy is closing.
        self._listener.settimeout(0.2)
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._armed = 0
        self.dropped = 0  # COMMIT answers swallowed so far
        self._links: list[_Link] = []
        self._stopping = threading.Event()
        self._down = threading.Event()
        self._acceptor = threading.Thread(target=self._accept, daemon=True, name="commit-loss-accept")
        self._acceptor.start()

    def arm(self, times: int = 1) -> None:
        """Lose the answer to the next ``times`` COMMITs through the proxy."""
        with self._lock:
            self._armed = times

    def disarm(self) -> None:
        with self._lock:
            self._armed = 0

    def take_arm(self) -> bool:
        with self._lock:
            if self._armed <= 0:
                return False
            self._armed -= 1
            return True

    def count_drop(self) -> None:
        with self._lock:
            self.dropped += 1

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _address = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # the listener was closed
            if self._down.is_set():
                client.close()  # the client reads "server closed the connection unexpectedly"
                continue
            client.settimeout(None)
            try:
                server = socket.create_connection((self.host, self.server_port), timeout=5)
                server.settimeout(None)
            except OSError:
                client.close()
                continue
            for sock in (client, server):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            link = _Link(self, client, server)
            with self._lock:
                self._links.append(link)
            link.start()

    def go_down(self) -> None:
        """The server goes away: every link is cut, new connections are closed at once."""
        self._down.set()
        with self._lock:
            links, self._links = self._links, []
        for link in links:
            link.close()

    def come_back(self) -> None:
        """The server is back: new connections go through again."""
        self._down.clear()

    def close(self) -> None:
        """Stop listening and cut every link; the server ends the sessions it held."""
        self._stopping.set()
        self._acceptor.join(timeout=5)
        self._listener.close()
        with self._lock:
            links, self._links = self._links, []
        for link in links:
            link.close()

    def __enter__(self) -> CommitLossProxy:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
