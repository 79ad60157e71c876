"""The .deb files installed with apt into a fresh Debian 12 booted with systemd: users, private
settings, services enabled and running as their users, an upgrade that keeps data and settings,
a purge that leaves nothing. Dependencies come from the Debian mirror (apt's cache is kept)."""
from __future__ import annotations

import json
import time

import pytest
from harness.procs import free_port
from server.helpers import make_tenant, open_migrated

from kiosk_server import enrolment
from kiosk_server.demo import spawn_server

from .container import DebianContainer

# The first test of a module waits for the two builds (each up to 900 s, see conftest) and a
# booted container: far past the suite's 600 s per test when the other lanes share the cores.
pytestmark = [pytest.mark.slow, pytest.mark.packaging, pytest.mark.timeout(2400)]

APT_INSTALL = ["apt-get", "install", "-y", "-q", "--no-install-recommends"]
TRANSLATE_PRINT = ("import gettext, kiosk, pathlib; "
                   "d = pathlib.Path(kiosk.__file__).parent / 'locale'; "
                   "print(gettext.translation('kiosk', d, ['en']).gettext('Imprimer'))")
HEALTH = ("import sys, urllib.request; "
          "print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())")


def apt_install(debian: DebianContainer, deb: str) -> None:
    debian.run([*APT_INSTALL, deb])


def version_of(debian: DebianContainer, package: str) -> str:
    return debian.sh(f"dpkg-query -W -f '${{Version}}' {package}")


def owner_mode(debian: DebianContainer, path: str) -> str:
    return debian.sh(f"stat -c '%U:%G %a' {path}")


def wait_until_active(debian: DebianContainer, unit: str, tries: int = 60) -> str:
    """The unit's state once it has settled (a readiness wait, not a timing assertion)."""
    state = ""
    for _ in range(tries):
        state = debian.run(["systemctl", "is-active", unit], check=False).stdout.strip()
        if state == "active":
            break
        time.sleep(0.5)
    return state


def health(debian: DebianContainer, port: int) -> dict[str, object]:
    last = ""
    for _ in range(60):  # the server migrates its database before it listens
        done = debian.run(["/opt/kiosk-server/bin/python", "-c", HEALTH,
                           f"http://127.0.0.1:{port}/api/v1/health"], check=False)
        if done.returncode == 0:
            return dict(json.loads(done.stdout))
        last = done.stderr
        time.sleep(0.5)
    raise AssertionError(f"health never answered:\n{last[-2000:]}\n"
                         f"{debian.sh('journalctl -u kiosk-server --no-pager | tail -30')}")


def main_pid_user(debian: DebianContainer, unit: str) -> str:
    pid = debian.sh(f"systemctl show -p MainPID --value {unit}")
    # minbase has no ps; /proc/PID itself is root's for a process that changed its user.
    return debian.sh(f"id -nu $(awk '/^Uid:/ {{print $2}}' /proc/{pid}/status)")


def test_server_package_installs_runs_upgrades_and_purges(debian, debs):
    first, second = debs
    apt_install(debian, f"/debs/first/{first.deb('kiosk-server').name}")

    assert debian.sh("id -u kiosk-server").isdigit()
    assert owner_mode(debian, "/etc/kiosk-server/kiosk-server.toml") == "root:kiosk-server 640"
    assert owner_mode(debian, "/var/lib/kiosk-server") == "kiosk-server:kiosk-server 700"
    assert debian.sh("systemctl is-enabled kiosk-server") == "enabled"
    # The host's network is shared: move the server off the default port, as an admin would
    # edit the settings; the edit must survive the upgrade (a conffile).
    port = free_port()
    debian.sh(f"sed -i 's/^port = .*/port = {port}/' /etc/kiosk-server/kiosk-server.toml")
    debian.run(["systemctl", "restart", "kiosk-server"])
    assert wait_until_active(debian, "kiosk-server") == "active"
    assert health(debian, port)["status"] == "ok"
    # Asked once it answers: a Type=simple unit is "active" while its process, forked by
    # systemd, is still root, before it takes the unit's user.
    assert main_pid_user(debian, "kiosk-server") == "kiosk-server"

    # Data made with the admin command (as root: the wrapper runs it as kiosk-server).
    debian.run(["kiosk-server", "admin", "territory", "create", "Essonne"])
    assert "Essonne" in debian.sh("kiosk-server admin territory list")
    assert debian.sh("find /var/lib/kiosk-server ! -user kiosk-server") == ""

    apt_install(debian, f"/debs/second/{second.deb('kiosk-server').name}")
    assert version_of(debian, "kiosk-server") == second.version
    assert f"port = {port}" in debian.sh("cat /etc/kiosk-server/kiosk-server.toml")
    assert owner_mode(debian, "/etc/kiosk-server/kiosk-server.toml") == "root:kiosk-server 640"
    assert wait_until_active(debian, "kiosk-server") == "active"
    assert health(debian, port)["status"] == "ok"
    assert "Essonne" in debian.sh("kiosk-server admin territory list")

    debian.run(["apt-get", "purge", "-y", "-q", "kiosk-server"])
    assert debian.run(["getent", "passwd", "kiosk-server"], check=False).returncode == 2
    assert debian.run(["getent", "group", "kiosk-server"], check=False).returncode == 2
    assert debian.sh("ls -d /etc/kiosk-server /var/lib/kiosk-server /opt/kiosk-server "
                     "/usr/bin/kiosk-server 2>/dev/null || true") == ""
    assert "kiosk-server" not in debian.sh("dpkg-statoverride --list")
    assert debian.run(["systemctl", "cat", "kiosk-server"], check=False).returncode != 0
    assert debian.sh("find /etc/systemd /var/lib/systemd -name 'kiosk-server*'") == ""


def test_terminal_package_installs_is_set_up_upgrades_and_purges(debian, debs, tmp_path):
    first, second = debs
    apt_install(debian, f"/debs/first/{first.deb('kiosk').name}")

    assert debian.sh("id -u kiosk").isdigit()
    assert owner_mode(debian, "/etc/kiosk") == "root:kiosk 750"
    assert owner_mode(debian, "/etc/kiosk/kiosk.toml") == "root:kiosk 640"
    assert owner_mode(debian, "/var/lib/kiosk") == "kiosk:kiosk 700"
    assert debian.sh("systemctl is-enabled kiosk") == "enabled"
    assert debian.sh("systemctl show -p User --value kiosk") == "kiosk"
    # Not started before `kiosk setup` (it would only fail without its settings).
    assert debian.run(["systemctl", "is-active", "kiosk"], check=False).stdout.strip() != "active"

    # Enrolment against a real server (this checkout's, on the host: the container shares its
    # network), with a one-time token as the console makes it; a second use is refused.
    engine = open_migrated(f"sqlite:///{tmp_path / 'server.sqlite'}")
    tenant = make_tenant(engine)
    with engine.begin() as conn:
        token, _ = enrolment.create(conn, tenant.kiosk_id)
    server = spawn_server(tmp_path / "server-data",
                          database_url=f"sqlite:///{tmp_path / 'server.sqlite'}")
    try:
        setup = ["kiosk", "setup", "--server", server.url, "--token", token,
                 "--name", "Borne accueil", "--pin", "482915", "--no-start"]
        debian.run(setup)
        used = debian.run(setup, check=False)
    finally:
        server.stop()
        engine.dispose()
    assert used.returncode == 1 and "déjà servi" in used.stderr and "Traceback" not in used.stderr
    assert owner_mode(debian, "/etc/kiosk/kiosk.toml") == "root:kiosk 640"
    assert owner_mode(debian, "/etc/kiosk/credentials") == "root:root 700"
    assert owner_mode(debian, "/etc/kiosk/credentials/sync.token") == "root:root 600"
    assert "token" not in debian.sh("cat /etc/kiosk/kiosk.toml")
    shown = debian.sh("runuser -u kiosk -- kiosk config show")  # the service's user reads it
    assert '"Borne accueil"' in shown and server.url in shown
    # The unit hands the token to the kiosk alone (LoadCredential=): the app reads it there.
    loaded = debian.sh("systemd-run --wait --pipe -q -p User=kiosk "
                       "-p LoadCredential=kiosk:/etc/kiosk/credentials "
                       "-p Environment=KIOSK_CONFIG=/etc/kiosk/kiosk.toml "
                       "/opt/kiosk/bin/python -c 'from kiosk_wire import config; "
                       "print(len(config.load().get(\"sync.token\")))'")
    assert int(loaded) >= 16
    assert debian.run(["runuser", "-u", "nobody", "--", "cat", "/etc/kiosk/kiosk.toml"],
                      check=False).returncode != 0
    # The installed catalogues translate (compiled .mo in the package).
    english = debian.run(["/opt/kiosk/bin/python", "-c", TRANSLATE_PRINT])
    assert english.stdout.strip() == "Print"
    debian.run(["runuser", "-u", "kiosk", "--", "sh", "-c", "echo kept > /var/lib/kiosk/marker"])

    apt_install(debian, f"/debs/second/{second.deb('kiosk').name}")
    assert version_of(debian, "kiosk") == second.version
    assert '"Borne accueil"' in debian.sh("kiosk config show")
    assert owner_mode(debian, "/etc/kiosk/kiosk.toml") == "root:kiosk 640"
    assert debian.sh("cat /var/lib/kiosk/marker") == "kept"

    debian.run(["apt-get", "purge", "-y", "-q", "kiosk"])
    assert debian.run(["getent", "passwd", "kiosk"], check=False).returncode == 2
    assert debian.run(["getent", "group", "kiosk"], check=False).returncode == 2
    assert debian.sh("ls -d /etc/kiosk /var/lib/kiosk /var/log/kiosk /opt/kiosk /usr/bin/kiosk "
                     "2>/dev/null || true") == ""
    assert debian.sh("find /etc/systemd /var/lib/systemd -name 'kiosk.*'") == ""
