"""Where a session's files live, and the registry of everything the session must destroy.

Files go in a private directory (0700, files 0600) under a RAM-backed filesystem when one is
writable, so a power cut erases them by itself. Everything else a session creates (print job
ids, ...) is registered as an :class:`Artefact` of a kind; a *disposer* per kind destroys it.
Device layers register their own disposers (``"print_job"`` by the printer facade).
"""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

SESSIONS_SUBDIR = "kiosk-sessions"
FILE = "file"


@dataclass(frozen=True)
class Artefact:
    kind: str   # "file", "print_job", ...: a disposer is registered per kind
    ref: str    # a path, a job id: never personal data (file names are generated here)
    label: str = ""  # what it was, for "Tout a été effacé": "scan", "print", "document"

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "ref": self.ref, "label": self.label}

    @classmethod
    def from_json(cls, data: dict[str, str]) -> Artefact:
        return cls(data["kind"], data["ref"], data.get("label", ""))


Disposer = Callable[[str], None]


def _writable_dir(path: Path) -> bool:
    return path.is_dir() and os.access(path, os.W_OK | os.X_OK)


def pick_session_root(setting: str, data_dir: Path) -> Path:
    """The parent of session directories: RAM-backed when possible ('auto')."""
    if setting and setting != "auto":
        return Path(setting).expanduser() / SESSIONS_SUBDIR
    for candidate in (Path("/dev/shm"), Path(os.environ.get("XDG_RUNTIME_DIR", "/nonexistent"))):
        if _writable_dir(candidate):
            return candidate / SESSIONS_SUBDIR
    return data_dir / SESSIONS_SUBDIR


def _remove_file(ref: str) -> None:
    path = Path(ref)
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except IsADirectoryError:
        shutil.rmtree(path, ignore_errors=True)


class Workspace:
    """A session's private directory. Created 0700; files created through it are 0600."""

    def __init__(self, root: Path, session_id: str) -> None:
        self.root = root
        self.path = root / session_id

    def create(self) -> None:
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)
        self.path.mkdir(mode=0o700)
        os.chmod(self.path, 0o700)

    def new_file(self, suffix: str = "", prefix: str = "f-") -> Path:
        """A new empty private file (0600) with a generated name."""
        fd, name = tempfile.mkstemp(suffix=suffix, prefix=prefix, dir=self.path)
        os.fchmod(fd, 0o600)
        os.close(fd)
        return Path(name)

    def destroy(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def sweep_orphans(root: Path, keep: set[str] | None = None) -> int:
    """Remove session directories no live session owns (after a crash). Returns how many."""
    if not root.is_dir():
        return 0
    removed = 0
    for child in root.iterdir():
        if keep and child.name in keep:
            continue
        shutil.rmtree(child, ignore_errors=True) if child.is_dir() else child.unlink(missing_ok=True)
        removed += 1
    return removed


class Disposers:
    """One disposer per artefact kind; files are built in."""

    def __init__(self) -> None:
        self._by_kind: dict[str, Disposer] = {FILE: _remove_file}

    def register(self, kind: str, disposer: Disposer) -> None:
        self._by_kind[kind] = disposer

    def dispose(self, artefact: Artefact) -> bool:
        """Destroy one artefact; False (and a log line) when it could not be."""
        disposer = self._by_kind.get(artefact.kind)
        if disposer is None:
            log.error("no disposer for artefact kind %r; cannot wipe it", artefact.kind)
            return False
        try:
            disposer(artefact.ref)
            return True
        except Exception:  # a failing device must not stop the rest of the wipe
            log.exception("wiping a %s artefact failed", artefact.kind)
            return False
