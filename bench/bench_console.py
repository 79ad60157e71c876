"""Web console benchmarks, against a running `kiosk server` (uvicorn subprocess) on SQLite.

- Dashboard pages: KIOSK_BENCH_CONSOLE_RECORDS session records (default 1,000,000; the issue's
  national year is 10,000,000: set the variable to run it) over 3,000 sites in 100 territories
  and 12 months, generated and rolled up with bench_server.generate (what ingest maintains
  incrementally). An admin logs in through the login form; each dashboard page (Synthèse,
  Démarches, Fréquentation, Questionnaire) is fetched over HTTP for 12 months nationally, for
  one territory and for one site: server response time (HTML rendered, charts drawn) p50/p95
  over RUNS requests. Target p95 ≤ 300 ms.
- Live view: a mediator's browser-side event stream (/console/live/<site>/events, read with
  httpx as a browser's EventSource would) and a kiosk posting heartbeats that change its state;
  time from the heartbeat's answer to the pushed update, median over LIVE_RUNS. Target ≤ 1 s.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from bench.bench_server import generate
from kiosk.server import db, tenancy
from kiosk.server.demo import spawn_server

RECORDS = int(os.environ.get("KIOSK_BENCH_CONSOLE_RECORDS", "1000000"))
RUNS = 30
LIVE_RUNS = 20
PASSWORD = "bench-password-1"


def _login(client: httpx.Client, username: str) -> None:
    form = client.get("/console/login")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert token, form.text[:500]
    answer = client.post("/console/login", data={"username": username, "password": PASSWORD,
                                                 "csrf": token.group(1)})
    assert answer.status_code == 200 and "/console/login" not in str(answer.url), answer.text[:500]


def _timed_get(client: httpx.Client, url: str) -> tuple[float, float]:
    assert client.get(url).status_code == 200  # warm: catalogue, templates, caches
    samples = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        answer = client.get(url)
        samples.append(time.perf_counter() - t0)
        assert answer.status_code == 200, (url, answer.status_code)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def _prepare(workdir: Path) -> tuple[float, dict[str, Any]]:
    url = f"sqlite:///{workdir / 'server.sqlite'}"
    engine = db.open_engine(url)
    db.migrate(engine)
    start = (dt.date.today().replace(day=1) - dt.timedelta(days=335)).replace(day=1)
    gen_s = generate(engine, RECORDS, start)
    with engine.begin() as conn:
        # Tenancy rows for the ids the generator used (territory 7, site 123), and users.
        for tid in range(1, 101):
            conn.execute(tenancy.t.territories.insert().values(
                id=tid, name=f"Territoire {tid}", created_at=tenancy.now()))
        site_territory = (123 - 1) % 100 + 1  # the generator: (site - 1) % territories + 1
        conn.execute(tenancy.t.sites.insert().values(id=123, territory_id=site_territory,
                                                     name="Site 123", created_at=tenancy.now()))
        tenancy.create_user(conn, "bench-admin", PASSWORD, "admin")
        live_site = tenancy.create_site(conn, 1, "Site du direct")
        tenancy.create_user(conn, "bench-mediator", PASSWORD, "mediator", site=live_site)
        kiosk_id, token = tenancy.create_kiosk(conn, live_site, "borne-1")
    engine.dispose()
    return gen_s, {"live_site": live_site, "kiosk_id": kiosk_id, "token": token,
                   "territory": 7, "site": 123}


def bench_pages(base: str, ids: dict[str, Any], gen_s: float) -> list[dict]:
    out = []
    scopes = {"national": "", "one territory": f"&territoire={ids['territory']}",
              "one site": f"&site={ids['site']}"}
    with httpx.Client(base_url=base, timeout=60, follow_redirects=True) as client:
        _login(client, "bench-admin")
        for page in ("synthese", "demarches", "frequentation", "questionnaire"):
            for scope, query in scopes.items():
                p50, p95 = _timed_get(client, f"/console/stats/{page}?periode=12_mois{query}")
                out.append({
                    "name": f"console page p95: {page}, 12 months, {scope} "
                            f"(SQLite, {RECORDS:,} records)",
                    "value": round(p95 * 1000, 1), "unit": "ms", "target": "p95 ≤ 300 ms",
                    "met": p95 <= 0.3,
                    "note": f"p50 {p50 * 1000:.1f} ms over {RUNS} requests through a running "
                            f"`kiosk server`; dataset generated in {gen_s:.0f} s",
                })
    return out


def bench_live(base: str, ids: dict[str, Any]) -> dict:
    """Heartbeat answered -> event received by the mediator's stream."""
    received: list[tuple[float, str]] = []
    ready = threading.Event()
    stop = threading.Event()
    client = httpx.Client(base_url=base, timeout=60, follow_redirects=True)
    _login(client, "bench-mediator")

    def listen() -> None:
        try:
            _listen()
        except httpx.HTTPError:  # the server stopped at the end of the run
            pass

    def _listen() -> None:
        with client.stream("GET", f"/console/live/{ids['live_site']}/events",
                           timeout=httpx.Timeout(60, read=None)) as stream:
            event = ""
            for line in stream.iter_lines():
                if stop.is_set():
                    return
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event == "live":
                    data = json.loads(line[5:])
                    status = re.search(r'data-status="([a-z_]+)"', data["html"])
                    received.append((time.perf_counter(), status.group(1) if status else ""))
                    ready.set()

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    assert ready.wait(30), "no first event"
    headers = {"Authorization": f"Bearer {ids['token']}"}
    delays = []
    with httpx.Client(base_url=base, timeout=30, headers=headers) as kiosk:
        for i in range(LIVE_RUNS):
            state = "active" if i % 2 == 0 else "idle"
            before = len(received)
            kiosk.post("/api/v1/heartbeat", json={"state": state, "app_version": "0.1.0"})
            sent = time.perf_counter()
            deadline = sent + 10
            while time.perf_counter() < deadline:
                fresh = [(t, s) for t, s in received[before:] if s == state]
                if fresh:
                    delays.append(fresh[0][0] - sent)
                    break
                time.sleep(0.005)
            time.sleep(0.3)
    stop.set()
    client.close()
    median = statistics.median(delays) if delays else float("inf")
    return {"name": "console live view: heartbeat to mediator's event stream, median",
            "value": round(median * 1000, 1), "unit": "ms", "target": "median ≤ 1 s",
            "met": median <= 1.0 and len(delays) == LIVE_RUNS,
            "note": f"{len(delays)}/{LIVE_RUNS} updates seen; max {max(delays) * 1000:.0f} ms; "
                    "the stream polls the database every 0.4 s (any server process can serve "
                    "it)" if delays else "no update seen"}


def run() -> list[dict]:
    workdir = Path(tempfile.mkdtemp(prefix="kiosk-bench-console-"))
    try:
        gen_s, ids = _prepare(workdir)
        server = spawn_server(workdir)
        try:
            results = bench_pages(server.url, ids, gen_s)
            results.append(bench_live(server.url, ids))
        finally:
            server.stop()
        return results
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    for r in run():
        print(f"{r['name']}: {r['value']} {r['unit']} (target {r['target']}, met={r['met']}) "
              f"{r.get('note', '')}")
