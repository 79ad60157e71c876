"""A real `kiosk-server run` in a subprocess: for `kiosk demo` (so the demo's sessions appear in the
server) and for tests that exercise the server as deployed (uvicorn, its own process).

``start_demo_server(data_dir)`` runs it on SQLite in ``data_dir`` with one territory, site and
kiosk created; ``.url`` and ``.token`` are what the demo kiosk puts in its sync settings.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from kiosk_wire import config

_LISTENING = re.compile(r"kiosk server listening on (http://\S+)")


class ServerStartError(Exception):
    """The server subprocess did not come up; the message carries its last output lines."""


@dataclass
class ServerProcess:
    process: subprocess.Popen[str]
    url: str
    output: list[str] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self, timeout: float = 10.0) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


@dataclass
class DemoServer(ServerProcess):
    token: str = ""
    data_dir: Path | None = None


def _server_env(data_dir: Path, database_url: str = "",
                extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(config.ENV_PREFIX) or k == "KIOSK_CONFIG"}
    env.pop("KIOSK_CONFIG", None)
    env["KIOSK_KIOSK_DATA_DIR"] = str(data_dir)
    if database_url:
        env["KIOSK_SERVER_DATABASE_URL"] = database_url
    env.update(extra or {})
    return env


def spawn_server(data_dir: Path, port: int = 0, database_url: str = "",
                 env: Mapping[str, str] | None = None, timeout: float = 30.0) -> ServerProcess:
    """Start `kiosk-server run` and wait until /api/v1/health answers."""
    data_dir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk_server.cli", "run", "--host", "127.0.0.1",
         "--port", str(port)],
        env=_server_env(data_dir, database_url, env), stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    output: list[str] = []
    found = threading.Event()
    url_box: list[str] = []

    def _read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            output.append(line.rstrip())
            del output[:-200]
            m = _LISTENING.search(line)
            if m and not found.is_set():
                url_box.append(m.group(1))
                found.set()

    threading.Thread(target=_read, name="kiosk-server-log", daemon=True).start()
    deadline = time.monotonic() + timeout
    while not found.wait(0.05):
        if proc.poll() is not None or time.monotonic() > deadline:
            _stop(proc)
            raise ServerStartError("kiosk server did not start:\n" + "\n".join(output[-20:]))
    server = ServerProcess(proc, url_box[0], output)
    while True:
        try:
            if httpx.get(f"{server.url}/api/v1/health", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise ServerStartError("kiosk server not healthy:\n" + "\n".join(output[-20:]))
        time.sleep(0.05)


def _stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait(10)


def start_demo_server(data_dir: Path, port: int = 0) -> DemoServer:
    """A running server on SQLite in ``data_dir`` with territory, site and kiosk "demo"."""
    from kiosk_server import db, tenancy

    data_dir = Path(data_dir)
    settings = config.defaults().with_overrides({"kiosk.data_dir": str(data_dir)})
    engine = db.open_engine(db.database_url(settings))
    try:
        db.migrate(engine)
        with engine.begin() as conn:
            names = {r["kiosk"] for r in tenancy.list_tree(conn)}
            if "borne-demo" in names:
                token = tenancy.rotate_token(conn, "borne-demo")
            else:
                tid = tenancy.create_territory(conn, "Territoire de démonstration")
                sid = tenancy.create_site(conn, tid, "France Services de démonstration")
                _kid, token = tenancy.create_kiosk(conn, sid, "borne-demo")
    finally:
        engine.dispose()
    server = spawn_server(data_dir, port)
    return DemoServer(server.process, server.url, server.output, token=token, data_dir=data_dir)


def main(argv: list[str] | None = None) -> int:
    """``python -m kiosk_server.demo DIR``: see the module's docstring."""
    import json

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m kiosk_server.demo DATA_DIR", file=sys.stderr)
        return 2
    server = start_demo_server(Path(args[0]))
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    print(json.dumps({"url": server.url, "token": server.token}), flush=True)
    while not stopping.wait(0.5):
        if server.process.poll() is not None:
            return 1
    server.stop()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
