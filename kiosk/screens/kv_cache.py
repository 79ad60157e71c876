"""The kv rules, parsed once and kept next to their file, as Python keeps its bytecode.

Kivy parses a .kv file at every start: it reads its lines, then compiles each rule's Python
expressions. For the rule files the welcome screen's first frame needs (the kit's, the page
template's, its own) that is ~15-20 ms of a cold start on a slow kiosk, most of what a kiosk
start costs over a bare Kivy app's. The parsed rules (Kivy's ``Parser``, its rules and their
compiled expressions) are therefore pickled to ``__kvcache__/NAME.kv.TAG.pickle`` beside the
file and read back in ~1 ms.

- **When it is written**: at build time for every .kv of the package (``make install``,
  ``packaging/venv.sh``: /opt/kiosk is read-only to the kiosk's service, like its bytecode), and
  when a file is loaded without one where the package's directory is writable (a developer's
  tree), unless Python is told not to write bytecode (``PYTHONDONTWRITEBYTECODE``).
- **When it is used**: only if it was made from the same bytes of the .kv file, by the same
  Kivy and Python (all in its header): an edited file is parsed again, never served stale.
- **Trust**: it is unpickled, so it is read only from the package's own directory, as its
  ``.pyc`` files are: whoever can write there can already change the code.

The expressions' code objects are stored without a file name and given the .kv file's path when
read (tracebacks name the file where it is installed, not where it was built); the ``#:import``
and ``#:set`` directives run again at each load, as Kivy runs them when it parses.
"""
from __future__ import annotations

import io
import logging
import marshal
import os
import sys
import types
from importlib.util import source_hash
from pathlib import Path
from typing import Any

try:  # the C unpickler itself: pickle.py (~2 ms) is only needed to write a cache, at build time
    from _pickle import Unpickler, UnpicklingError
except ImportError:  # an interpreter without the C accelerator
    from pickle import Unpickler, UnpicklingError

log = logging.getLogger(__name__)

CACHE_DIR = "__kvcache__"
FORMAT = 1  # bump when what is pickled changes
_CODE = "code"
# What a parsed rule file holds besides Kivy's parser classes (an unpickler takes no other)
_PLAIN_TYPES = {("collections", "OrderedDict"), ("builtins", "set"), ("builtins", "frozenset"),
                ("builtins", "slice"), ("builtins", "complex"), ("builtins", "range")}


def cache_path(kv: Path) -> Path:
    return kv.parent / CACHE_DIR / f"{kv.name}.{sys.implementation.cache_tag}.pickle"


def _header(source: bytes) -> bytes:
    """What the cache must have been made from: these bytes (hashed as Python hashes the
    sources of its hash-checked bytecode), this Kivy, this Python."""
    import kivy

    made_from = f"{FORMAT}:{kivy.__version__}:{sys.version_info[:3]}:".encode()
    return made_from + source_hash(source).hex().encode() + b"\n"


def load_rules(kv: Path) -> None:
    """Add the rules of ``kv`` to Kivy's Builder (as ``Builder.load_file`` does), from its cache
    when one made from this file exists, else parsed (and cached when that is allowed)."""
    from kivy.lang import Builder

    source = kv.read_bytes()
    name = str(kv)
    parser = read_cache(kv, source)
    if parser is None:
        parser = _parse(source, name)
        if not sys.dont_write_bytecode:
            write_cache(kv, source, parser)
    else:
        parser.execute_directives()  # #:import and #:set, which the parse had run
    if parser.root is not None or parser.templates:  # not a rule file: Kivy's own way
        Builder.load_string(source.decode("utf-8"), filename=name)
        return
    _register(parser, name)


def _parse(source: bytes, name: str) -> Any:
    from kivy.lang.parser import Parser

    return Parser(content=source.decode("utf-8"), filename=name)


def _register(parser: Any, name: str) -> None:
    """What ``Builder.load_string`` does with a parsed rule file (kivy/lang/builder.py)."""
    from kivy.factory import Factory
    from kivy.lang import Builder

    Builder.rules.extend(parser.rules)
    Builder._clear_matchcache()
    for class_name, bases in parser.dynamic_classes.items():
        Factory.register(class_name, baseclasses=bases, filename=name, warn=True)
    if parser.rules or parser.dynamic_classes:
        Builder.files.append(name)


def _dumps(parser: Any) -> bytes:
    """The pickled parser; code objects go as marshalled bytes, without their file name."""
    import pickle

    class _Pickler(pickle.Pickler):
        def persistent_id(self, obj: Any) -> Any:
            if isinstance(obj, types.CodeType):
                return (_CODE, marshal.dumps(_renamed(obj, "")))
            return None

    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(parser)
    return buffer.getvalue()


class _Unpickler(Unpickler):
    def __init__(self, data: bytes, filename: str) -> None:
        super().__init__(io.BytesIO(data))
        self.filename = filename

    def persistent_load(self, pid: Any) -> Any:
        kind, data = pid
        if kind != _CODE:
            raise UnpicklingError(f"unknown kv cache item {kind!r}")
        return _renamed(marshal.loads(data), self.filename)

    def find_class(self, module: str, name: str) -> Any:
        if not (module == "kivy.lang.parser" or (module, name) in _PLAIN_TYPES):
            raise UnpicklingError(f"{module}.{name} in a kv cache")
        return super().find_class(module, name)


def _renamed(code: types.CodeType, filename: str) -> types.CodeType:
    consts = tuple(_renamed(c, filename) if isinstance(c, types.CodeType) else c
                   for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


def read_cache(kv: Path, source: bytes) -> Any:
    """The parser cached for these bytes of ``kv``, or None (none, or made from other ones)."""
    try:
        data = cache_path(kv).read_bytes()
    except OSError:
        return None
    header = _header(source)
    if not data.startswith(header):
        return None
    try:
        parser = _Unpickler(data[len(header):], str(kv)).load()
    except Exception:  # a damaged cache is parsed again, never fatal
        log.warning("kv cache of %s unreadable: parsed again", kv.name, exc_info=True)
        return None
    parser.filename = str(kv)
    return parser


def write_cache(kv: Path, source: bytes, parser: Any) -> bool:
    """Write the cache of ``kv`` (atomically); False where it cannot be (read-only tree)."""
    target = cache_path(kv)
    partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    import pickle

    try:
        data = _header(source) + _dumps(parser)
        target.parent.mkdir(exist_ok=True)
        partial.write_bytes(data)
        os.replace(partial, target)
    except (OSError, pickle.PicklingError, TypeError, AttributeError) as err:
        log.debug("kv cache of %s not written: %s", kv.name, err)
        try:
            partial.unlink(missing_ok=True)
        except OSError:
            pass
        return False
    return True


def _rules_only(source: bytes, name: str) -> Any:
    """Parse without running the directives (at build time: they import the kiosk's widgets,
    which need a display; they run again at each load anyway)."""
    from kivy.lang.parser import Parser

    class RulesOnlyParser(Parser):
        __slots__ = ()

        def execute_directives(self) -> None:
            pass

    parser = RulesOnlyParser(content=source.decode("utf-8"), filename=name)
    parser.__class__ = Parser  # pickled as Kivy's own
    return parser


def compile_tree(root: Path) -> int:
    """Cache every .kv under ``root``; returns how many were written. Raises on a file that
    cannot be parsed or a cache that cannot be written (a build must not ship without)."""
    written = 0
    for kv in sorted(root.rglob("*.kv")):
        source = kv.read_bytes()
        if not write_cache(kv, source, _rules_only(source, kv.name)):
            raise OSError(f"kv cache of {kv} could not be written")
        written += 1
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m kiosk.screens.kv_cache [DIR]``: cache the package's kv rules (build time)."""
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]) if args else Path(__file__).parent
    print(f"kv cache: {compile_tree(root)} rule file(s) parsed and cached under {root}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
