"""A private cupsd with one cups-pdf queue, on a private port, socket and spool.

cups-pdf reads its instance configuration from /etc/cups/cups-pdf-<NAME>.conf (the path is fixed
by the backend), so each run writes a uniquely named instance file and removes it at the end.
"""
from __future__ import annotations

import os
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .procs import Daemon, StackError, free_port, run, tail, unix_is_listening, wait_until

QUEUE = "KioskPDF"
CUPS_PDF_PPD = "lsb/usr/cups-pdf/CUPS-PDF_opt.ppd"
CUPS_PDF_CONF_DIR = Path("/etc/cups")
IPP_JOB_CANCELED = 7
IPP_JOB_COMPLETED = 9


def remove_stale_instances(max_age_s: float = 24 * 3600) -> None:
    """cups-pdf instance files left by test runs that were killed before their teardown.

    The name carries the PID of the run that wrote it; a file whose run is gone is removed.
    """
    for path in CUPS_PDF_CONF_DIR.glob("cups-pdf-kiosktest*.conf"):
        match = re.fullmatch(r"cups-pdf-kiosktest(\d+)x[0-9a-f]+\.conf", path.name)
        try:
            if match:
                if not Path(f"/proc/{match.group(1)}").exists():
                    path.unlink()
            elif time.time() - path.stat().st_mtime > max_age_s:
                path.unlink()
        except OSError:
            pass


def _cupsd_conf(port: int, sock: Path) -> str:
    return f"""\
# Private cupsd for the kiosk test harness.
LogLevel warn
Listen 127.0.0.1:{port}
Listen {sock}
Browsing No
BrowseLocalProtocols none
DefaultAuthType None
DefaultShared No
WebInterface No
# Privacy: nothing of a finished job stays in the spool or in the job history.
PreserveJobFiles No
PreserveJobHistory No
MaxJobs 0
<Location />
  Order allow,deny
  Allow all
</Location>
<Location /admin>
  Order allow,deny
  Allow all
</Location>
<Policy default>
  JobPrivateAccess all
  JobPrivateValues none
  SubscriptionPrivateAccess all
  SubscriptionPrivateValues none
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
"""


def _cups_files_conf(d: Path) -> str:
    return f"""\
ServerRoot {d}/etc
RequestRoot {d}/spool
TempDir {d}/spool/tmp
CacheDir {d}/cache
StateDir {d}/state
ErrorLog {d}/log/error_log
AccessLog {d}/log/access_log
PageLog {d}/log/page_log
Printcap {d}/printcap
"""


def _cups_pdf_conf(out_dir: Path, spool: Path) -> str:
    # Label 2 names every output "<title>-job_<id>.pdf", which is how tests find their job.
    return f"""\
Out {out_dir}
AnonDirName {out_dir}
Spool {spool}
Grp root
Label 2
UserUMask 0077
Log {spool}
LogType 1
"""


@dataclass
class CupsServer:
    dir: Path
    port: int
    socket: Path
    spool_dir: Path
    pdf_out_dir: Path
    instance_conf: Path
    queue: str = QUEUE
    _daemon: Daemon | None = field(default=None, repr=False)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def error_log(self) -> Path:
        return self.dir / "log" / "error_log"

    # -- life cycle -------------------------------------------------------------------------
    @classmethod
    def start(cls, root: Path, cupsd: str) -> CupsServer:
        d = root / "cups"
        for sub in ("etc/ppd", "etc/ssl", "spool/tmp", "cache", "state", "log", "pdf-out",
                    "cups-pdf-spool"):
            (d / sub).mkdir(parents=True, exist_ok=True)
        # cupsd drops to user lp for filters: they must reach the spool.
        os.chmod(d / "spool", 0o755)
        port = free_port()
        sock = d / "cups.sock"
        (d / "etc" / "cupsd.conf").write_text(_cupsd_conf(port, sock))
        (d / "etc" / "cups-files.conf").write_text(_cups_files_conf(d))
        name = f"kiosktest{os.getpid()}x{uuid.uuid4().hex[:8]}"
        instance = CUPS_PDF_CONF_DIR / f"cups-pdf-{name}.conf"
        instance.write_text(_cups_pdf_conf(d / "pdf-out", d / "cups-pdf-spool"))
        server = cls(dir=d, port=port, socket=sock, spool_dir=d / "spool",
                     pdf_out_dir=d / "pdf-out", instance_conf=instance)
        try:
            server._daemon = Daemon(
                "cupsd",
                [cupsd, "-f", "-c", str(d / "etc/cupsd.conf"),
                 "-s", str(d / "etc/cups-files.conf")],
                d / "log" / "cupsd.out",
            )
            wait_until(lambda: unix_is_listening(sock), timeout=20, what="cupsd",
                       log=server.error_log, alive=server._daemon.alive)
            run(["lpadmin", "-h", server.address, "-p", QUEUE, "-v", f"cups-pdf:/{name}",
                 "-E", "-m", CUPS_PDF_PPD, "-D", "Kiosk test PDF printer"],
                what="lpadmin (create the cups-pdf queue)")
            run(["lpadmin", "-h", server.address, "-d", QUEUE], what="lpadmin (default queue)")
        except BaseException:
            server.stop()
            raise
        return server

    def stop(self) -> None:
        if self._daemon is not None:
            self._daemon.stop()
            self._daemon = None
        self.instance_conf.unlink(missing_ok=True)

    @property
    def pid(self) -> int | None:
        return self._daemon.pid if self._daemon else None

    # -- helpers for tests ------------------------------------------------------------------
    def _admin(self, tool: str, *args: str) -> None:
        run([tool, "-h", self.address, *args, self.queue], what=tool)

    def disable_queue(self, reason: str = "test: queue stopped") -> None:
        self._admin("cupsdisable", "-r", reason)

    def enable_queue(self) -> None:
        self._admin("cupsenable")

    def reject_jobs(self, reason: str = "test: not accepting jobs") -> None:
        self._admin("cupsreject", "-r", reason)

    def accept_jobs(self) -> None:
        self._admin("cupsaccept")

    def watch_jobs(self, connection: Any) -> JobWatcher:
        """Follow job states through an IPP pull subscription on the queue.

        With PreserveJobHistory No a finished job is purged at once, so polling
        getJobAttributes() races the purge; the job-completed event does not.
        Create the watcher BEFORE submitting the job.
        """
        return JobWatcher(connection, self.queue)

    def wait_for_pdf(self, job_id: int, timeout: float = 60.0) -> Path:
        """The PDF cups-pdf wrote for this job, once it is complete on disk."""
        pattern = f"*-job_{job_id}.pdf"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for path in self.pdf_out_dir.rglob(pattern):
                data = path.read_bytes()
                # cups-pdf writes through Ghostscript: wait for the trailer, not just the file.
                if data.rstrip().endswith(b"%%EOF"):
                    return path
            time.sleep(0.1)
        raise StackError(
            f"no PDF for job {job_id} in {self.pdf_out_dir} after {timeout:.0f} s\n"
            f"{tail(self.error_log)}\n{tail(self.dir / 'cups-pdf-spool' / 'cups-pdf_log')}"
        )


class JobWatcher:
    """Final job states seen through IPP notifications (notify-pull-method ippget)."""

    def __init__(self, connection: Any, queue: str) -> None:
        self._conn = connection
        self._seq = 0
        self.final_states: dict[int, int] = {}
        self.events: list[dict[str, Any]] = []
        self.subscription_id: int = connection.createSubscription(
            f"ipp://localhost/printers/{queue}",
            events=["job-created", "job-state-changed", "job-completed"],
            lease_duration=3600,
        )

    def _pull(self) -> None:
        answer = self._conn.getNotifications([self.subscription_id], [self._seq + 1])
        for event in answer.get("events", []):
            self._seq = max(self._seq, int(event.get("notify-sequence-number", 0)))
            self.events.append(event)
            job_id, state = event.get("notify-job-id"), event.get("job-state")
            if job_id is not None and state is not None and state >= IPP_JOB_CANCELED:
                self.final_states[int(job_id)] = int(state)

    def wait(self, job_id: int, timeout: float = 60.0) -> int:
        """The final job-state (7 canceled, 8 aborted, 9 completed) of `job_id`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._pull()
            if job_id in self.final_states:
                return self.final_states[job_id]
            time.sleep(0.1)
        seen = [(e.get("notify-job-id"), e.get("job-state")) for e in self.events]
        raise StackError(f"job {job_id} did not finish in {timeout:.0f} s; events seen: {seen}")

    def close(self) -> None:
        try:
            self._conn.cancelSubscription(self.subscription_id)
        except Exception:  # noqa: BLE001  (cups.IPPError/RuntimeError: server already gone)
            pass
