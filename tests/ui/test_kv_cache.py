"""The kv rules parsed at build time (kiosk/screens/kv_cache.py): what a start reads back is
what Kivy would have parsed, an edited or damaged cache is never used, and nothing but Kivy's
parser objects is ever unpickled from one."""
from __future__ import annotations

import pickle
import types
from pathlib import Path
from typing import Any

import pytest
from kivy.factory import Factory
from kivy.lang import Builder
from kivy.lang.parser import Parser
from kivy.uix.label import Label

from kiosk.screens import kv_cache

SCREENS = Path(kv_cache.__file__).parent

RULE = """#:import ceil math.ceil
#:set CACHED_SIZE 20.5
<CachedLabel@Label>:
    text: "{words}"
    font_size: ceil(CACHED_SIZE)
    on_touch_down: self.color = (1, 0, 0, 1)
"""


def shape(parser: Any) -> list[Any]:
    """What Kivy applies of a parsed file: each rule's selector, properties (their source,
    compiled code and watched keys), handlers and children."""
    def rule(r: Any) -> Any:
        props = []
        for p in [*r.properties.values(), *r.handlers]:
            value = p.co_value
            code = (value.co_code, value.co_consts[:1]) if isinstance(value, types.CodeType) \
                else value
            props.append((p.name, p.value, p.line, code, p.watched_keys))
        return (r.name, r.line, r.id, props, [rule(c) for c in r.children])
    return [(selector.key, rule(r)) for selector, r in parser.rules]


@pytest.mark.parametrize("kv", sorted(SCREENS.rglob("*.kv")), ids=lambda kv: kv.name)
def test_the_rules_read_from_a_cache_are_the_ones_kivy_parses(kv: Path, tmp_path: Path):
    copy = tmp_path / kv.name
    copy.write_bytes(kv.read_bytes())
    parsed = Parser(content=copy.read_text(encoding="utf-8"), filename=str(copy))
    assert kv_cache.compile_tree(tmp_path) == 1
    cached = kv_cache.read_cache(copy, copy.read_bytes())
    assert cached is not None
    assert shape(cached) == shape(parsed)
    assert cached.dynamic_classes == parsed.dynamic_classes
    assert cached.directives == parsed.directives
    # tracebacks name the file where it is, not where the cache was made
    codes = [code for _, r in cached.rules for code in codes_of(r)]
    assert codes and {c.co_filename for c in codes} == {str(copy)}


def codes_of(rule: Any) -> list[types.CodeType]:
    found = [p.co_value for p in [*rule.properties.values(), *rule.handlers]
             if isinstance(p.co_value, types.CodeType)]
    for child in rule.children:
        found += codes_of(child)
    return found


def load(kv: Path) -> Any:
    kv_cache.load_rules(kv)
    try:
        return Factory.CachedLabel()
    finally:
        Builder.unload_file(str(kv))
        Factory.unregister("CachedLabel")


def test_an_edited_kv_file_is_parsed_again_never_served_from_its_old_cache(tmp_path: Path):
    kv = tmp_path / "cached.kv"
    kv.write_text(RULE.format(words="avant"), encoding="utf-8")
    kv_cache.compile_tree(tmp_path)
    assert load(kv).text == "avant"
    kv.write_text(RULE.format(words="après"), encoding="utf-8")
    assert kv_cache.read_cache(kv, kv.read_bytes()) is None
    label = load(kv)
    assert isinstance(label, Label) and label.text == "après"
    assert label.font_size == 21  # the directives ran again: `ceil` and `CACHED_SIZE` found


def test_a_load_without_a_cache_writes_one_unless_bytecode_is_not_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    kv = tmp_path / "cached.kv"
    kv.write_text(RULE.format(words="bonjour"), encoding="utf-8")
    monkeypatch.setattr("sys.dont_write_bytecode", True)
    assert load(kv).text == "bonjour"
    assert not kv_cache.cache_path(kv).exists()
    monkeypatch.setattr("sys.dont_write_bytecode", False)
    assert load(kv).text == "bonjour"
    assert kv_cache.read_cache(kv, kv.read_bytes()) is not None
    assert load(kv).text == "bonjour"  # and from it


def test_a_read_only_tree_loads_its_rules_without_a_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    kv = tmp_path / "cached.kv"
    kv.write_text(RULE.format(words="lecture seule"), encoding="utf-8")
    (tmp_path / kv_cache.CACHE_DIR).write_text("not a directory")  # nothing can be written
    monkeypatch.setattr("sys.dont_write_bytecode", False)
    assert load(kv).text == "lecture seule"
    assert kv_cache.write_cache(kv, kv.read_bytes(), object()) is False
    with pytest.raises(OSError):
        kv_cache.compile_tree(tmp_path)  # a build must not ship without its caches


def test_a_damaged_cache_is_parsed_again(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    kv = tmp_path / "cached.kv"
    kv.write_text(RULE.format(words="réparé"), encoding="utf-8")
    kv_cache.compile_tree(tmp_path)
    cache = kv_cache.cache_path(kv)
    data = cache.read_bytes()
    cache.write_bytes(data[: len(data) // 2])
    assert kv_cache.read_cache(kv, kv.read_bytes()) is None
    assert "parsed again" in caplog.text
    assert load(kv).text == "réparé"


class Planted:
    def __reduce__(self) -> Any:
        import os
        return (os.system, ("touch /tmp/kv-cache-planted",))


def test_a_cache_holding_anything_but_the_parsers_objects_is_refused(tmp_path: Path):
    kv = tmp_path / "cached.kv"
    kv.write_text(RULE.format(words="x"), encoding="utf-8")
    source = kv.read_bytes()
    cache = kv_cache.cache_path(kv)
    cache.parent.mkdir()
    cache.write_bytes(kv_cache._header(source) + pickle.dumps(Planted()))
    assert kv_cache.read_cache(kv, source) is None
    assert not Path("/tmp/kv-cache-planted").exists()


def test_the_build_caches_every_rule_file_of_the_screens(tmp_path: Path):
    import shutil
    import subprocess
    import sys

    tree = tmp_path / "screens"
    shutil.copytree(SCREENS, tree, ignore=shutil.ignore_patterns("__kvcache__", "__pycache__"))
    done = subprocess.run([sys.executable, "-m", "kiosk.screens.kv_cache", str(tree)],
                          capture_output=True, text=True, check=True, timeout=120)
    files = sorted(tree.rglob("*.kv"))
    assert f"{len(files)} rule file(s)" in done.stdout
    assert all(kv_cache.read_cache(kv, kv.read_bytes()) is not None for kv in files)
