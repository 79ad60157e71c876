"""`kiosk-server run` with server.workers > 1: several uvicorn processes on one socket, each
building its app from the same settings (here the database URL comes from a systemd-style
credential file, which every worker must read too)."""
from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from kiosk_server.demo import spawn_server
from server.helpers import make_tenant, open_migrated, record, stored_event_ids


def worker_processes(pid: int) -> list[int]:
    """The server's child processes that serve (not multiprocessing's resource tracker)."""
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(c) for c in text.split()
            if b"resource_tracker" not in Path(f"/proc/{c}/cmdline").read_bytes()]


@pytest.mark.postgres
@pytest.mark.slow
def test_two_workers_serve_one_port_with_settings_from_credentials(tmp_path, pg_url):
    engine = open_migrated(pg_url)
    tenant = make_tenant(engine)
    creds = tmp_path / "credentials"
    creds.mkdir()
    (creds / "server.database_url").write_text(pg_url + "\n")
    server = spawn_server(tmp_path / "data", env={"KIOSK_SERVER_WORKERS": "2",
                                                  "CREDENTIALS_DIRECTORY": str(creds)})
    try:
        assert len(worker_processes(server.pid)) == 2
        batches = [[record(hour=h)] for h in range(8, 18)]
        with httpx.Client(base_url=server.url, headers=tenant.headers) as client:
            for batch in batches:
                # A new connection each time: the kernel spreads them over both workers.
                answer = httpx.post(f"{server.url}/api/v1/events", json={"records": batch},
                                    headers=tenant.headers)
                assert answer.status_code == 200 and answer.json()["stored"] == 1
            assert client.get("/api/v1/health").json()["status"] == "ok"
        assert sorted(stored_event_ids(engine)) == sorted(b[0]["event_id"] for b in batches)
        assert all("Traceback" not in line for line in server.output)
    finally:
        server.stop()
        engine.dispose()
