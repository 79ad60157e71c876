"""docs/install.md followed as an installer would, in a fresh Debian 12 booted with systemd: the
server's and the terminal's steps, each command typed as the page writes it (the test checks
the page still says it), on one machine standing for both. Steps that need a person or real
hardware are left out and named: A.2 PostgreSQL (tested in tests/server/), A.3 and B.5 an
editor, A.4 nginx (tests/test_nginx_proxy.py), B.4 a printer, B.6 a proxy (tests/sync/),
B.9/B.10 a reboot and a read-only root (tests/packages/test_kiosk_session.py)."""
from __future__ import annotations

import re

import pytest
from harness.procs import free_port

from .container import REPO_ROOT, DebianContainer
from .test_deb_install import health, wait_until_active

# The first test of a module waits for the two builds (each up to 900 s, see conftest) and a
# booted container, and `apt install ./kiosk_*.deb` brings Chromium and its recommends: far past
# the suite's 300 s per test when the other lanes share the cores.
pytestmark = [pytest.mark.slow, pytest.mark.packaging, pytest.mark.timeout(2400)]

INSTALL_MD = (REPO_ROOT / "docs" / "install.md").read_text(encoding="utf-8")


def documented(command: str) -> str:
    """The command as docs/install.md writes it (with its placeholders), or the test fails."""
    assert f"`{command}`" in INSTALL_MD or command in INSTALL_MD, \
        f"docs/install.md no longer says: {command}"
    return command


def typed(debian: DebianContainer, command: str, cwd: str = "/root", **values: str) -> str:
    """Run a documented command, its placeholders filled in, as root in a login shell."""
    line = documented(command)
    for key, value in values.items():
        line = line.replace(key, value)
    return debian.run(["bash", "-lc", f"cd {cwd} && {line}"]).stdout


def test_an_installer_follows_install_md_from_blank_machines_to_an_enrolled_kiosk(debian, debs):
    _, build = debs
    # apt asks "Do you want to continue?": the installer says yes (here, once for all).
    debian.sh("echo 'APT::Get::Assume-Yes \"true\";' > /etc/apt/apt.conf.d/90yes")
    debian.sh("cp /debs/second/*.deb /root/")

    # A.1 the server's package; its port moved off the default (the host's network is shared).
    typed(debian, "apt install ./kiosk-server_*.deb")
    assert debian.sh("systemctl is-enabled kiosk-server") == "enabled"
    port = free_port()
    debian.sh(f"sed -i 's/^port = .*/port = {port}/' /etc/kiosk-server/kiosk-server.toml "
              "&& systemctl restart kiosk-server")
    assert wait_until_active(debian, "kiosk-server") == "active"
    assert health(debian, port)["status"] == "ok"
    # A.5 the territory, a site, the kiosk, its one-time installation token.
    typed(debian, 'kiosk-server admin territory create "Essonne"')
    debian.run(["kiosk-server", "admin", "site", "create", "--territory", "Essonne", "FS Évry"])
    typed(debian, 'kiosk-server admin kiosk create --site SITE "Borne accueil"',
          SITE="'FS Évry'")
    token = typed(debian, "kiosk-server admin token enrolment KIOSK",
                  KIOSK="'Borne accueil'").strip().splitlines()[-1]
    # A.6 a console user.
    debian.run(["kiosk-server", "admin", "user", "create", "med-evry", "--role", "mediator",
                "--site", "FS Évry", "--password-stdin"], input="a long pass phrase 42\n")

    # B.2 the terminal's package.
    typed(debian, "apt install ./kiosk_*.deb")
    assert debian.sh("stat -c '%U:%G %a' /etc/kiosk/credentials") == "root:root 700"
    # B.3 kiosk setup, scripted: the server's name for the kiosk is taken.
    out = typed(debian, "kiosk setup --server URL --token TOKEN --pin PIN",
                URL=f"http://127.0.0.1:{port}", TOKEN=token, PIN="482915 --no-start")
    assert "Borne accueil (FS Évry)" in out
    assert debian.sh("stat -c '%U:%G %a' /etc/kiosk/credentials/sync.token") == "root:root 600"
    assert '"Borne accueil"' in debian.sh("kiosk config show")
    # The server's key for the procedures published from its console, written by the setup.
    documented("`sync.catalogue_public_key`, written to")
    assert re.search(r'^catalogue_public_key = "[0-9a-f]{64}"$',
                     debian.sh("cat /etc/kiosk/kiosk.toml"), re.M)
    # With --kiosk-token instead of an enrolment token, the page says where the key comes from.
    documented("kiosk-server admin catalogue-key")
    # B.7 the doctor speaks plain French about what this machine lacks (no printer here).
    doctor = debian.run(["bash", "-lc", documented("kiosk doctor")], check=False)
    assert "✗" in doctor.stdout or "✓" in doctor.stdout
    assert "Traceback" not in doctor.stdout + doctor.stderr
    # B.8 the update repository's source (its key: any file will do for apt to read it).
    debian.sh("touch /root/kiosk-archive.gpg")
    typed(debian, "install -m 644 kiosk-archive.gpg /etc/kiosk/repo-key.gpg")
    line = re.search(r"`(printf 'Types: deb[^`]+kiosk\.sources)`", INSTALL_MD)
    assert line, "docs/install.md no longer writes kiosk.sources with printf"
    debian.run(["bash", "-c", line.group(1)])
    assert "Signed-By: /etc/kiosk/repo-key.gpg" in debian.sh(
        "cat /etc/apt/sources.list.d/kiosk.sources")
    assert debian.sh("systemctl is-enabled kiosk-update.timer kiosk-update.path") \
        == "enabled\nenabled"
    assert build.version == debian.sh("dpkg-query -W -f '${Version}' kiosk")
