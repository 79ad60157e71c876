"""A small on-disk journal per live session, so a crash or power cut loses nothing.

Written atomically (temporary file, fsync, rename, fsync of the directory) when a session
starts and whenever it registers an artefact or an activity. It holds what recovery needs:
the record's ``event_id`` (so the record is queued exactly once), where the session's files
are, the artefacts to destroy, and the anonymous parts of the record. Never form values.
"""
from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


@dataclass
class JournalEntry:
    session_id: str
    event_id: str
    started_at: str            # ISO datetime, local
    workspace: str
    language: str = "fr"
    accessibility: list[str] = field(default_factory=list)
    artefacts: list[dict[str, str]] = field(default_factory=list)
    activities: list[dict[str, Any]] = field(default_factory=list)
    help_requests: int = 0
    last_seen: str = ""        # ISO datetime of the last journal write
    site_seconds: dict[str, float] = field(default_factory=dict)  # official site key -> s

    def to_json(self) -> dict[str, Any]:
        return self.__dict__.copy()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> JournalEntry:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Journal:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, session_id: str) -> Path:
        return self.directory / f"{session_id}.json"

    def write(self, entry: JournalEntry) -> None:
        """Durably replace the entry. Raises OSError (disk full...) for the caller to log."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        final = self._path(entry.session_id)
        # One temporary file per writer: two threads journaling the same session at once
        # (a touch and a help call) must not rename each other's file away.
        tmp = final.with_name(f"{final.stem}.{threading.get_ident()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, json.dumps(entry.to_json()).encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, final)
        _fsync_dir(self.directory)

    def remove(self, session_id: str) -> None:
        try:
            self._path(session_id).unlink()
            _fsync_dir(self.directory)
        except FileNotFoundError:
            pass

    def leftovers(self) -> list[JournalEntry]:
        """Entries of sessions that never ended cleanly; unreadable ones are logged and dropped
        (a write cut mid-way only ever leaves a .tmp, which is discarded)."""
        if not self.directory.is_dir():
            return []
        entries: list[JournalEntry] = []
        for tmp in self.directory.glob("*.tmp"):
            tmp.unlink(missing_ok=True)
        for path in sorted(self.directory.glob("*.json")):
            try:
                entries.append(JournalEntry.from_json(json.loads(path.read_text())))
            except (OSError, ValueError, TypeError):
                log.error("unreadable session journal %s: discarded", path.name)
                path.unlink(missing_ok=True)
        return entries
