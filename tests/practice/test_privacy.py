"""What a person types in a practice never reaches the store, the queue, the journal or logs.

Every procedure of the catalogue is played inside a REAL session core (SQLite store, journal,
workspace on disk), with the persona's values and some typical mistakes, then the session
ends. We then read every byte the kiosk wrote and every log line captured.
"""
from __future__ import annotations

import logging
import random
import time
from pathlib import Path

from kiosk.practice.catalogue import load_catalogue
from kiosk.practice.engine import Mode, PracticeRun
from kiosk.practice.model import FieldType
from kiosk.practice.solution import page_solution
from kiosk.sessions import SessionState, open_core
from kiosk.sessions.clock import ManualClock
from kiosk_wire import config
from kiosk_wire.logs import configure_logging
from kiosk_wire.schema import EndReason, SessionRecord

from .play import play_to_end

CATALOGUE = load_catalogue()


def sensitive_values() -> set[str]:
    """What a person types from the persona card (not choice values, which are catalogue
    vocabulary), long enough to be recognisable (not '0' or '850')."""
    typed = {FieldType.TEXT, FieldType.DATE, FieldType.NUMBER, FieldType.PASSWORD}
    values = set()
    for procedure in CATALOGUE.procedures:
        for page in procedure.pages:
            for fld in page.fields:
                value = procedure.persona.value(fld.persona) if fld.persona else None
                if fld.type in typed and value and len(value) >= 5:
                    values.add(value)
    return values


def files_bytes(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_typed_values_never_reach_store_queue_journal_or_logs(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    settings = config.defaults().with_overrides({
        "kiosk.data_dir": str(tmp_path / "data"), "kiosk.session_dir": str(tmp_path / "ram"),
        "kiosk.log_dir": str(tmp_path / "logs"), "kiosk.log_level": "DEBUG"})
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    log_file = configure_logging(settings)   # the kiosk's real rotating log file, at DEBUG
    try:
        _play_everything_and_check(tmp_path, settings, caplog)
        assert log_file is not None
        logged = log_file.read_text(encoding="utf-8")
        assert "practice ameli-compte: page accueil refused (compte=choice.unknown)" in logged
    finally:
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
                handler.close()
        root.setLevel(level)


def _play_everything_and_check(tmp_path, settings, caplog) -> None:
    clock = ManualClock()
    core = open_core(settings, clock=clock)
    core.recover()
    core.start()
    typed_keys = []
    for procedure in CATALOGUE.procedures:
        run = PracticeRun(procedure, Mode.AUTONOMOUS, values=core, clock=clock,
                          rng=random.Random(1))
        # a typical mistake first: the persona value with a typo, then the right values
        page = run.page
        wrong = {f.id: (str(v) + "9" if isinstance(v, str) else v)
                 for f, v in zip(page.fields, page_solution(page, procedure).values(),
                                 strict=False)}
        run.submit(wrong)
        play_to_end(run)
        typed_keys += [f"practice/{procedure.id}/{f.id}" for p in procedure.pages
                       for f in p.fields]
        assert any(core.recall(k) is not None for k in typed_keys)  # kept for the session...
        core.add_activity(run.activity())
        core.touch()
    summary = core.end(EndReason.FINISHED, offer_survey=False)
    assert summary.values > 0
    assert core.state is SessionState.IDLE
    assert all(core.recall(k) is None for k in typed_keys)        # ...and wiped at its end

    # the queued record: counts only, validated by the wire schema
    assert core.store is not None
    queued = core.store.due(time.time() + 1e9, 100)
    assert len(queued) == 1
    record = SessionRecord.model_validate(queued[0].payload)
    assert {a.procedure_id for a in record.activities} == set(CATALOGUE.ids())
    assert all(a.completed for a in record.activities)

    # every byte on disk: store (with WAL), journal, workspaces, the log file
    written = files_bytes(tmp_path)
    assert any(p.suffix == ".sqlite" or "store" in p.name or p.suffix == ".db" for p in written)
    values = sensitive_values()
    assert len(values) >= 20
    for path, data in written.items():
        for value in values:
            for variant in {value, value + "9"}:
                assert variant.encode("utf-8") not in data, f"{variant!r} found in {path}"
    logs = "\n".join(r.getMessage() for r in caplog.records)
    for value in values:
        assert value not in logs, f"{value!r} found in the logs"
