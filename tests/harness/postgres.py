"""A throwaway PostgreSQL cluster: private data dir, private socket dir and port, no TCP.

The server refuses to run as root, so initdb and pg_ctl run as the `postgres` user through
runuser; the data dir is chowned to it and its parents must be traversable (mode 0755).
"""
from __future__ import annotations

import glob
import itertools
import os
import pwd
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from .procs import StackError, free_port, run, tail, unix_is_listening, wait_until

SERVER_USER = "postgres"
_db_numbers = itertools.count(1)


def find_pg_bindir() -> Path | None:
    """The newest /usr/lib/postgresql/<major>/bin that has initdb and pg_ctl (15 on Debian 12)."""
    candidates = sorted(
        (Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, reverse=True,
    )
    return next((p for p in candidates if (p / "initdb").exists() and (p / "pg_ctl").exists()),
                None)


def server_user_exists() -> bool:
    try:
        pwd.getpwnam(SERVER_USER)
        return True
    except KeyError:
        return False


@dataclass
class PgCluster:
    dir: Path
    socket_dir: Path
    port: int
    bindir: Path
    _running: bool = field(default=False, repr=False)

    @property
    def data_dir(self) -> Path:
        return self.dir / "data"

    @property
    def log(self) -> Path:
        return self.dir / "postgres.log"

    @property
    def pid(self) -> int | None:
        """The postmaster PID, from its own pid file."""
        try:
            return int((self.data_dir / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def _as_server_user(self, *argv: str, what: str) -> None:
        run(["runuser", "-u", SERVER_USER, "--", *argv], what=what, timeout=120)

    @classmethod
    def start(cls, directory: Path, bindir: Path) -> PgCluster:
        directory.mkdir(parents=True, exist_ok=True)
        os.chmod(directory, 0o755)
        socket_dir = directory / "sock"
        socket_dir.mkdir(exist_ok=True)
        user = pwd.getpwnam(SERVER_USER)
        for path in (socket_dir, directory):
            os.chown(path, user.pw_uid, user.pw_gid)
        cluster = cls(dir=directory, socket_dir=socket_dir, port=free_port(), bindir=bindir)
        cluster._as_server_user(
            str(bindir / "initdb"), "-D", str(cluster.data_dir), "-A", "trust", "-U", "postgres",
            "--no-sync", "-E", "UTF8", "--locale=C.UTF-8", what="initdb",
        )
        # Test cluster: durability off (fast, nothing to keep), no TCP, private socket.
        try:
            cluster._start_server()
        except BaseException:
            cluster.stop()
            raise
        return cluster

    def _start_server(self) -> None:
        options = (f"-k {self.socket_dir} -p {self.port} -c listen_addresses='' -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        self._as_server_user(
            str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), "-o", options,
            "-l", str(self.log), "-w", "-t", "60", "start", what="pg_ctl start",
        )
        self._running = True
        sock = self.socket_dir / f".s.PGSQL.{self.port}"
        wait_until(lambda: unix_is_listening(sock), timeout=30, what="postgres socket",
                   log=self.log)

    def restart(self, down_s: float = 0.0) -> None:
        """Stop the server (every connection is cut), stay down ``down_s``, start it again on
        the same socket, with the same databases."""
        self.stop()
        time.sleep(down_s)
        self._start_server()

    def stop(self) -> None:
        """pg_ctl stop (fast mode) addresses the postmaster by the PID in its own pid file."""
        if not self._running:
            return
        self._running = False
        try:
            self._as_server_user(str(self.bindir / "pg_ctl"), "-D", str(self.data_dir),
                                 "-m", "fast", "-w", "-t", "30", "stop", what="pg_ctl stop")
        except StackError:
            pid = self.pid
            if pid:
                os.kill(pid, 9)

    def url(self, dbname: str = "postgres") -> str:
        """SQLAlchemy URL (psycopg 3) through the private socket dir."""
        return f"postgresql+psycopg://postgres@/{dbname}?host={self.socket_dir}&port={self.port}"

    def dsn(self, dbname: str = "postgres") -> str:
        """libpq connection string, for psycopg.connect()."""
        return f"host={self.socket_dir} port={self.port} user=postgres dbname={dbname}"

    def create_database(self, name: str | None = None) -> str:
        """Create an empty database and return its name."""
        import psycopg

        name = name or f"test_{os.getpid()}_{next(_db_numbers)}"
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
            raise ValueError(f"database name must be a plain lower-case identifier: {name!r}")
        try:
            with psycopg.connect(self.dsn(), autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
        except psycopg.Error as exc:
            raise StackError(f"CREATE DATABASE {name}: {exc}\n{tail(self.log)}") from exc
        return name
