"""Monthly reports: each site's summary of the last whole month as a PDF made by the server,
kept once per site and month however many processes run the pass, downloadable in the console by
who may see the site, and e-mailed through a real SMTP conversation when a relay is set; and the
same PDF on demand for the place and period a manager picks."""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import email
import email.policy
import io
import re
import socket
import threading
from collections.abc import Iterator
from email.message import Message
from html import unescape

import pytest
import sqlalchemy as sa
from harness.aio import run_coroutine
from pypdf import PdfReader

from console.conftest import InProcess
from kiosk_server import app as server_app
from kiosk_server import monthly_reports, retention
from kiosk_server import tables as t
from kiosk_server.report_mail import Mailer


def _month_start(app: InProcess) -> dt.date:
    return app.seed.today.replace(day=1)  # the 1st of the seed's month: its last month is full


def _reports(app: InProcess) -> list[dict]:
    with app.engine.connect() as conn:
        return monthly_reports.reports_of(conn, None)


def _pdf_text(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), " ".join(p.extract_text() for p in reader.pages)


def _kpis(html: str) -> dict[str, str]:
    return {unescape(label): value for value, label in re.findall(
        r'<span class="value">([^<]*)</span><span class="label">([^<]*)</span>', html)}


def test_each_site_gets_its_month_on_one_page_with_the_summarys_figures(console_app: InProcess):
    today = _month_start(console_app)
    assert monthly_reports.run_pass(console_app.engine, None, today) == len(
        console_app.seed.sites)
    month = monthly_reports.last_whole_month(today)
    lille = next(r for r in _reports(console_app) if r["site"] == "FS Lille")
    assert lille["month"] == month.start and lille["mailed_at"] is None

    console_app.login("admin")
    listing = console_app.client.get("/console/rapports").text
    assert f'href="/console/rapports/{lille["id"]}.pdf"' in listing
    answer = console_app.client.get(f"/console/rapports/{lille['id']}.pdf")
    assert answer.headers["content-type"] == "application/pdf"
    assert (f'filename="rapport_fs-lille_{month.start}_{month.end}.pdf"'
            in answer.headers["content-disposition"])
    pages, text = _pdf_text(answer.content)
    assert pages == 1
    assert "FS Lille (Nord)" in text and monthly_reports.month_label(month.start) in text
    # The same key figures as the printable summary of that site and month.
    summary = console_app.client.get(
        "/console/summary", params={"site": console_app.seed.sites["FS Lille"],
                                    "periode": "perso", "debut": month.start.isoformat(),
                                    "fin": month.end.isoformat()}).text
    figures = _kpis(summary)
    assert len(figures) >= 5
    flat = re.sub(r"\s+", " ", text.replace("\u202f", " "))
    for label, value in figures.items():
        assert f"{value} {label}".replace("\u202f", " ") in flat, (label, value)


def test_a_manager_gets_the_pdf_of_the_place_and_period_they_pick(console_app: InProcess):
    console_app.login("resp-nord")
    query = {"territoire": console_app.seed.territories["Nord"], "periode": "30_jours"}
    answer = console_app.client.get("/console/summary.pdf", params=query)
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert 'filename="resume_territoire-nord_' in answer.headers["content-disposition"]
    pages, text = _pdf_text(answer.content)
    flat = re.sub(r"\s+", " ", text.replace("\u202f", " "))
    assert pages == 1 and "Territoire : Nord" in flat
    for label, value in _kpis(console_app.client.get("/console/summary", params=query).text
                              ).items():
        assert f"{value} {label}".replace("\u202f", " ") in flat, (label, value)
    rennes = {"site": console_app.seed.sites["FS Rennes"], "periode": "30_jours"}
    assert console_app.client.get("/console/summary.pdf", params=rennes).status_code == 403


def test_passes_at_once_keep_one_report_per_site_and_month(console_app: InProcess):
    today = _month_start(console_app)
    made: list[int] = []
    passes = [threading.Thread(target=lambda: made.append(
        monthly_reports.run_pass(console_app.engine, None, today))) for _ in range(3)]
    for p in passes:
        p.start()
    for p in passes:
        p.join(60)
    assert sum(made) == len(console_app.seed.sites)
    assert len(_reports(console_app)) == len(console_app.seed.sites)
    assert monthly_reports.run_pass(console_app.engine, None, today) == 0


def test_a_manager_gets_the_reports_of_their_sites_only(console_app: InProcess):
    monthly_reports.run_pass(console_app.engine, None, _month_start(console_app))
    ids = {r["site"]: r["id"] for r in _reports(console_app)}
    console_app.login("resp-lille")
    listing = console_app.client.get("/console/rapports").text
    assert f"/console/rapports/{ids['FS Lille']}.pdf" in listing
    assert f"/console/rapports/{ids['FS Rennes']}.pdf" not in listing
    assert console_app.client.get(f"/console/rapports/{ids['FS Rennes']}.pdf").status_code == 403
    assert console_app.client.get("/console/rapports/999999.pdf").status_code == 403

    console_app.client.cookies.clear()
    console_app.login("med-lille")
    assert console_app.client.get("/console/rapports").status_code == 403
    assert console_app.client.get(f"/console/rapports/{ids['FS Lille']}.pdf").status_code == 403


# --- e-mail through a real SMTP conversation ----------------------------------------------------
class SmtpSink:
    """A minimal SMTP server on loopback (RFC 5321's commands a client sends, no extensions):
    every message it accepts, parsed."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.messages: list[Message] = []
        self.recipients: list[list[str]] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn, conn.makefile("rb") as lines:
                self._session(conn, lines)

    def _session(self, conn: socket.socket, lines: io.BufferedReader) -> None:
        conn.sendall(b"220 sink ESMTP\r\n")
        rcpt: list[str] = []
        for raw in lines:
            verb = raw.decode().strip().upper()
            if verb.startswith(("EHLO", "HELO")):
                conn.sendall(b"250 sink\r\n")
            elif verb.startswith("RCPT"):
                rcpt.append(raw.decode().split(":", 1)[1].strip().strip("<>"))
                conn.sendall(b"250 ok\r\n")
            elif verb == "DATA":
                conn.sendall(b"354 go on\r\n")
                body = b""
                for data in lines:
                    if data == b".\r\n":
                        break
                    body += data[1:] if data.startswith(b"..") else data
                self.messages.append(email.message_from_bytes(body, policy=email.policy.default))
                self.recipients.append(rcpt)
                rcpt = []
                conn.sendall(b"250 queued\r\n")
            elif verb == "QUIT":
                conn.sendall(b"221 bye\r\n")
                return
            else:  # MAIL, RSET, NOOP
                conn.sendall(b"250 ok\r\n")

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    yield sink
    sink.close()


def _mailer(port: int) -> Mailer:
    return Mailer("127.0.0.1", port, "bornes@example.org", ("resp@example.org",), timeout_s=5)


SQLITE_ONLY = pytest.mark.parametrize("console_app", ["sqlite"], indirect=True)


@SQLITE_ONLY  # the database's part is the same as above; this is about the relay
def test_reports_are_mailed_once_and_a_relay_that_is_down_loses_none(console_app: InProcess,
                                                                      smtp: SmtpSink):
    today = _month_start(console_app)
    closed = socket.create_server(("127.0.0.1", 0))
    down = closed.getsockname()[1]
    closed.close()  # nothing listens there any more
    monthly_reports.run_pass(console_app.engine, _mailer(down), today)
    assert len(_reports(console_app)) == len(console_app.seed.sites)
    assert all(r["mailed_at"] is None for r in _reports(console_app))

    monthly_reports.run_pass(console_app.engine, _mailer(smtp.port), today)  # the relay is back
    assert len(smtp.messages) == len(console_app.seed.sites)
    assert all(r == ["resp@example.org"] for r in smtp.recipients)
    lille = next(m for m in smtp.messages if "FS Lille" in m["Subject"])
    attachment = next(p for p in lille.walk() if p.get_content_type() == "application/pdf")
    stored = next(r for r in _reports(console_app) if r["site"] == "FS Lille")
    with console_app.engine.connect() as conn:
        assert attachment.get_payload(decode=True) == bytes(
            monthly_reports.report(conn, stored["id"]).pdf)
    assert all(r["mailed_at"] is not None for r in _reports(console_app))
    monthly_reports.run_pass(console_app.engine, _mailer(smtp.port), today)
    assert len(smtp.messages) == len(console_app.seed.sites)  # not twice


def test_no_relay_setting_means_no_mail(tmp_path):
    from server.helpers import server_settings

    assert Mailer.from_settings(server_settings(tmp_path)) is None
    assert Mailer.from_settings(server_settings(tmp_path, **{
        "server.report_smtp_host": "relay.example.org",
        "server.report_mail_to": "a@example.org, b@example.org"})) == Mailer(
        "relay.example.org", 25, "kiosk-server@relay.example.org",
        ("a@example.org", "b@example.org"))


@SQLITE_ONLY
def test_the_servers_task_makes_the_missing_reports_at_its_first_pass(console_app: InProcess):
    async def run() -> None:
        task = asyncio.create_task(server_app.monthly_report_loop(
            console_app.engine, None, first_after_s=0, every_s=3600))
        try:
            deadline = asyncio.get_running_loop().time() + 60
            while len(_reports(console_app)) < len(console_app.seed.sites):
                assert asyncio.get_running_loop().time() < deadline, "no reports made"
                await asyncio.sleep(0.1)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    with console_app.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(
            t.monthly_reports)).scalar_one() == 0
    run_coroutine(run())  # not asyncio.run: Playwright's loop may run in this thread
    month = monthly_reports.last_whole_month(dt.date.today()).start
    assert {r["month"] for r in _reports(console_app)} == {month}


def test_retention_deletes_the_reports_of_the_months_it_purges(console_app: InProcess):
    """A report summarises records: it goes when they go (server.retention_months), the
    months after the cutoff stay downloadable."""
    this_month = _month_start(console_app)
    last_month = monthly_reports.last_whole_month(this_month).start
    month_before = monthly_reports.last_whole_month(last_month).start
    monthly_reports.run_pass(console_app.engine, None, this_month)   # last month's
    monthly_reports.run_pass(console_app.engine, None, last_month)   # the month before's
    assert {r["month"] for r in _reports(console_app)} == {last_month, month_before}

    # One month kept: the cutoff is the first day of last month.
    retention.purge(console_app.engine, months=1, today=this_month)

    assert {r["month"] for r in _reports(console_app)} == {last_month}
    assert len(_reports(console_app)) == len(console_app.seed.sites)
