"""Terminals update from a signed apt repository (packaging/repo.sh) with kiosk-update, in a
Debian 12 container running the kiosk for real: an upgrade from the repository works and is
checked (welcome screen reached); a new version that fails its health check (no welcome screen,
or a failing `kiosk doctor`) is rolled back to the one that ran; an
unsigned repository is refused; a pinned version is what gets installed, set on the machine or
handed over by the kiosk from the console (kiosk-update.path), never during a session.

The repository is a directory inside the container's root (a file: source), signed with a
throwaway GPG key made here; the third and fourth versions, broken on purpose, are the second
one repacked with a `kiosk run` that exits at once, or a `kiosk doctor` that fails.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from harness.procs import require_binary
from server.helpers import make_tenant, open_migrated

from kiosk_server import tables as t
from kiosk_server import version_pins
from kiosk_server.demo import spawn_server
from kiosk_server.version_pins import PinPlace

from .container import REPO_ROOT, DebianContainer
from .kiosk_session import show, start_kiosk_session, wait_for, welcome_shown

# The first test of a module waits for the two builds (each up to 900 s, see conftest) and a
# booted container: far past the suite's 600 s per test when the other lanes share the cores.
pytestmark = [pytest.mark.slow, pytest.mark.packaging, pytest.mark.timeout(2400)]

BROKEN = "0.1.0-1~test3"
SICK = "0.1.0-1~test4"
SOURCES = """Types: deb
URIs: file:{uri}
Suites: ./
Signed-By: /etc/kiosk/repo-key.gpg
"""
# A broken build: the program is there (doctor passes) but the kiosk never shows its screen.
BROKEN_KIOSK = """#!/bin/sh
case "$1" in run) echo "broken build" >&2; exit 70;; esac
exec /opt/kiosk/bin/python -m kiosk.cli "$@"
"""
# A sick build: it would show its screen, but its doctor finds the machine unfit for it.
SICK_KIOSK = """#!/bin/sh
case "$1" in doctor) echo "sick build" >&2; exit 1;; esac
exec /opt/kiosk/bin/python -m kiosk.cli "$@"
"""


def gpg(home: Path, *args: str) -> str:
    return subprocess.run(["gpg", "--batch", "--homedir", str(home), *args], check=True,
                          capture_output=True, text=True).stdout


def make_repo(directory: Path, debs: list[Path], home: Path | None) -> None:
    env = {**os.environ}
    if home is not None:
        env |= {"GNUPGHOME": str(home), "KIOSK_REPO_KEY": "kiosk-test@example.invalid"}
    done = subprocess.run(["bash", str(REPO_ROOT / "packaging" / "repo.sh"), str(directory),
                           *map(str, debs)], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def repack_broken(deb: Path, out_dir: Path, version: str = BROKEN,
                  program: str = BROKEN_KIOSK) -> Path:
    """``deb`` repacked as ``version``, its `kiosk` command replaced by ``program``."""
    tree = out_dir / "tree"
    subprocess.run(["dpkg-deb", "-R", str(deb), str(tree)], check=True)
    control = tree / "DEBIAN" / "control"
    control.write_text("\n".join(f"Version: {version}" if line.startswith("Version:") else line
                                 for line in control.read_text().splitlines()) + "\n")
    (tree / "opt" / "kiosk" / "bin" / "kiosk").write_text(program)
    out = out_dir / f"kiosk_{version}_amd64.deb"
    subprocess.run(["dpkg-deb", "-Zzstd", "-z1", "--root-owner-group", "-b", str(tree),
                    str(out)], check=True, capture_output=True)
    shutil.rmtree(tree)
    return out


def update(debian: DebianContainer) -> tuple[int, dict[str, str]]:
    done = debian.run(["env", "KIOSK_UPDATE_HEALTH_TIMEOUT_S=60", "kiosk-update"], check=False,
                      timeout=900)
    state = dict(line.split("=", 1) for line in
                 debian.sh("cat /var/lib/kiosk-update/state").splitlines())
    return done.returncode, state


def installed(debian: DebianContainer) -> str:
    return debian.sh("dpkg-query -W -f '${Version}' kiosk")


@pytest.fixture(scope="module")
def signing_key(tmp_path_factory) -> Path:
    require_binary("gpg", why="signs the test repository")
    require_binary("apt-ftparchive", why="indexes the test repository (package apt-utils)")
    home = tmp_path_factory.mktemp("gnupg")
    home.chmod(0o700)
    gpg(home, "--passphrase", "", "--quick-gen-key", "kiosk test <kiosk-test@example.invalid>",
        "ed25519", "sign", "never")
    return home


@pytest.fixture(scope="module")
def kiosk_running(debian: DebianContainer, debs, signing_key) -> Iterator[DebianContainer]:
    first, _ = debs
    start_kiosk_session(debian, f"/debs/first/{first.deb('kiosk').name}")
    (debian.root / "etc" / "kiosk" / "repo-key.gpg").write_bytes(
        subprocess.run(["gpg", "--batch", "--homedir", str(signing_key), "--export"],
                       check=True, capture_output=True).stdout)
    yield debian


def use_repo(debian: DebianContainer, uri: str) -> None:
    (debian.root / "etc" / "apt" / "sources.list.d" / "kiosk.sources").write_text(
        SOURCES.format(uri=uri))


def test_an_upgrade_from_the_signed_repository_is_installed_and_checked(kiosk_running, debs,
                                                                       signing_key):
    debian = kiosk_running
    first, second = debs
    make_repo(debian.root / "srv" / "repo", [first.deb("kiosk"), second.deb("kiosk")],
              signing_key)
    use_repo(debian, "/srv/repo")
    assert debian.sh("systemctl is-enabled kiosk-update.timer") == "enabled"

    code, state = update(debian)
    assert (code, state["state"], state["version"]) == (0, "updated", second.version)
    assert installed(debian) == second.version
    assert welcome_shown(debian)
    # The version it came from is kept, to come back to.
    assert first.version.replace("~", "%7e") in debian.sh("ls /var/lib/kiosk-update/kept") or \
        first.version in debian.sh("ls /var/lib/kiosk-update/kept")

    code, state = update(debian)
    assert (code, state["state"], installed(debian)) == (0, "up_to_date", second.version)


def test_a_broken_new_version_is_rolled_back(kiosk_running, debs, signing_key, tmp_path):
    debian = kiosk_running
    _, second = debs
    if installed(debian) != second.version:
        pytest.skip("needs the upgrade of the previous test")
    make_repo(debian.root / "srv" / "repo", [repack_broken(second.deb("kiosk"), tmp_path)],
              signing_key)

    code, state = update(debian)
    assert code == 1
    assert (state["state"], state["version"], state["tried"]) == ("rolled_back", second.version,
                                                                  BROKEN)
    assert installed(debian) == second.version
    wait_for(lambda: welcome_shown(debian), "the previous version's welcome screen")
    assert "broken build" in debian.sh("journalctl -u kiosk --no-pager -o cat")


def test_a_new_version_whose_doctor_fails_is_rolled_back(kiosk_running, debs, signing_key,
                                                         tmp_path):
    """The health check's first half: `kiosk doctor` of the new version must pass before its
    screen is even waited for."""
    debian = kiosk_running
    _, second = debs
    if installed(debian) != second.version:
        pytest.skip("needs the upgrade of the first test")
    make_repo(debian.root / "srv" / "repo",
              [repack_broken(second.deb("kiosk"), tmp_path, SICK, SICK_KIOSK)], signing_key)

    code, state = update(debian)
    assert code == 1
    assert (state["state"], state["version"], state["tried"]) == ("rolled_back", second.version,
                                                                  SICK)
    assert installed(debian) == second.version
    wait_for(lambda: welcome_shown(debian), "the previous version's welcome screen")


def test_a_site_pins_the_version_its_kiosks_run(kiosk_running, debs):
    debian = kiosk_running
    first, second = debs
    if installed(debian) != second.version:
        pytest.skip("needs the upgrade of the first test")
    debian.sh(f"echo '{first.version}' > /etc/kiosk/update-pin")
    try:
        code, state = update(debian)
    finally:
        debian.sh("rm -f /etc/kiosk/update-pin")
    assert (code, state["state"], installed(debian)) == (0, "updated", first.version)


def state_after_path_run(debian: DebianContainer, stamp: str) -> dict[str, str]:
    """The outcome of the kiosk-update run that kiosk-update.path started (after ``stamp``)."""
    def finished() -> dict[str, str] | None:
        if show(debian, "kiosk-update.service", "ActiveState") == "activating":
            return None
        state = dict(line.split("=", 1) for line in
                     debian.sh("cat /var/lib/kiosk-update/state").splitlines())
        return state if state.get("at", "") >= stamp else None
    return wait_for(finished, "kiosk-update started by kiosk-update.path", tries=600)


def test_the_version_pinned_in_the_console_is_installed_between_sessions(
        kiosk_running, debs, signing_key, tmp_path):
    """The whole chain: a version pinned for the kiosk's site on a real server (this checkout's,
    on the host: the container shares its network) reaches the kiosk app in its heartbeat
    reply; the app hands it over (update-pin), kiosk-update.path starts the update, which waits
    while a session journal exists, installs the version once there is none, and the kiosk's
    next heartbeats tell the server the version it now runs."""
    debian = kiosk_running
    first, second = debs
    if installed(debian) != first.version:
        pytest.skip("needs the first version running (the pin test leaves it so)")
    make_repo(debian.root / "srv" / "repo", [first.deb("kiosk"), second.deb("kiosk")],
              signing_key)
    use_repo(debian, "/srv/repo")
    assert debian.sh("systemctl is-enabled kiosk-update.path") == "enabled"
    try:
        # A session in progress: an update the kiosk asks for waits.
        debian.sh("runuser -u kiosk -- sh -c 'mkdir -p /var/lib/kiosk/journal && "
                  "echo {} > /var/lib/kiosk/journal/session.json'")
        stamp = debian.sh("sleep 1; date -u +%Y-%m-%dT%H:%M:%SZ")
        debian.sh(f"runuser -u kiosk -- sh -c 'echo {second.version} > "
                  "/var/lib/kiosk/update-pin'")
        state = state_after_path_run(debian, stamp)
        assert (state["state"], installed(debian)) == ("waiting", first.version)
        debian.sh("rm /var/lib/kiosk/journal/session.json")  # the session is over

        db = f"sqlite:///{tmp_path / 'server.sqlite'}"
        engine = open_migrated(db)
        tenant = make_tenant(engine)
        with engine.begin() as conn:
            version_pins.set_pin(conn, PinPlace.SITE, tenant.site_id, second.version)
        server = spawn_server(tmp_path / "server-data", database_url=db)
        try:
            debian.run(["kiosk", "setup", "--server", server.url, "--kiosk-token", tenant.token,
                        "--name", "Borne accueil", "--pin", "482915", "--no-start"])
            debian.sh("mkdir -p /etc/systemd/system/kiosk.service.d && printf '[Service]\\n"
                      "Environment=KIOSK_SYNC_HEARTBEAT_S=2\\n' > "
                      "/etc/systemd/system/kiosk.service.d/test-heartbeat.conf && "
                      "systemctl daemon-reload && systemctl restart kiosk")
            try:
                wait_for(lambda: installed(debian) == second.version,
                         "the pinned version installed", tries=600)
            except AssertionError as err:  # say where the chain broke
                raise AssertionError(f"{err}\n" + debian.sh(
                    "cat /var/lib/kiosk/update-pin /var/lib/kiosk-update/state; "
                    "journalctl --no-pager -o cat -u kiosk-update -u kiosk-update.path "
                    "| tail -40; journalctl --no-pager -o cat -u kiosk | grep -iv kivy "
                    "| tail -30", check=False)) from None
            state = state_after_path_run(debian, stamp)
            assert (state["state"], state["version"]) == ("updated", second.version)
            wait_for(lambda: welcome_shown(debian), "the new version's welcome screen")

            def reported() -> str | None:
                with engine.connect() as conn:
                    return conn.execute(sa.select(t.kiosk_status.c.package_version)).scalar()
            wait_for(lambda: reported() == second.version, "the new version in the heartbeat")
        finally:
            server.stop()
            engine.dispose()
    finally:
        debian.sh("rm -f /var/lib/kiosk/update-pin /var/lib/kiosk/journal/session.json "
                  "/etc/systemd/system/kiosk.service.d/test-heartbeat.conf")
        debian.run(["systemctl", "daemon-reload"])


def test_an_unsigned_repository_is_refused(kiosk_running, debs, tmp_path):
    debian = kiosk_running
    _, second = debs
    before = installed(debian)
    make_repo(debian.root / "srv" / "unsigned", [second.deb("kiosk")], None)
    use_repo(debian, "/srv/unsigned")

    code, state = update(debian)
    assert (code, state["state"]) == (1, "refused")
    assert installed(debian) == before
    assert "not signed" in debian.sh("cat /var/lib/kiosk-update/apt-update.log")
