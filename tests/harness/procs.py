"""Start and stop the real daemons of the test harness as children of the test session.

Every daemon runs in the foreground as our own child process, so it is stopped by its own PID
(never by name: several engineers and CI jobs share these machines).
"""
from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

PR_SET_PDEATHSIG = 1


class StackError(RuntimeError):
    """A real stack could not be started or did not become ready; carries its log tail."""


def require_binary(name: str, *, why: str) -> str:
    """Return the absolute path of an executable or skip the test with a clear reason."""
    path = shutil.which(name) or next(
        (str(p) for p in (Path("/usr/sbin") / name, Path("/sbin") / name) if p.exists()), None
    )
    if path is None:
        pytest.skip(f"{name} not found ({why}); install it with `make install` as root")
    return path


def require_root(why: str) -> None:
    if os.geteuid() != 0:
        pytest.skip(f"needs root: {why}")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (the daemon binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def free_port_pair() -> int:
    """A port P such that P and P+1 are both free (vpcd listens on two consecutive ports)."""
    for _ in range(50):
        port = free_port()
        if port >= 65535:
            continue
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                s.bind(("127.0.0.1", port + 1))
        except OSError:
            continue
        return port
    raise StackError("no two consecutive free TCP ports found")


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def wait_until(
    ready: Callable[[], bool], *, timeout: float, what: str, log: Path | None = None,
    alive: Callable[[], bool] | None = None,
) -> None:
    """Poll `ready` until it is true; raise StackError with the log tail otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        if alive is not None and not alive():
            raise StackError(f"{what}: the process exited early\n{tail(log) if log else ''}")
        time.sleep(0.05)
    raise StackError(f"{what}: not ready after {timeout:.0f} s\n{tail(log) if log else ''}")


def tcp_is_listening(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.2):
            return True
    except OSError:
        return False


def unix_is_listening(path: Path) -> bool:
    if not path.exists():
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(0.2)
        try:
            s.connect(str(path))
            return True
        except OSError:
            return False


def _die_with_parent() -> None:
    """In the child before exec: get SIGTERM if the test process dies (even by SIGKILL).

    Without it, a killed pytest would leave cupsd/pcscd running with their private dirs gone.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: teardown still stops the daemon by PID


class Daemon:
    """One foreground daemon, its output in a log file, stopped by PID."""

    def __init__(self, name: str, argv: Sequence[str], log: Path, *,
                 env: dict[str, str] | None = None, cwd: Path | None = None) -> None:
        self.name = name
        self.argv = list(argv)
        self.log = log
        self._log_file = log.open("ab")
        self.proc = subprocess.Popen(
            self.argv, stdout=self._log_file, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, env=env, cwd=cwd,
            # Its own process group: a Ctrl-C in the terminal reaches pytest, which then
            # stops the daemon in order instead of the daemon dying mid-test.
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM our own PID, then SIGKILL if it lingers."""
        if self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self._log_file.close()


def run(argv: Sequence[str], *, what: str, env: dict[str, str] | None = None,
        timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    """Run a set-up command; a failure raises StackError with its output."""
    try:
        result = subprocess.run(list(argv), capture_output=True, text=True, env=env,
                                timeout=timeout, stdin=subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired as exc:
        raise StackError(f"{what}: timed out after {timeout:.0f} s: {' '.join(argv)}") from exc
    if result.returncode != 0:
        raise StackError(
            f"{what}: `{' '.join(argv)}` exited {result.returncode}\n{result.stdout}{result.stderr}"
        )
    return result
