"""Where a session's files live, and the registry of everything the session must destroy.

Files go in a private directory (0700, files 0600) under a RAM-backed filesystem when one is
writable, so a power cut erases them by itself. The root of those directories is trusted only
when it is a real directory (not a link), owned by the kiosk's account and closed to others:
in the shared /dev/shm another account could have planted a link (session files sent off RAM,
the start-up sweep deleting the link's target) or a directory of its own (every session
blocked). The private runtime directories come first (systemd's ``RuntimeDirectory=``, then
``$XDG_RUNTIME_DIR``), where nobody else can create anything; /dev/shm only after them. Everything
else a session creates (print job
ids, ...) is registered as an :class:`Artefact` of a kind; a *disposer* per kind destroys it.
Device layers register their own disposers (``"print_job"`` by the printer facade).
"""
from __future__ import annotations

import logging
import os
import shutil
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

log = logging.getLogger(__name__)

SESSIONS_SUBDIR = "kiosk-sessions"
FILE = "file"


class ArtefactLabel(StrEnum):
    """What an artefact was, counted in "Tout a été effacé"; written in the session journal."""

    SCAN = "scan"
    PRINT = "print"
    DOCUMENT = "document"


@dataclass(frozen=True)
class Artefact:
    kind: str   # "file", "print_job", ...: a disposer is registered per kind
    ref: str    # a path, a job id: never personal data (file names are generated here)
    label: str = ""  # an ArtefactLabel (a str: the journal stores its value), "" when none

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "ref": self.ref, "label": self.label}

    @classmethod
    def from_json(cls, data: dict[str, str]) -> Artefact:
        return cls(data["kind"], data["ref"], data.get("label", ""))


Disposer = Callable[[str], None]


class HostileSessionRoot(Exception):
    """The session root cannot be trusted; the message says why, for the installer."""


def _writable_dir(path: Path) -> bool:
    return path.is_dir() and os.access(path, os.W_OK | os.X_OK)


def pick_session_root(setting: str, data_dir: Path) -> Path:
    """The parent of session directories: RAM-backed and private when possible ('auto')."""
    if setting and setting != "auto":
        return Path(setting).expanduser() / SESSIONS_SUBDIR
    candidates = [os.environ.get("RUNTIME_DIRECTORY", "").split(":")[0],
                  os.environ.get("XDG_RUNTIME_DIR", ""), "/dev/shm"]
    for candidate in filter(None, candidates):
        if _writable_dir(Path(candidate)):
            return Path(candidate) / SESSIONS_SUBDIR
    return data_dir / SESSIONS_SUBDIR


def root_problem(root: Path) -> str | None:
    """Why ``root`` could not be trusted as it is now, or None (also when it does not exist
    yet: it will be created private). Creates nothing; for `kiosk doctor`."""
    try:
        info = os.lstat(root)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(info.st_mode):
        return f"{root} est un lien symbolique : supprimez-le"
    if not stat.S_ISDIR(info.st_mode):
        return f"{root} n'est pas un dossier : supprimez-le"
    if info.st_uid != os.geteuid() and os.geteuid() != 0:
        return (f"{root} appartient à un autre compte (uid {info.st_uid}) : supprimez-le ; la "
                "borne ne met pas les fichiers des usagers dans un dossier d'autrui")
    return None


def ensure_private_root(root: Path) -> None:
    """Create the session root (0700) or check the one there: a directory, not a link, ours,
    closed to others. :class:`HostileSessionRoot` otherwise; nothing is followed or deleted."""
    try:
        os.mkdir(root, 0o700)
    except FileExistsError:
        pass
    except FileNotFoundError:  # a custom session_dir whose parent does not exist yet
        root.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.mkdir(root, 0o700)
    try:
        fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as err:
        kind = "un lien symbolique" if root.is_symlink() else "inutilisable"
        raise HostileSessionRoot(f"{root} est {kind} ({err.strerror}) : supprimez-le ; "
                                 "la borne ne s'en servira pas") from None
    try:
        info = os.fstat(fd)
        if info.st_uid != os.geteuid():
            raise HostileSessionRoot(
                f"{root} appartient à un autre compte (uid {info.st_uid}) : supprimez-le ; "
                "la borne ne met pas les fichiers des usagers dans un dossier d'autrui")
        if stat.S_IMODE(info.st_mode) & 0o077:
            os.fchmod(fd, 0o700)  # ours, but left open by someone: closed again
    finally:
        os.close(fd)


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
        ensure_private_root(self.root)
        self.path.mkdir(mode=0o700)
        os.chmod(self.path, 0o700, follow_symlinks=False)

    def new_file(self, suffix: str = "", prefix: str = "f-") -> Path:
        """A new empty private file (0600) with a generated name."""
        fd, name = tempfile.mkstemp(suffix=suffix, prefix=prefix, dir=self.path)
        os.fchmod(fd, 0o600)
        os.close(fd)
        return Path(name)

    def destroy(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def sweep_orphans(root: Path, keep: set[str] | None = None) -> int:
    """Remove session directories no live session owns (after a crash). Returns how many.

    Only inside a root :func:`ensure_private_root` accepts; a link is removed, never followed
    (shutil.rmtree does not follow links either)."""
    if not root.exists() and not root.is_symlink():
        return 0
    ensure_private_root(root)
    removed = 0
    with os.scandir(root) as entries:
        for entry in entries:
            if keep and entry.name in keep:
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)
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
