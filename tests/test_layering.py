"""The package's layering rules, checked on the code itself.

- `import kiosk` and every non-UI module import on a machine without Kivy, libcups, SANE,
  pcscd or udev bindings: device libraries are imported lazily by their backend only.
- Kivy is imported only by kiosk/app.py and kiosk/screens/.
- Each device library is imported by exactly one backend module.
- Two programs, one shared part: the terminal (kiosk/) never imports the server (kiosk_server/)
  nor its web and database libraries; the server imports nothing of the terminal but the shared
  kiosk_wire/, and neither Kivy nor a device library; kiosk_wire/ imports neither program.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
PACKAGE = ROOT / "kiosk"
SERVER = ROOT / "kiosk_server"
WIRE = ROOT / "kiosk_wire"
# What only a server installs (the `server` extra).
SERVER_LIBS = ("fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "psycopg", "jinja2",
               "openpyxl", "pygal", "itsdangerous", "multipart", "python_multipart", "httpx")
UI_MODULES = ("kiosk/app.py", "kiosk/screens/")
DEVICE_LIBS = ("cups", "sane", "smartcard", "pyudev")
BLOCKED = ("kivy", *DEVICE_LIBS, "gi")

BLOCKER = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split('.')[0] in %r:
            raise ImportError('blocked for this test: ' + name)
sys.meta_path.insert(0, Block())
"""


def imported_roots(path: Path) -> set[str]:
    """Top-level modules imported anywhere in a file (module level or inside functions)."""
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def module_name(path: Path) -> str:
    return rel(path)[:-3].replace("/", ".").removesuffix(".__init__")


def importers(package: Path, roots: tuple[str, ...]) -> dict[str, set[str]]:
    """Files of ``package`` that import one of ``roots``, with what they import."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        hit = imported_roots(path) & set(roots)
        if hit:
            found[rel(path)] = hit
    return found


def non_ui_modules() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        r = rel(path)
        if r.startswith(UI_MODULES) or r in ("kiosk/app_cli.py", "kiosk/demo.py"):
            continue
        if "/migrations/" in r:  # Alembic scripts are run by Alembic, not imported
            continue
        names.append(r[:-3].replace("/", ".").removesuffix(".__init__"))
    return names


def test_non_ui_modules_import_without_kivy_or_device_libraries():
    code = BLOCKER % (BLOCKED,) + "\nimport importlib\nfor m in %r:\n    importlib.import_module(m)\n" % (
        non_ui_modules(),)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-3000:]


def test_kivy_is_imported_only_by_the_ui():
    offenders = [rel(p) for p in PACKAGE.rglob("*.py")
                 if "kivy" in imported_roots(p) and not rel(p).startswith(UI_MODULES)]
    assert offenders == []


def test_each_device_library_is_imported_by_one_backend_module_only():
    for lib in DEVICE_LIBS:
        users = [rel(p) for p in PACKAGE.rglob("*.py") if lib in imported_roots(p)]
        assert len(users) <= 1, f"{lib} imported by {users}"
        assert all(u.startswith("kiosk/devices/") for u in users), users


def test_the_terminal_never_imports_the_server_nor_its_libraries():
    assert importers(PACKAGE, ("kiosk_server", *SERVER_LIBS)) == {}


def test_the_server_imports_only_the_shared_part_of_the_terminal_side():
    assert importers(SERVER, ("kiosk", "kivy", *DEVICE_LIBS)) == {}


def test_the_shared_part_imports_neither_program_nor_their_libraries():
    assert importers(WIRE, ("kiosk", "kiosk_server", "kivy", *DEVICE_LIBS, *SERVER_LIBS)) == {}


def test_every_server_module_imports_without_the_terminal_kivy_or_device_libraries():
    modules = [module_name(p) for p in sorted(SERVER.rglob("*.py")) if "/migrations/" not in rel(p)]
    modules += [module_name(p) for p in sorted(WIRE.rglob("*.py"))]
    code = BLOCKER % (("kiosk", *BLOCKED),) + (
        "\nimport importlib\nfor m in %r:\n    importlib.import_module(m)\n" % (modules,))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-3000:]


def test_terminal_modules_import_without_the_server_libraries():
    code = BLOCKER % ((*BLOCKED, *SERVER_LIBS, "kiosk_server"),) + (
        "\nimport importlib\nfor m in %r:\n    importlib.import_module(m)\n" % (
            non_ui_modules(),))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
