"""What the two .deb files carry and declare, read with dpkg-deb (no installation)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

# The first test of a module waits for the two builds (each up to 900 s, see conftest) and a
# booted container: far past the suite's 600 s per test when the other lanes share the cores.
pytestmark = [pytest.mark.slow, pytest.mark.packaging, pytest.mark.timeout(2400)]


def control(deb: Path) -> dict[str, str]:
    text = subprocess.run(["dpkg-deb", "-f", str(deb)], capture_output=True, text=True,
                          check=True).stdout
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line[0].isspace():
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


def contents(deb: Path) -> set[str]:
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True,
                             check=True).stdout
    return {line.split(None, 5)[5].split(" -> ")[0].lstrip(".") for line in listing.splitlines()}


def depends(fields: dict[str, str]) -> set[str]:
    return {d.split()[0] for d in fields["Depends"].split(", ")}


def extract(deb: Path, dest: Path) -> Path:
    subprocess.run(["dpkg-deb", "-x", str(deb), str(dest)], check=True)
    return dest


def test_both_packages_carry_the_version_they_were_built_with(debs):
    for build in debs:
        for package in ("kiosk", "kiosk-server"):
            fields = control(build.deb(package))
            assert (fields["Package"], fields["Version"]) == (package, build.version)


def test_the_terminal_package_depends_on_its_run_time_system_packages(debs):
    fields = control(debs[0].deb("kiosk"))
    needed = {"cups", "sane-utils", "pcscd", "espeak-ng", "sox", "fonts-dejavu-core", "libgl1",
              "libegl1", "adduser", "python3.11"}
    assert needed <= depends(fields), needed - depends(fields)
    # The device bindings compiled into the venv bring their libraries (dh_shlibdeps).
    assert {"libcups2", "libsane1"} <= depends(fields)
    # Nothing only the build or the tests need.
    assert not depends(fields) & {"build-essential", "libcups2-dev", "swig", "chromium",
                                  "postgresql", "xvfb", "umockdev"}


def test_the_terminal_package_has_its_venv_catalogues_unit_and_command(debs):
    files = contents(debs[0].deb("kiosk"))
    site = "/opt/kiosk/lib/python3.11/site-packages"
    for path in ("/opt/kiosk/bin/kiosk", "/usr/bin/kiosk", "/lib/systemd/system/kiosk.service",
                 f"{site}/kiosk/locale/en/LC_MESSAGES/kiosk.mo",
                 f"{site}/kiosk/locale/ar/LC_MESSAGES/kiosk.mo",
                 f"{site}/kiosk/setup_cli.py", f"{site}/kivy/__init__.py",
                 f"{site}/cups.cpython-311-x86_64-linux-gnu.so"):
        assert path in files, path
    assert not any(f.startswith(f"{site}/fastapi/") for f in files), "server library in terminal"
    assert "/opt/kiosk/bin/kiosk-server" not in files


def test_the_terminal_package_brings_its_locked_down_seat_session(debs):
    fields = control(debs[0].deb("kiosk"))
    assert {"sway", "swayidle", "xwayland", "libpam-systemd"} <= depends(fields)
    files = contents(debs[0].deb("kiosk"))
    for path in ("/lib/systemd/system/kiosk-session.service",
                 "/lib/systemd/system/kiosk-backoff.service",
                 "/usr/lib/sysctl.d/90-kiosk.conf", "/usr/lib/systemd/logind.conf.d/kiosk.conf",
                 "/usr/lib/systemd/system.conf.d/kiosk.conf", "/usr/sbin/kiosk-update",
                 "/lib/systemd/system/kiosk-update.service",
                 "/lib/systemd/system/kiosk-update.timer"):
        assert path in files, path


def test_the_server_package_has_no_kivy_and_a_private_conffile(debs, tmp_path):
    deb = debs[0].deb("kiosk-server")
    files = contents(deb)
    site = "/opt/kiosk-server/lib/python3.11/site-packages"
    for path in ("/opt/kiosk-server/bin/kiosk-server", "/usr/bin/kiosk-server",
                 "/lib/systemd/system/kiosk-server.service", f"{site}/fastapi/__init__.py",
                 "/etc/kiosk-server/kiosk-server.toml"):
        assert path in files, path
    assert not any(f.startswith((f"{site}/kivy/", f"{site}/cups")) for f in files)
    assert "kivy" not in control(deb)["Depends"].lower()
    info = tmp_path / "info"
    subprocess.run(["dpkg-deb", "-e", str(deb), str(info)], check=True)
    assert (info / "conffiles").read_text().split() == ["/etc/kiosk-server/kiosk-server.toml"]
    postinst = (info / "postinst").read_text()
    assert "dpkg-statoverride --update --add root kiosk-server 0640" in postinst
    assert "deb-systemd-helper" in postinst  # enabled by dh_installsystemd


def test_the_venvs_are_relocated_to_opt(debs, tmp_path):
    for package in ("kiosk", "kiosk-server"):
        root = extract(debs[0].deb(package), tmp_path / package)
        venv = root / "opt" / package
        script = (venv / "bin" / package).read_text()
        assert script.startswith(f"#!/opt/{package}/bin/python"), script.splitlines()[0]
        for path in [*(venv / "bin").iterdir(), venv / "pyvenv.cfg"]:
            if path.is_file() and not path.is_symlink():
                assert "debian/" not in path.read_text(errors="replace"), path
        assert (venv / "bin" / "python").resolve(strict=False).name.startswith("python3")
        pyc = next((venv / "lib").rglob(f"{'kiosk_server' if package != 'kiosk' else 'kiosk'}"
                                        "/__pycache__/cli.cpython-311.pyc"))
        assert f"/opt/{package}/".encode() in pyc.read_bytes()  # compiled with the final path
        if package == "kiosk":  # the screens' kv rules parsed at build time, as the bytecode
            screens = next(p for p in (venv / "lib").rglob("screens") if p.parent.name == "kiosk")
            rules = sorted(screens.rglob("*.kv"))
            cached = sorted(screens.rglob("__kvcache__/*.kv.cpython-311.pickle"))
            assert rules and sorted(c.name.split(".kv.")[0] for c in cached) == \
                sorted(kv.stem for kv in rules), (rules, cached)
        shutil.rmtree(root)  # ~400 MB that pytest would otherwise keep for three runs
