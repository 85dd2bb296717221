"""Drafts of request forms, kept on disk beside the database, not in it.

When a save fails (the database is locked, the server is gone) the form's values are
written here, so nothing typed is lost even if desk is closed; the form comes back
filled when the agent opens it again. A file per policy and service, removed once the
request is filed.

A draft also keeps the id the form made for its request (``REQUEST_ID``): the save that
failed may have reached the database with only its answer lost, and the form restored
after a crash must retry under the same id so that the retry finds that write rather
than filing the request twice.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

from db.engines import data_dir
from db.private_files import private_file, private_files, private_folder

# The draft's entry for the request id; no form field is named so (names are plain words).
REQUEST_ID = "_request_id"


def drafts_folder() -> Path:
    return data_dir() / "drafts"


class DraftStore:
    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or drafts_folder()
        self._private = False

    def _path(self, policy_id: uuid.UUID, service_code: str) -> Path:
        return self.folder / f"{policy_id}-{service_code}.json"

    def save(
        self,
        policy_id: uuid.UUID,
        service_code: str,
        values: dict[str, Any],
        request_id: uuid.UUID | None = None,
    ) -> Path:
        # Health details: the owner's alone (0700 folder, 0600 files), and drafts an older
        # desk left readable by others are tightened with them.
        if not self._private:
            private_folder(self.folder)
            private_files(self.folder, "*")
            self._private = True
        path = self._path(policy_id, service_code)
        temporary = path.with_suffix(".tmp")
        if request_id is not None:
            values = {**values, REQUEST_ID: str(request_id)}
        # Write then rename: a crash mid-write never leaves half a draft.
        temporary.unlink(missing_ok=True)
        with open(private_file(temporary, create=True), "w", encoding="utf-8") as handle:
            handle.write(json.dumps(values, ensure_ascii=False, default=str))
        os.replace(temporary, path)
        return path

    def load(self, policy_id: uuid.UUID, service_code: str) -> dict[str, Any] | None:
        path = self._path(policy_id, service_code)
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    def discard(self, policy_id: uuid.UUID, service_code: str) -> None:
        self._path(policy_id, service_code).unlink(missing_ok=True)


def draft_request_id(draft: dict[str, Any] | None) -> uuid.UUID | None:
    """The request id a draft was saved with; None for a draft without one (or a bad one)."""
    if not draft:
        return None
    try:
        return uuid.UUID(str(draft[REQUEST_ID]))
    except (KeyError, ValueError):
        return None
