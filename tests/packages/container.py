"""A Debian 12 root booted with systemd in a container (systemd-nspawn), to install our packages.

The root (debootstrap minbase + systemd) is made once by packaging/debian-root.sh and kept as a
tarball under CACHE_DIR; each test module unpacks a fresh copy. apt's downloads are kept in
CACHE_DIR/apt-archives (bind-mounted), so a second run downloads nothing. The container shares
the host's network (apt reaches the Debian mirror) but nothing else; it is stopped by its own
PID. Commands run inside with `nsenter` into its namespaces, with a clean environment.
"""
from __future__ import annotations

import os
import signal
import subprocess
import tarfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = Path(os.environ.get("KIOSK_PACKAGING_CACHE", "/var/tmp/kiosk-packaging"))
ROOT_TARBALL = CACHE_DIR / "bookworm-systemd.tar"
CLEAN_ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
             "LANG": "C.UTF-8", "DEBIAN_FRONTEND": "noninteractive", "HOME": "/root",
             "TERM": "dumb"}


class ContainerError(RuntimeError):
    """The container could not boot, or a command inside failed; carries the output."""


def ensure_root_tarball() -> Path:
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["bash", str(REPO_ROOT / "packaging" / "debian-root.sh"),
                           str(ROOT_TARBALL)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ContainerError(f"debian-root.sh failed:\n{done.stderr[-3000:]}")
    return ROOT_TARBALL


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


class DebianContainer:
    def __init__(self, root: Path, binds: dict[Path, str], log: Path,
                 nspawn_args: tuple[str, ...] = ()) -> None:
        self.root = root
        self.binds = binds
        self.log_path = log
        self.nspawn_args = nspawn_args  # e.g. --volatile=overlay, writable --bind=...
        self.proc: subprocess.Popen[bytes] | None = None
        self.leader = 0

    @classmethod
    def unpack(cls, dest: Path, binds: dict[Path, str], log: Path) -> DebianContainer:
        dest.mkdir(parents=True)
        with tarfile.open(ensure_root_tarball()) as tar:
            tar.extractall(dest, filter="fully_trusted")
        return cls(dest, binds, log)

    def boot(self, timeout: float = 90) -> None:
        apt_cache = CACHE_DIR / "apt-archives"
        (apt_cache / "partial").mkdir(parents=True, exist_ok=True)
        args = ["systemd-nspawn", "--quiet", "--register=no", "--keep-unit", "--console=passive",
                "-D", str(self.root), f"--bind={apt_cache}:/var/cache/apt/archives"]
        args += [f"--bind-ro={src}:{dst}" for src, dst in self.binds.items()]
        args += list(self.nspawn_args)
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen([*args, "--boot"], stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while not self.leader:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise ContainerError(f"container did not start:\n{self.log_tail()}")
            # The container's PID 1 is nspawn's child (CLONE_PARENT keeps it so).
            for child in _children(self.proc.pid):
                if Path(f"/proc/{child}/comm").read_text().strip() == "systemd":
                    self.leader = child
            time.sleep(0.2)
        state = ""
        while state not in ("running", "degraded"):
            if time.monotonic() > deadline:
                raise ContainerError(f"container did not finish booting ({state}):\n"
                                     f"{self.log_tail()}")
            time.sleep(0.5)
            state = self.run(["systemctl", "is-system-running"], check=False).stdout.strip()

    def run(self, argv: list[str], *, check: bool = True, timeout: float = 600,
            input: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run a command inside, as root, in the container's namespaces and root directory."""
        done = subprocess.run(["nsenter", "-t", str(self.leader), "-a", "-r", "-w",
                               "env", "-i", *[f"{k}={v}" for k, v in CLEAN_ENV.items()], *argv],
                              capture_output=True, text=True, timeout=timeout, input=input,
                              check=False)
        if check and done.returncode != 0:
            raise ContainerError(f"{' '.join(argv)} exited {done.returncode}:\n"
                                 f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        return done

    def sh(self, script: str, *, check: bool = True) -> str:
        return self.run(["sh", "-c", script], check=check).stdout.strip()

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        if self.leader:
            self.run(["systemctl", "poweroff"], check=False, timeout=30)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""
