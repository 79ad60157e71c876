"""The package's layering rules, checked on the code itself.

- `import kiosk` and every non-UI module import on a machine without Kivy, libcups, SANE,
  pcscd or udev bindings: device libraries are imported lazily by their backend only.
- Kivy is imported only by kiosk/app.py and kiosk/screens/.
- Each device library is imported by exactly one backend module.
- Two programs, one shared part: the terminal (kiosk/) never imports the server (kiosk_server/)
  nor its web and database libraries; the server imports nothing of the terminal but the shared
  kiosk_wire/ (and the practice checker, lazily, in kiosk_server/procedures/checking.py), and
  neither Kivy nor a device library; kiosk_wire/ imports neither program.
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
        if name.split('.')[0] in {blocked!r}:
            raise ImportError('blocked for this test: ' + name)
sys.meta_path.insert(0, Block())
import importlib
for m in {modules!r}:
    importlib.import_module(m)
"""


def import_all_with_blocked(modules: list[str], blocked: tuple[str, ...]) -> None:
    """Import ``modules`` in a fresh interpreter where the ``blocked`` top-level packages are
    unimportable; fails with the interpreter's traceback."""
    code = BLOCKER.format(blocked=blocked, modules=modules)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-3000:]


def imported_roots(path: Path) -> set[str]:
    """Top-level modules imported anywhere in a file (module level or inside functions)."""
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def imported_modules(path: Path) -> set[str]:
    """Full names of the modules a file imports, and of the names it imports from them (a
    ``from kiosk import screens`` counts as ``kiosk.screens``)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def imports_of(where: str, parts: tuple[str, ...]) -> list[tuple[str, str]]:
    """(file, module) for every import of one of ``parts`` (``kiosk.x`` modules or packages)
    by the files of ``where`` (a folder or one file of the repository)."""
    target = ROOT / where
    files = sorted(target.rglob("*.py")) if target.is_dir() else [target]
    return [(rel(p), m) for p in files for m in sorted(imported_modules(p))
            if any(m == part or m.startswith(part + ".") for part in parts)]


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
    import_all_with_blocked(non_ui_modules(), BLOCKED)


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


# The one exception: the server runs the practice checker on procedures written in the console
# (it defines what a kiosk accepts), imported on first use by this module alone.
SERVER_USES_THE_CHECKER = "kiosk_server/procedures/checking.py"


def test_the_server_imports_only_the_shared_part_of_the_terminal_side():
    found = importers(SERVER, ("kiosk", "kivy", *DEVICE_LIBS))
    assert found.pop(SERVER_USES_THE_CHECKER, {"kiosk"}) == {"kiosk"}
    assert found == {}
    checker_imports = {node.module for node in ast.walk(ast.parse(
        (ROOT / SERVER_USES_THE_CHECKER).read_text())) if isinstance(node, ast.ImportFrom)}
    assert {m for m in checker_imports if m and m.startswith("kiosk.")} <= {
        "kiosk.practice.checker", "kiosk.practice.loader", "kiosk.practice.yamlines",
        "kiosk.practice.catalogue", "kiosk.practice.parcours_file"}


def test_the_shared_part_imports_neither_program_nor_their_libraries():
    assert importers(WIRE, ("kiosk", "kiosk_server", "kivy", *DEVICE_LIBS, *SERVER_LIBS)) == {}


def test_every_server_module_imports_without_the_terminal_kivy_or_device_libraries():
    modules = [module_name(p) for p in sorted(SERVER.rglob("*.py")) if "/migrations/" not in rel(p)]
    modules += [module_name(p) for p in sorted(WIRE.rglob("*.py"))]
    import_all_with_blocked(modules, ("kiosk", *BLOCKED))


def test_terminal_modules_import_without_the_server_libraries():
    import_all_with_blocked(non_ui_modules(), (*BLOCKED, *SERVER_LIBS, "kiosk_server"))


# The kiosk's own layers: what each part must never import (above it, or beside it).
UI = ("kiosk.app", "kiosk.app_cli", "kiosk.demo", "kiosk.screens")
NEVER_IMPORTS = {
    "kiosk/media": ("kiosk.devices", "kiosk.documents", "kiosk.sessions", "kiosk.practice",
                    "kiosk.sync", "kiosk.storage", "kiosk.runtime", "kiosk.doctor", *UI),
    "kiosk/devices": ("kiosk.documents", "kiosk.sessions", "kiosk.practice", "kiosk.sync",
                      "kiosk.storage", "kiosk.runtime", "kiosk.doctor", *UI),
    "kiosk/sessions": ("kiosk.devices", "kiosk.documents", "kiosk.practice", "kiosk.sync",
                       "kiosk.runtime", "kiosk.doctor", *UI),
    "kiosk/storage.py": ("kiosk.devices", "kiosk.documents", "kiosk.sessions", "kiosk.practice",
                         "kiosk.sync", "kiosk.runtime", "kiosk.doctor", *UI),
    "kiosk/documents": ("kiosk.practice", "kiosk.sync", "kiosk.runtime", "kiosk.doctor", *UI),
    "kiosk/sync": ("kiosk.devices", "kiosk.documents", "kiosk.practice", "kiosk.runtime",
                   "kiosk.doctor", *UI),
    "kiosk/practice": ("kiosk.sync", "kiosk.doctor", *UI),
    "kiosk/runtime.py": UI,
    "kiosk/runtime_parts.py": ("kiosk.runtime", *UI),
    "kiosk/help_calls.py": ("kiosk.runtime", *UI),
    "kiosk/mediator_status.py": ("kiosk.runtime", *UI),
    "kiosk/doctor": UI,
}


def test_each_part_of_the_kiosk_imports_only_the_parts_below_it():
    offenders = {where: imports_of(where, parts) for where, parts in NEVER_IMPORTS.items()}
    assert {where: found for where, found in offenders.items() if found} == {}


def test_nothing_outside_the_ui_imports_the_screens():
    # kiosk/demo.py is the scripted walk of the UI (`kiosk demo`): it drives the screens.
    offenders = [(rel(p), m) for p in sorted(PACKAGE.rglob("*.py"))
                 if not rel(p).startswith(UI_MODULES) and rel(p) != "kiosk/demo.py"
                 for m in sorted(imported_modules(p))
                 if m == "kiosk.screens" or m.startswith("kiosk.screens.")]
    assert offenders == []


def test_media_imports_no_other_part_of_the_kiosk():
    assert [(f, m) for f, m in imports_of("kiosk/media", ("kiosk",))
            if not m.startswith("kiosk.media")] == []
