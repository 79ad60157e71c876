"""pcscd with the vpcd virtual readers, and a small virtual contactless card of our own.

pcscd's server socket path (/run/pcscd/pcscd.comm) is compiled in. To keep each test run private
(several engineers and CI jobs share a machine), pcscd runs in its own mount namespace where a
private directory is bind-mounted on /run/pcscd; clients reach it through PCSCLITE_CSOCK_NAME,
which libpcsclite reads once per process. Without that possibility (no CAP_SYS_ADMIN), pcscd
uses the shared path and the run is skipped if another pcscd already owns it.

vpcd's TCP port comes from DEVICENAME "/dev/null:<port>" in reader.conf, so ports are private too;
the driver exposes two readers "<FRIENDLYNAME> 00 00" and "... 00 01" on port and port+1.
"""
from __future__ import annotations

import os
import socket
import struct
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .procs import (
    Daemon,
    StackError,
    free_port_pair,
    tail,
    unix_is_listening,
    wait_until,
)

SYSTEM_SOCKET = Path("/run/pcscd/pcscd.comm")
VPCD_DRIVER_CANDIDATES = (
    Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so"),
    Path("/usr/lib64/pcsc/drivers/serial/libifdvpcd.so"),
)
FRIENDLY_NAME = "Virtual PCD"
# PC/SC part 3 ATR of a contactless storage card (MIFARE Classic 1K), what a badge reader reports.
BADGE_ATR = bytes.fromhex("3B8F8001804F0CA000000306030001000000006A")
GET_UID = bytes.fromhex("FFCA000000")
SW_OK = b"\x90\x00"
SW_INS_NOT_SUPPORTED = b"\x6d\x00"


def vpcd_driver() -> Path | None:
    return next((p for p in VPCD_DRIVER_CANDIDATES if p.exists()), None)


def can_use_private_mount_namespace() -> bool:
    try:
        return subprocess.run(
            ["unshare", "-m", "--propagation", "private", "--", "true"],
            capture_output=True, timeout=10, check=False,
        ).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _listening_tcp_ports() -> set[int]:
    """Ports in LISTEN state, read from /proc (connecting would look like a card to vpcd)."""
    ports: set[int] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if len(parts) > 3 and parts[3] == "0A":
                ports.add(int(parts[1].rsplit(":", 1)[1], 16))
    return ports


@dataclass
class Pcscd:
    dir: Path
    socket: Path
    ports: tuple[int, int]
    reader_names: tuple[str, str]
    private_namespace: bool
    _daemon: Daemon | None = field(default=None, repr=False)

    @classmethod
    def start(cls, directory: Path, pcscd: str, driver: Path, *, private_namespace: bool) -> Pcscd:
        conf_dir = directory / "reader.conf.d"
        run_dir = directory / "run"
        conf_dir.mkdir(parents=True, exist_ok=True)
        run_dir.mkdir(parents=True, exist_ok=True)
        port = free_port_pair()
        (conf_dir / "vpcd").write_text(
            f'FRIENDLYNAME "{FRIENDLY_NAME}"\n'
            f"DEVICENAME   /dev/null:{port}\n"
            f"LIBPATH      {driver}\n"
            f"CHANNELID    {port}\n"
        )
        argv = [pcscd, "-f", "-c", str(conf_dir)]
        if private_namespace:
            sock = run_dir / "pcscd.comm"
            argv = ["unshare", "-m", "--propagation", "private", "--", "sh", "-c",
                    'mkdir -p /run/pcscd && mount --bind "$0" /run/pcscd && exec "$@"',
                    str(run_dir), *argv]
        else:
            sock = SYSTEM_SOCKET
            if unix_is_listening(sock):
                import pytest
                pytest.skip(f"another pcscd already serves {sock} and this machine cannot give "
                            "pcscd a private mount namespace (unshare -m failed)")
        log = directory / "pcscd.log"
        daemon = Daemon("pcscd", argv, log)
        server = cls(dir=directory, socket=sock, ports=(port, port + 1),
                     reader_names=(f"{FRIENDLY_NAME} 00 00", f"{FRIENDLY_NAME} 00 01"),
                     private_namespace=private_namespace, _daemon=daemon)
        try:
            wait_until(lambda: unix_is_listening(sock), timeout=20, what="pcscd socket",
                       log=log, alive=daemon.alive)
            wait_until(lambda: {port, port + 1} <= _listening_tcp_ports(), timeout=20,
                       what="vpcd virtual readers", log=log, alive=daemon.alive)
        except BaseException:
            server.stop()
            raise
        return server

    @property
    def pid(self) -> int | None:
        return self._daemon.pid if self._daemon else None

    @property
    def log(self) -> Path:
        return self.dir / "pcscd.log"

    def log_tail(self) -> str:
        return tail(self.log)

    def stop(self) -> None:
        if self._daemon is not None:
            self._daemon.stop()
            self._daemon = None


class VirtualCard:
    """A contactless badge on a vpcd reader: answers power/reset/ATR and GET UID.

    vpcd protocol: frames of a 2-byte big-endian length + payload. A 1-byte payload is a
    control (0 power off, 1 power on, 2 reset, 4 get ATR -> reply with the ATR); a longer one
    is an APDU, answered with data + status word. Closing the socket removes the card.
    """

    def __init__(self, port: int, uid: bytes, *, atr: bytes = BADGE_ATR,
                 responses: dict[bytes, bytes] | None = None,
                 reader_name: str | None = None) -> None:
        self.port = port
        self.reader_name = reader_name
        self.uid = uid
        self.atr = atr
        self.responses = dict(responses or {})
        self.apdus: list[bytes] = []  # every APDU the reader sent, for assertions
        self._sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self._sock.settimeout(None)
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._serve, name=f"vicc:{port}", daemon=True)
        self._thread.start()

    # -- protocol ---------------------------------------------------------------------------
    def _recv_exact(self, n: int) -> bytes | None:
        buf = b""
        while len(buf) < n:
            try:
                chunk = self._sock.recv(n - len(buf))
            except OSError:
                return None
            if not chunk:
                return None
            buf += chunk
        return buf

    def _send(self, payload: bytes) -> None:
        self._sock.sendall(struct.pack(">H", len(payload)) + payload)

    def answer(self, apdu: bytes) -> bytes:
        if apdu in self.responses:
            return self.responses[apdu]
        if apdu[:4] == GET_UID[:4]:
            le = apdu[4] if len(apdu) > 4 else 0
            if le not in (0, len(self.uid)):
                return bytes([0x6C, len(self.uid)])  # wrong Le: tell the right one
            return self.uid + SW_OK
        return SW_INS_NOT_SUPPORTED

    def _serve(self) -> None:
        while not self._closed.is_set():
            header = self._recv_exact(2)
            if header is None:
                break
            (length,) = struct.unpack(">H", header)
            payload = self._recv_exact(length)
            if payload is None:
                break
            try:
                if length == 1:
                    if payload[0] == 4:
                        self._send(self.atr)
                    # power on/off and reset need no answer
                else:
                    self.apdus.append(payload)
                    self._send(self.answer(payload))
            except OSError:
                break
        self._closed.set()

    # -- life cycle -------------------------------------------------------------------------
    @property
    def present(self) -> bool:
        return not self._closed.is_set()

    def wait_seen(self, timeout: float = 10.0) -> None:
        """Block until PC/SC reports the card in its reader (about 0.3 s after connecting)."""
        self._wait_presence(True, timeout)

    def wait_gone(self, timeout: float = 10.0) -> None:
        """Block until PC/SC reports the reader empty."""
        self._wait_presence(False, timeout)

    def _wait_presence(self, present: bool, timeout: float) -> None:
        if self.reader_name is None:
            raise StackError("this card was created without reader_name")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if card_is_present(self.reader_name) == present:
                return
            time.sleep(0.05)
        raise StackError(f"card {'never appeared in' if present else 'still in'} "
                         f"{self.reader_name!r} after {timeout:.0f} s")

    def remove(self) -> None:
        """Take the card off the reader (close the vpcd connection)."""
        if self._sock.fileno() != -1:
            try:
                self._sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._sock.close()
        self._closed.set()
        self._thread.join(5)


def connect_card(port: int, uid: bytes, **kwargs: object) -> VirtualCard:
    try:
        return VirtualCard(port, uid, **kwargs)  # type: ignore[arg-type]
    except OSError as exc:
        raise StackError(f"cannot reach the vpcd reader on port {port}: {exc}") from exc


def card_is_present(reader: str) -> bool:
    """Whether PC/SC reports a card in `reader` (pyscard, through PCSCLITE_CSOCK_NAME)."""
    from smartcard.scard import (
        SCARD_S_SUCCESS,
        SCARD_SCOPE_USER,
        SCARD_STATE_PRESENT,
        SCARD_STATE_UNAWARE,
        SCardEstablishContext,
        SCardGetStatusChange,
        SCardReleaseContext,
    )

    rc, ctx = SCardEstablishContext(SCARD_SCOPE_USER)
    if rc != SCARD_S_SUCCESS:
        raise StackError(f"SCardEstablishContext failed: {rc:#x} (socket "
                         f"{os.environ.get('PCSCLITE_CSOCK_NAME')})")
    try:
        rc, states = SCardGetStatusChange(ctx, 0, [(reader, SCARD_STATE_UNAWARE)])
        if rc != SCARD_S_SUCCESS:
            raise StackError(f"SCardGetStatusChange({reader!r}) failed: {rc:#x}")
        return bool(states[0][1] & SCARD_STATE_PRESENT)
    finally:
        SCardReleaseContext(ctx)
