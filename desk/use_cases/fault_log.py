"""The log of what went wrong, in full, for whoever supports the hotline.

The screen says "busy, try again (ref 3f2a91)"; this file says which statement failed
and the driver's words, under the same reference. It lives in the data directory,
is readable by its owner only (mode 0600, whatever the umask), rotates at 1 MB with
five old files kept, and never holds an ID number or a mobile whole.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import threading
from logging.handlers import RotatingFileHandler
from pathlib import Path

from db.engines import default_sqlite_path
from db.faults import detail, fault_kind, is_store_error
from db.private_files import private_files, private_folder
from desk.rules.masking import mask_identity_in_text
from desk.texts.labels import t

LOGGER = logging.getLogger("desk")
LOG_NAME = "desk.log"
_installed: dict[Path, logging.Handler] = {}
_lock = threading.Lock()


class _PrivateRotatingFile(RotatingFileHandler):
    """A rotating file that is created 0600 and kept so when it rotates."""

    def _open(self):  # noqa: ANN202 - logging's own signature
        descriptor = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.chmod(self.baseFilename, 0o600)
        return os.fdopen(descriptor, self.mode.replace("w", "a"), encoding=self.encoding)


class _MaskIdentity(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_identity_in_text(record.getMessage())
        record.args = None
        return True


class _MaskedFormatter(logging.Formatter):
    """Masks the whole entry: the traceback is formatted after any filter has run, and an
    exception's own words (a driver quoting the row it refused) are in it."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_identity_in_text(super().format(record))


def default_log_path() -> Path:
    return default_sqlite_path().with_name(LOG_NAME)


def install_log(path: Path | None = None) -> Path:
    """Send desk's log to ``path`` (the data directory's ``desk.log`` by default)."""
    path = path or default_log_path()
    with _lock:
        if path in _installed:
            return path
        # mkdir's mode is masked by the umask: set it, and tighten old rotated logs.
        private_folder(path.parent)
        private_files(path.parent, f"{path.name}*")
        handler = _PrivateRotatingFile(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
        handler.setFormatter(_MaskedFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        handler.addFilter(_MaskIdentity())
        LOGGER.addHandler(handler)
        LOGGER.setLevel(logging.INFO)
        # The terminal belongs to the UI: nothing from here is echoed to stderr.
        LOGGER.propagate = False
        _installed[path] = handler
    return path


def _logged(message: str, *args: object, exc_info: BaseException | None = None) -> str:
    """Write one entry under a new reference; the reference."""
    reference = secrets.token_hex(3)
    if not LOGGER.handlers:
        # No data directory: the message on screen still says what happened.
        with contextlib.suppress(OSError):
            install_log()
    LOGGER.error("ref=%s " + message, reference, *args, exc_info=exc_info)
    return reference


def record_fault(error: BaseException, doing: str = "") -> str:
    """Write ``error`` in full to the log; the short reference the user is shown."""
    return _logged("kind=%s %s\n%s", fault_kind(error), doing, detail(error))


def unexpected(error: BaseException) -> str:
    """What the user reads about an error desk did not foresee: a reference, no internals.

    The traceback goes to the log under that reference; the screen stays as it was.
    """
    if is_store_error(error):
        return t(f"fault.{fault_kind(error)}", ref=record_fault(error))
    return t("fault.unexpected", ref=_logged("unexpected %s", type(error).__name__, exc_info=error))
