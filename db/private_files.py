"""Files only their owner may read: the embedded database, form drafts and the log.

They hold customer data (names, ID numbers, health details). Another account on the same
machine must not read them, so folders are 0700 and files 0600 whatever the umask: the
mode is set explicitly, because ``mkdir(mode=...)`` and ``open`` are masked by the umask.
What an older desk left looser is tightened on start, but only what this user owns: a
path someone else owns is never changed.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def _tighten(path: Path, mode: int) -> None:
    if not hasattr(os, "getuid"):  # Windows: no mode bits to speak of; the profile is private
        return
    with contextlib.suppress(OSError):
        status = path.stat()
        if status.st_uid == os.getuid() and status.st_mode & 0o777 & ~mode:
            os.chmod(path, mode)


def private_folder(folder: Path) -> Path:
    """``folder``, made if missing, readable by its owner only; the parents it had to make
    too (``mkdir`` would make those with the umask's mode), never an existing parent."""
    missing = [folder, *(parent for parent in folder.parents if not parent.exists())]
    for made in reversed(missing):
        with contextlib.suppress(FileExistsError):
            made.mkdir(mode=FOLDER_MODE)
            os.chmod(made, FOLDER_MODE)
    _tighten(folder, FOLDER_MODE)
    return folder


def private_file(path: Path, *, create: bool = False) -> Path:
    """``path`` readable by its owner only; made empty (0600 from the first byte) when
    ``create`` and missing."""
    if create:
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    _tighten(path, FILE_MODE)
    return path


def private_files(folder: Path, pattern: str) -> None:
    """Tighten every file in ``folder`` matching ``pattern`` (a glob) that this user owns."""
    if not folder.is_dir():
        return
    for path in folder.glob(pattern):
        if path.is_file() and not path.is_symlink():
            _tighten(path, FILE_MODE)
