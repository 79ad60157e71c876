"""The session root in a shared RAM filesystem is not trusted blindly: a planted link, a
directory of another account, a directory left open to all. The kiosk refuses to start on a
hostile root (with a plain message and `kiosk doctor` saying why), never follows a link, and
the start-up sweep never deletes anything outside its own directory."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.doctor import system
from kiosk.exit_codes import ExitCode
from kiosk.sessions.workspace import (
    HostileSessionRoot,
    Workspace,
    ensure_private_root,
    pick_session_root,
    sweep_orphans,
)
from kiosk_wire import config

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="chown to another account needs root")


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    """A stand-in for /dev/shm: world-writable and sticky."""
    d = tmp_path / "shm"
    d.mkdir()
    os.chmod(d, 0o1777)
    return d


def test_a_planted_link_is_refused_and_its_target_survives_the_sweep(shared, tmp_path):
    target = tmp_path / "victim"
    target.mkdir()
    (target / "precious.txt").write_text("keep me")
    root = shared / "kiosk-sessions"
    root.symlink_to(target)
    with pytest.raises(HostileSessionRoot, match="lien symbolique"):
        ensure_private_root(root)
    with pytest.raises(HostileSessionRoot):
        sweep_orphans(root)
    with pytest.raises(HostileSessionRoot):
        Workspace(root, "s1").create()
    assert (target / "precious.txt").read_text() == "keep me"
    assert list(target.iterdir()) == [target / "precious.txt"]


@needs_root
def test_a_root_owned_by_another_account_is_refused(shared):
    root = shared / "kiosk-sessions"
    root.mkdir(mode=0o777)
    os.chown(root, 4321, 4321)
    with pytest.raises(HostileSessionRoot, match="autre compte"):
        ensure_private_root(root)


def test_a_root_of_ours_left_open_to_all_is_closed_again(shared):
    root = shared / "kiosk-sessions"
    root.mkdir()
    os.chmod(root, 0o777)
    Workspace(root, "s1").create()
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert stat.S_IMODE((root / "s1").stat().st_mode) == 0o700


def test_the_sweep_removes_a_link_inside_the_root_without_following_it(shared, tmp_path):
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "file").write_text("x")
    root = shared / "kiosk-sessions"
    ensure_private_root(root)
    (root / "orphan").mkdir()
    (root / "link").symlink_to(target)
    assert sweep_orphans(root) == 2
    assert list(root.iterdir()) == [] and (target / "file").exists()


def test_private_runtime_directories_come_before_the_shared_one(monkeypatch, tmp_path):
    runtime = tmp_path / "run-kiosk"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("RUNTIME_DIRECTORY", str(runtime))
    assert pick_session_root("auto", tmp_path) == runtime / "kiosk-sessions"
    monkeypatch.delenv("RUNTIME_DIRECTORY")
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    assert pick_session_root("auto", tmp_path) == runtime / "kiosk-sessions"


def test_doctor_names_a_hostile_root_and_kiosk_run_refuses_to_start(shared, tmp_path, monkeypatch):
    (shared / "kiosk-sessions").symlink_to(tmp_path)
    settings = config.defaults().with_overrides({"kiosk.data_dir": str(tmp_path / "data"),
                                                 "kiosk.session_dir": str(shared)})
    finding = system.check_session_dir(settings)
    assert finding.status is system.Status.FAIL and finding.required
    assert "lien symbolique" in finding.message
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env.update({"KIOSK_KIOSK_DATA_DIR": str(tmp_path / "data"),
                "KIOSK_KIOSK_SESSION_DIR": str(shared)})
    done = subprocess.run([sys.executable, "-m", "kiosk.cli", "run"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == ExitCode.REFUSED_TO_START
    assert "La borne ne démarre pas" in done.stderr and "lien symbolique" in done.stderr
    assert "Traceback" not in done.stderr
