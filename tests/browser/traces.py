"""Looking for what a browsing session could leave behind, anywhere a browser writes."""
from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

MAX_FILE_BYTES = 50 * 1024 * 1024


def places(*extra: Path) -> list[Path]:
    """Where Chromium, Playwright or the kiosk could write: temp and RAM directories, the
    account's Chromium and certificate directories, and what the test adds."""
    home = Path.home()
    return [Path("/tmp"), Path("/dev/shm"), Path("/var/tmp"), home / ".pki",
            home / ".config" / "chromium", home / ".cache" / "chromium",
            home / ".cache" / "ms-playwright", home / ".local" / "share", *extra]


def files_with(token: str, roots: Iterable[Path], since: float) -> list[str]:
    """Files changed since ``since`` (epoch seconds) whose bytes contain ``token``."""
    needle = token.encode()
    found = []
    for root in roots:
        if not root.exists():
            continue
        for folder, _dirs, names in os.walk(root, onerror=lambda _err: None):
            for name in names:
                path = os.path.join(folder, name)
                try:
                    info = os.lstat(path)
                    if info.st_mtime < since - 1 or info.st_size > MAX_FILE_BYTES \
                            or not os.path.isfile(path) or os.path.islink(path):
                        continue
                    with open(path, "rb") as handle:
                        if needle in handle.read():
                            found.append(path)
                except OSError:
                    continue
    return found


def entries_named(roots: Iterable[Path], fragment: str) -> list[str]:
    """Top-level entries of ``roots`` whose name contains ``fragment``."""
    names = []
    for root in roots:
        try:
            names += [str(root / n) for n in os.listdir(root) if fragment in n]
        except OSError:
            continue
    return names
