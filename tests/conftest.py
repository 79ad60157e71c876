"""Test harness: environment for Kivy, and fixtures that start the REAL stacks on demand.

Each daemon (cupsd + cups-pdf, pcscd + vpcd, PostgreSQL) starts lazily the first time a test
asks for it, once per test run, on private directories under one temporary root and on private
ports, and is stopped by its own PID when the run ends. A missing binary or missing root skips
the tests that need it, with the reason. Stacks and their markers: cups, sane, pcsc, udev
(umockdev; those tests run under `umockdev-wrapper`, see scripts/run-tests.sh), postgres, display.
"""
from __future__ import annotations

# --- environment: must come before anything imports kivy ------------------------------------
import os
import secrets
import shutil
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# One root per test run for every private directory; removed at the end of the run. The name
# carries our PID so that roots left by killed runs can be recognised and removed.
from harness import cleanup  # no kivy, no device library
from harness.cups import remove_stale_instances

cleanup.remove_stale_roots(Path(tempfile.gettempdir()))
remove_stale_instances()
STACKS_ROOT = Path(tempfile.gettempdir()) / f"kiosk-stacks-{os.getpid()}-{secrets.token_hex(3)}"
STACKS_ROOT.mkdir(mode=0o755)
os.chmod(STACKS_ROOT, 0o755)  # the postgres and lp users must traverse it

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")  # warnings still reach logging / pytest capture
os.environ.setdefault("KIVY_LOG_LEVEL", "warning")
os.environ.setdefault("KIVY_HOME", str(STACKS_ROOT / "kivy-home"))
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ.setdefault("KIOSK_TEST_ARTIFACTS", str(REPO_ROOT / "test-artifacts"))
Path(os.environ["KIOSK_TEST_ARTIFACTS"]).mkdir(parents=True, exist_ok=True)
# libpcsclite reads PCSCLITE_CSOCK_NAME once per process: point it at this run's private pcscd
# from the start, so no test ever talks to (or waits on) a pcscd of the host.
PCSCD_DIR = STACKS_ROOT / "pcscd"
os.environ["PCSCLITE_CSOCK_NAME"] = str(PCSCD_DIR / "run" / "pcscd.comm")

# --- fixtures --------------------------------------------------------------------------------
import signal
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from harness import cups as cups_stack
from harness import pcsc as pcsc_stack
from harness import postgres as pg_stack
from harness import sane as sane_stack
from harness import signals
from harness import udev as udev_stack
from harness.procs import require_binary, require_root


def pytest_report_header(config: pytest.Config) -> str:
    return f"kiosk stacks root: {STACKS_ROOT} (artifacts: {os.environ['KIOSK_TEST_ARTIFACTS']})"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if udev_stack.under_umockdev_wrapper():
        return
    skip_udev = pytest.mark.skip(
        reason="udev tests need the process under umockdev-wrapper (LD_PRELOAD has "
               "libumockdev-preload); run `umockdev-wrapper python -m pytest -m udev` "
               "or scripts/run-tests.sh")
    for item in items:
        if "udev" in item.keywords:
            item.add_marker(skip_udev)


_session_exit_status: list[int] = []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _session_exit_status.append(int(exitstatus))


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    # Daemons are stopped by their session fixtures before this runs.
    if os.environ.get("KIOSK_KEEP_STACKS") == "1":
        (STACKS_ROOT / cleanup.KEEP_MARK).touch()  # later runs leave it alone
        print(f"kiosk stacks kept in {STACKS_ROOT}")
    else:
        shutil.rmtree(STACKS_ROOT, ignore_errors=True)
    # The report and the JUnit file are written: leave without running the C libraries'
    # destructors. This process has loaded Mesa, SDL, libcups/gnutls/p11-kit, libpq, SANE and
    # PC/SC, and a whole run leaves threads some of them started; once (1 run in 5), p11-kit's
    # destructor waited forever on glibc's locale lock at exit, after "1044 passed", and the run
    # never ended. The exit status is pytest's own.
    if _session_exit_status:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_session_exit_status[-1])


@pytest.fixture(autouse=True)
def _sigpipe_stays_ignored() -> Iterator[None]:
    """Every test leaves SIGPIPE ignored, as CPython sets it up.

    A C library that resets it (SANE's reader threads did) turns the next write to a closed pipe or
    socket, in any later test, into the death of the whole run (exit 141, no report): this names
    the test that let it happen instead, and puts the disposition back for the tests after it.
    """
    yield
    if not signals.sigpipe_ignored():
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)
        pytest.fail("SIGPIPE was left at its default action: a write to a closed pipe or socket "
                    "would now kill the process")


@pytest.fixture(scope="session")
def stacks_root() -> Path:
    """The run's private root directory (mode 0755) under which every stack lives."""
    return STACKS_ROOT


@pytest.fixture
def artifacts_dir(request: pytest.FixtureRequest) -> Path:
    """test-artifacts/<test module name>/ for screenshots, PDFs and logs worth keeping."""
    path = Path(os.environ["KIOSK_TEST_ARTIFACTS"]) / request.path.stem
    path.mkdir(parents=True, exist_ok=True)
    return path


# --- CUPS ------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def cups_server(stacks_root: Path) -> Iterator[cups_stack.CupsServer]:
    """A private cupsd with the cups-pdf queue "KioskPDF" (see harness/cups.py)."""
    cupsd = require_binary("cupsd", why="package cups")
    require_binary("lpadmin", why="package cups-client")
    require_root("cupsd's cups-pdf backend only runs as root")
    if not Path("/usr/lib/cups/backend/cups-pdf").exists():
        pytest.skip("cups-pdf backend missing (package printer-driver-cups-pdf)")
    cups_stack.remove_stale_instances()
    server = cups_stack.CupsServer.start(stacks_root, cupsd)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def cups_client(cups_server: cups_stack.CupsServer) -> Any:
    """A pycups Connection to the private cupsd (tests only: product code reads settings)."""
    cups = pytest.importorskip("cups", reason="pycups not installed (extra `hardware`)")
    cups.setServer("127.0.0.1")
    cups.setPort(cups_server.port)
    return cups.Connection()


# --- SANE ------------------------------------------------------------------------------------
def _sane_test_backend_present() -> bool:
    return any(Path(p).exists() for p in (
        "/usr/lib/x86_64-linux-gnu/sane/libsane-test.so.1",
        "/usr/lib/aarch64-linux-gnu/sane/libsane-test.so.1",
        "/usr/lib/sane/libsane-test.so.1",
    ))


@pytest.fixture(scope="session")
def sane_config(stacks_root: Path) -> Iterator[Path]:
    """Private SANE config dir (only the `test` backend: devices test:0, test:1).

    Sets SANE_CONFIG_DIR for the session; python-sane reads it at sane.init().
    """
    if not _sane_test_backend_present():
        pytest.skip("SANE test backend missing (package libsane1 / sane-utils)")
    directory = sane_stack.write_sane_config(stacks_root / "sane")
    previous = os.environ.get("SANE_CONFIG_DIR")
    os.environ["SANE_CONFIG_DIR"] = str(directory)
    try:
        yield directory
    finally:
        if previous is None:
            os.environ.pop("SANE_CONFIG_DIR", None)
        else:
            os.environ["SANE_CONFIG_DIR"] = previous


# --- PC/SC -----------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def pcscd() -> Iterator[pcsc_stack.Pcscd]:
    """pcscd with two vpcd virtual readers ("Virtual PCD 00 00" / "00 01") on private ports."""
    binary = require_binary("pcscd", why="package pcscd")
    driver = pcsc_stack.vpcd_driver()
    if driver is None:
        pytest.skip("vpcd driver missing (package vsmartcard-vpcd)")
    private = os.geteuid() == 0 and pcsc_stack.can_use_private_mount_namespace()
    if not private:
        run_dir = pcsc_stack.SYSTEM_SOCKET.parent
        if not os.access(run_dir if run_dir.exists() else run_dir.parent, os.W_OK):
            pytest.skip("pcscd needs root (a private mount namespace, or write access to "
                        f"{run_dir})")
        os.environ["PCSCLITE_CSOCK_NAME"] = str(pcsc_stack.SYSTEM_SOCKET)
    server = pcsc_stack.Pcscd.start(PCSCD_DIR, binary, driver, private_namespace=private)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def virtual_card(pcscd: pcsc_stack.Pcscd) -> Iterator[Callable[..., pcsc_stack.VirtualCard]]:
    """Factory: `card = virtual_card(uid=b"...", reader=0)` puts a badge on a virtual reader.

    The card answers its ATR and GET UID (FF CA 00 00 00 -> uid + 90 00); extra APDU answers
    can be given as responses={apdu: answer}. `card.remove()` takes it off; every card still
    present is removed at the end of the test, and the test waits until PC/SC sees it gone.
    """
    cards: list[pcsc_stack.VirtualCard] = []

    def put(uid: bytes = bytes.fromhex("04A1B2C3D4E5F6"), reader: int = 0,
            **kwargs: Any) -> pcsc_stack.VirtualCard:
        card = pcsc_stack.connect_card(pcscd.ports[reader], uid,
                                       reader_name=pcscd.reader_names[reader], **kwargs)
        cards.append(card)
        return card

    yield put
    for card in cards:
        card.remove()
    try:
        import smartcard  # noqa: F401  (waiting needs pyscard; putting a card does not)
    except ImportError:
        return
    for card in cards:
        card.wait_gone(timeout=10)


# --- udev (umockdev) -------------------------------------------------------------------------
@pytest.fixture(scope="session")
def _umockdev_testbeds() -> Iterator[None]:
    yield
    udev_stack.release_testbeds()


@pytest.fixture
def umockdev_testbed(_umockdev_testbeds: None) -> Iterator[Any]:
    """A fresh UMockdev.Testbed; add devices with harness.udev.add_usb_*().

    Use this fixture rather than UMockdev.Testbed.new(): testbeds are kept alive until the end
    of the run, because a collected testbed unsets UMOCKDEV_DIR for the whole process.
    """
    if not udev_stack.under_umockdev_wrapper():
        pytest.skip("needs the process under umockdev-wrapper (LD_PRELOAD has libumockdev-preload)")
    try:
        testbed = udev_stack.new_testbed()
    except (ImportError, ValueError) as exc:
        pytest.skip(f"UMockdev GObject introspection unavailable ({exc}); needs PyGObject "
                    "and gir1.2-umockdev-1.0")
    yield testbed
    del testbed


# --- PostgreSQL ------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def pg_cluster(stacks_root: Path) -> Iterator[pg_stack.PgCluster]:
    """A throwaway PostgreSQL cluster on a private socket dir and port (no TCP)."""
    bindir = pg_stack.find_pg_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries missing (package postgresql)")
    require_root("the cluster runs as user postgres through runuser")
    if not pg_stack.server_user_exists():
        pytest.skip("no `postgres` system user (package postgresql creates it)")
    pytest.importorskip("psycopg", reason="psycopg not installed")
    cluster = pg_stack.PgCluster.start(stacks_root / "postgres", bindir)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def pg_url(pg_cluster: pg_stack.PgCluster) -> Iterator[str]:
    """SQLAlchemy URL of a fresh empty database, dropped after the test."""
    import psycopg

    name = pg_cluster.create_database()
    yield pg_cluster.url(name)
    try:
        with psycopg.connect(pg_cluster.dsn(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except psycopg.Error:
        pass  # the cluster is thrown away at the end of the run anyway
