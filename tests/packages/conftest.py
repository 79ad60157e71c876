"""Fixtures of the packaging tests: the two .deb files built twice (two versions, for the
upgrade), and a booted Debian container to install them into.

Builds go through `make package` (and packaging/build.sh for the second version). They are kept
under CACHE_DIR/debs/<hash of the source tree>/ so that running the tests again on unchanged
sources does not rebuild (a build takes about two minutes); any change to a tracked or new file
(outside tests/ and bench/) gives a new hash, hence a real build.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from harness.procs import require_binary, require_root

from .container import CACHE_DIR, REPO_ROOT, DebianContainer

FIRST, SECOND = "0.1.0-1~test1", "0.1.0-1~test2"


@dataclass(frozen=True)
class Build:
    version: str
    dir: Path

    def deb(self, package: str) -> Path:
        (path,) = self.dir.glob(f"{package}_{self.version}_*.deb")
        return path


def source_hash() -> str:
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO_ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    digest = hashlib.sha256()
    for name in sorted(filter(None, listed)):
        if name.startswith(("tests/", "bench/")):
            continue  # not in the packages
        path = REPO_ROOT / name
        if path.is_file():
            digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def build(version: str, out: Path, *, via_make: bool) -> Build:
    done_mark = out / ".complete"
    if not done_mark.exists():
        shutil.rmtree(out, ignore_errors=True)
        env = {**os.environ, "KIOSK_DEB_VERSION": version}
        for key in [k for k in env if k.startswith(("PYTHON", "VIRTUAL_ENV", "KIOSK_CONFIG"))]:
            env.pop(key)
        argv = (["make", "-s", "package", f"DIST={out}"] if via_make
                else ["bash", "packaging/build.sh", str(out)])
        done = subprocess.run(argv, cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                              timeout=900, check=False)
        assert done.returncode == 0, f"{' '.join(argv)} failed:\n{done.stderr[-4000:]}"
        done_mark.touch()
    return Build(version, out)


@pytest.fixture(scope="session")
def debs() -> tuple[Build, Build]:
    """(first, second): both packages built at two versions from this source tree."""
    require_root("dpkg-buildpackage installs files owned by the packages' users")
    require_binary("dpkg-buildpackage", why="builds the .deb files (package dpkg-dev)")
    require_binary("dh", why="debhelper builds the .deb files")
    cache = CACHE_DIR / "debs" / source_hash()
    for old in (CACHE_DIR / "debs").glob("*") if (CACHE_DIR / "debs").exists() else []:
        if old != cache:
            shutil.rmtree(old, ignore_errors=True)  # builds of older sources
    return (build(FIRST, cache / "first", via_make=True),
            build(SECOND, cache / "second", via_make=False))


@pytest.fixture(scope="module")
def debian(debs, tmp_path_factory) -> Iterator[DebianContainer]:
    """A freshly unpacked Debian 12 booted with systemd, the builds mounted at /debs/."""
    require_root("systemd-nspawn runs a container")
    require_binary("systemd-nspawn", why="boots the test Debian (package systemd-container)")
    require_binary("debootstrap", why="makes the test Debian root")
    first, second = debs
    work = tmp_path_factory.mktemp("debian")
    container = DebianContainer.unpack(work / "root", {first.dir: "/debs/first",
                                                        second.dir: "/debs/second"},
                                       work / "console.log")
    try:
        container.boot()
        container.run(["apt-get", "update", "-q"])
        yield container
    finally:
        container.stop()
        shutil.rmtree(work, ignore_errors=True)
