"""What a built artefact carries: a wheel built from a clean checkout (no compiled catalogue in
the tree) has the compiled .mo catalogues, both programs, the shared package and its data."""
from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


def clean_copy(dest: Path) -> Path:
    """The source tree as a fresh clone has it: tracked and new files, no build products."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    assert not list(dest.rglob("*.mo"))
    return dest


@pytest.mark.slow
def test_a_wheel_built_from_a_clean_checkout_carries_compiled_catalogues(tmp_path):
    src = clean_copy(tmp_path / "src")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", str(tmp_path / "dist"), str(src)], capture_output=True, text=True, check=False)
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = (tmp_path / "dist").glob("kiosk-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for lang in ("en", "ar"):
        assert f"kiosk/locale/{lang}/LC_MESSAGES/kiosk.mo" in names
    for needed in ("kiosk/cli.py", "kiosk_server/cli.py", "kiosk_wire/schema.py",
                   "kiosk_wire/catalogue.json", "kiosk_server/migrations/script.py.mako",
                   "kiosk_server/console/templates/base.html"):
        assert needed in names, needed
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    scripts = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "kiosk = kiosk.cli:main" in scripts
    assert "kiosk-server = kiosk_server.cli:main" in scripts
