"""Generated national datasets for the server and console benchmarks, cached between runs.

A dataset = bench/generate.py's raw rows + the aggregates ``kiosk_server.rebuild`` builds from
them. Generating 10 million records and aggregating them takes many minutes, so a finished
dataset is kept under KIOSK_BENCH_CACHE (default /var/tmp/kiosk-bench) and reused. Two keys:

- the raw key (size, seed, first month of the 12 -- the console's "12 derniers mois" move every
  month --, the generator's source): another raw key means new raw rows; a dataset of another
  raw key is deleted when a new one is made (disk at 10M: ~8 GB SQLite, ~15 GB PostgreSQL);
- the aggregates key (Alembic head, aggregate tables' columns, kiosk_server/rebuild.py's code
  without docstrings and comments): when only it changed, the cached database is migrated like
  a deployed one and its aggregates rebuilt, which is what a real server does after such a
  change. Migrations that only change indexes (INDEX_ONLY_REVISIONS) are not part of the key:
  the cached database is migrated in place and vacuumed, its aggregates kept. Migrations that
  fill the rows they add themselves, as a rebuild would (CARRIED_KEYS), move a cached
  dataset's key forward without a rebuild.

- SQLite: ``sqlite-<raw key>.sqlite`` (+ its ``.json`` description), written under a temporary
  name and renamed once complete, so an interrupted generation is never reused.
- PostgreSQL: a persistent cluster in ``<cache>/pg`` (started for the run, stopped after;
  durability off like the test clusters: a crashed host means regenerating, nothing else) with
  one database ``bench_<raw key>``; ``pg-<raw key>.json`` is written last and marks it complete.
  With KIOSK_BENCH_PG_URL the given database is emptied and filled on every run instead.

Benchmarks may add users, a kiosk and live rows to a cached dataset; they never write records.
"""
from __future__ import annotations

import ast
import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench import generate as gen
from kiosk_server import db
from kiosk_server import tables as t

ROOT = Path(__file__).resolve().parents[1]
CACHE_DIR = Path(os.environ.get("KIOSK_BENCH_CACHE", "/var/tmp/kiosk-bench"))
SEED = 1


@dataclass
class Dataset:
    """A ready dataset: where it is and how it was made."""

    url: str
    key: str
    aggregates_key: str
    records: int
    activities: int
    first_day: str
    last_day: str
    generate_s: float
    rebuild_s: float
    aggregate_rows: dict[str, int]
    made_at: str
    reused: bool = False

    @property
    def how(self) -> str:
        made = (f"generated in {self.generate_s:.0f} s + aggregates rebuilt in "
                f"{self.rebuild_s:.0f} s")
        return (f"{self.records:,} records and {self.activities:,} activities "
                f"{self.first_day} to {self.last_day}, {made}"
                + (f" (cached dataset of {self.made_at})" if self.reused else ""))


def dataset_key(records: int, seed: int = SEED, today: dt.date | None = None) -> str:
    """The raw rows' key."""
    first, _last = gen.period_days(today or dt.date.today())
    digest = hashlib.sha256(f"{records}|{seed}|{first}|{gen.GENERATOR_VERSION}".encode())
    digest.update((ROOT / "bench" / "generate.py").read_bytes())
    return digest.hexdigest()[:12]


# Migrations that change indexes only, never a row: a cached dataset gets them in place from
# db.migrate() in _refresh() (a minute or two at 10M), not a rebuild of its aggregates.
INDEX_ONLY_REVISIONS = frozenset({"0006"})

# Aggregates key before -> after migrations that fill what they add from what is stored (set-
# based, minutes at 10M, where a rebuild takes most of an hour): a cached dataset of the first
# key, migrated to the head, holds the aggregates of the second. A pair, not a revision: any
# other change to the keyed code makes the second key another one, and the dataset is rebuilt.
# 2bb8a762b9ad -> 5e0f61ab513c: 0016 (official sites' site x month rows, from the daily rows),
# 0017 (attempts by procedure version, from the raw records), 0018 (site x month rows of
# sessions, activities and comfort options, from the daily rows); -> 4fc997327d12: 0019
# (catalogue bundles by kiosk level) changes no aggregate row.
CARRIED_KEYS = {"2bb8a762b9ad": "4fc997327d12", "5e0f61ab513c": "4fc997327d12"}


def aggregates_key() -> str:
    """What the aggregates depend on, as structure: the Alembic head (the last revision that is
    not index-only), the aggregate tables' columns and keys, and the rebuild module's code
    without its docstrings and comments (a reworded comment must not cost a 15-minute
    rebuild)."""
    digest = hashlib.sha256(_rows_revision().encode())
    for table in t.AGGREGATES:
        digest.update(repr((table.name, [(c.name, str(c.type), c.primary_key)
                                         for c in table.columns])).encode())
    digest.update(_code_only(ROOT / "kiosk_server" / "rebuild.py").encode())
    return digest.hexdigest()[:12]


def _rows_revision() -> str:
    """The newest migration that may change aggregate rows (the head, skipping index-only
    revisions)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(db.MIGRATIONS_DIR))
    for script in ScriptDirectory.from_config(cfg).walk_revisions():  # head first
        if script.revision not in INDEX_ONLY_REVISIONS:
            return script.revision
    raise RuntimeError("every migration is index-only")


def _code_only(path: Path) -> str:
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(body, list) and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]  # type: ignore[attr-defined]
    return ast.dump(tree)


def _say(message: str) -> None:
    print(f"bench dataset: {message}", file=sys.stderr, flush=True)


def _fill(engine: sa.Engine, records: int, seed: int, url: str, key: str) -> Dataset:
    """Generate and aggregate into an empty migrated database."""
    step = max(records // 10, 1)

    def progress(done: int) -> None:
        if done % step < gen.CHUNK or done == records:
            _say(f"{done:,}/{records:,} records")

    with _indexes_after(engine, (t.session_records, t.activities)):
        made = gen.generate(engine, records, seed, progress=progress)
    _say(f"raw rows in {made.seconds:.0f} s")
    dataset = Dataset(url=url, key=key, aggregates_key="", records=records,
                      activities=made.activities, first_day=made.first_day.isoformat(),
                      last_day=made.last_day.isoformat(), generate_s=round(made.seconds, 1),
                      rebuild_s=0.0, aggregate_rows={}, made_at=_now())
    _rebuild(engine, dataset)
    return dataset


def _rebuild(engine: sa.Engine, dataset: Dataset) -> None:
    """(Re)build the aggregates of a migrated database from its raw rows."""
    key = aggregates_key()  # before the import: the code that runs is the code keyed
    from kiosk_server.rebuild import rebuild_aggregates

    _say("rebuilding the aggregates from the raw rows")
    t0 = time.perf_counter()
    with _indexes_after(engine, t.AGGREGATES):
        rebuilt = rebuild_aggregates(engine)
    assert rebuilt == dataset.records, (rebuilt, dataset.records)
    _analyze(engine)
    dataset.rebuild_s = round(time.perf_counter() - t0, 1)
    with engine.connect() as conn:
        dataset.aggregate_rows = {
            tb.name: conn.execute(sa.select(sa.func.count()).select_from(tb)).scalar_one()
            for tb in t.AGGREGATES}
    dataset.aggregates_key = key
    _say(f"aggregates in {dataset.rebuild_s:.0f} s: {dataset.aggregate_rows}")


def _refresh(dataset: Dataset, save: Path) -> Dataset:
    """A cached dataset, migrated, with aggregates rebuilt if their key changed."""
    engine = _open(dataset.url)
    try:
        migrated_from = db.current_revision(engine)
        db.migrate(engine)
        if CARRIED_KEYS.get(dataset.aggregates_key) == aggregates_key():
            _say(f"aggregates {dataset.aggregates_key} filled by the migrations from "
                 f"{migrated_from}: kept as {aggregates_key()}")
            _analyze(engine)
            dataset.aggregates_key = aggregates_key()
            with engine.connect() as conn:
                dataset.aggregate_rows = {
                    tb.name: conn.execute(sa.select(sa.func.count()).select_from(tb))
                    .scalar_one() for tb in t.AGGREGATES}
            _save(save, dataset)
        elif dataset.aggregates_key != aggregates_key():
            _rebuild(engine, dataset)
            dataset.reused = False
            _save(save, dataset)
        elif migrated_from != db.head_revision() and engine.dialect.name == "postgresql":
            # An index-only migration, applied in place: vacuum so the new indexes find the
            # visibility map set (what autovacuum does on a deployed server) and index-only
            # scans stay index-only from the first run. (SQLite's indexes need no such map.)
            _analyze(engine)
    finally:
        engine.dispose()
    return dataset


def _open(url: str, bulk: bool = False) -> sa.Engine:
    """The server's engine, with more memory for the big GROUP BYs of a rebuild (a bench
    machine's generation, not a setting of the server). ``bulk``: a SQLite file being made,
    thrown away if interrupted (it has a temporary name until complete), so no journal and no
    sync: the rebuild's transaction wrote a write-ahead log as large as the file."""
    engine = db.open_engine(url)

    @sa.event.listens_for(engine, "connect")
    def _more_memory(dbapi_conn: Any, _record: Any) -> None:
        if engine.dialect.name == "sqlite":
            dbapi_conn.execute("PRAGMA cache_size=-524288")  # 512 MB
            # The rebuild's joins look records up by event id all over a 5 GB file: pages
            # mapped, not copied by a read() each.
            dbapi_conn.execute("PRAGMA mmap_size=17179869184")
            if bulk:
                dbapi_conn.execute("PRAGMA journal_mode=OFF")
                dbapi_conn.execute("PRAGMA synchronous=OFF")
        else:
            with dbapi_conn.cursor() as cur:
                cur.execute("SET work_mem = '512MB'")
            dbapi_conn.commit()

    return engine


@contextlib.contextmanager
def _indexes_after(engine: sa.Engine, tables: tuple[sa.Table, ...]) -> Iterator[None]:
    """On SQLite, the tables' secondary indexes dropped while they are filled and made once
    after (one sort each, instead of a B-tree insert per row all over the file); statistics
    taken for the next step's plans. PostgreSQL keeps its indexes (its datasets are made as
    they were measured)."""
    if engine.dialect.name != "sqlite":
        yield
        return
    indexes = [index for table in tables for index in table.indexes]
    with engine.begin() as conn:
        for index in indexes:
            index.drop(conn, checkfirst=True)
    yield
    t0 = time.perf_counter()
    with engine.begin() as conn:
        for index in indexes:
            index.create(conn, checkfirst=True)
        conn.exec_driver_sql("ANALYZE")
    _say(f"{len(indexes)} indexes made in {time.perf_counter() - t0:.0f} s")


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _analyze(engine: sa.Engine) -> None:
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in t.AGGREGATES:
                conn.exec_driver_sql(f"VACUUM ANALYZE {table.name}")
    else:
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")


def _load(meta: Path) -> Dataset | None:
    try:
        data = json.loads(meta.read_text())
        data["reused"] = True
        return Dataset(**data)
    except (OSError, ValueError, TypeError):
        return None


def _save(meta: Path, dataset: Dataset) -> None:
    data = asdict(dataset)
    data.pop("reused")
    tmp = meta.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2))
    tmp.replace(meta)


# --- SQLite ------------------------------------------------------------------------------------
def sqlite_dataset(records: int, seed: int = SEED, cache: Path | None = None) -> Dataset:
    cache = cache or CACHE_DIR
    cache.mkdir(parents=True, exist_ok=True)
    key = dataset_key(records, seed)
    path, meta = cache / f"sqlite-{key}.sqlite", cache / f"sqlite-{key}.json"
    if path.exists() and (found := _load(meta)) is not None:
        _say(f"SQLite: reusing {path}")
        return _refresh(found, meta)
    for stale in cache.glob("sqlite-*"):
        _say(f"SQLite: removing stale {stale.name}")
        stale.unlink()
    partial = cache / f"sqlite-{key}.partial"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    _say(f"SQLite: generating {records:,} records into {path}")
    engine = _open(f"sqlite:///{partial}", bulk=True)
    db.migrate(engine)
    dataset = _fill(engine, records, seed, f"sqlite:///{path}", key)
    engine.dispose()
    con = sqlite3.connect(partial)  # the write-ahead log into the file, before it is renamed
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    partial.rename(path)
    _save(meta, dataset)
    return Dataset(**{**asdict(dataset), "reused": False})


# --- PostgreSQL --------------------------------------------------------------------------------
class Postgres:
    """The PostgreSQL the benchmarks use: KIOSK_BENCH_PG_URL, or the persistent bench cluster
    (created on first use; needs root, the postgresql package and the postgres user)."""

    OPTIONS = ("-c listen_addresses='' -c fsync=off -c synchronous_commit=off "
               "-c full_page_writes=off -c shared_buffers=256MB -c work_mem=32MB "
               "-c maintenance_work_mem=256MB -c max_wal_size=4GB")

    def __init__(self, cache: Path | None = None) -> None:
        self.cache = cache or CACHE_DIR
        self.cluster: Any = None
        self.base_url = os.environ.get("KIOSK_BENCH_PG_URL", "")
        self.reason = ""
        self._scratch: list[str] = []
        if self.base_url:
            return
        sys.path.insert(0, str(ROOT / "tests"))
        try:
            from harness import postgres as pg_stack
            bindir = pg_stack.find_pg_bindir()
            if bindir is None or os.geteuid() != 0 or not pg_stack.server_user_exists():
                self.reason = "no PostgreSQL binaries / not root / no postgres user"
                return
            self.cluster = self._start(pg_stack, bindir)
        except Exception as err:  # noqa: BLE001 - the SQLite figures are still worth reporting
            self.reason = f"cannot start PostgreSQL: {err}"

    def _start(self, pg_stack: Any, bindir: Path) -> Any:
        from harness.procs import free_port, run, unix_is_listening, wait_until

        directory = self.cache / "pg"
        self.cache.mkdir(parents=True, exist_ok=True)
        os.chmod(self.cache, 0o755)
        if not (directory / "data" / "PG_VERSION").exists():
            shutil.rmtree(directory, ignore_errors=True)
            cluster = pg_stack.PgCluster.start(directory, bindir)  # initdb + start
            cluster.stop()
        cluster = pg_stack.PgCluster(dir=directory, socket_dir=directory / "sock",
                                     port=free_port(), bindir=bindir)
        run(["runuser", "-u", pg_stack.SERVER_USER, "--", str(bindir / "pg_ctl"),
             "-D", str(cluster.data_dir), "-o",
             f"-k {cluster.socket_dir} -p {cluster.port} {self.OPTIONS}",
             "-l", str(cluster.log), "-w", "-t", "120", "start"],
            what="pg_ctl start (bench cluster)", timeout=180)
        cluster._running = True
        wait_until(lambda: unix_is_listening(cluster.socket_dir / f".s.PGSQL.{cluster.port}"),
                   timeout=60, what="postgres socket", log=cluster.log)
        return cluster

    @property
    def available(self) -> bool:
        return bool(self.base_url or self.cluster)

    def fresh_url(self) -> str:
        """An empty database for one run (dropped at stop)."""
        if self.cluster is not None:
            name = self.cluster.create_database(f"scratch_{os.getpid()}_{len(self._scratch)}")
            self._scratch.append(name)
            return self.cluster.url(name)
        return self.base_url

    def dataset(self, records: int, seed: int = SEED) -> Dataset:
        key = dataset_key(records, seed)
        if self.cluster is None:  # a given database: emptied and filled every run
            engine = _open(self.base_url)
            db.migrate(engine)
            _empty(engine)
            try:
                return _fill(engine, records, seed, self.base_url, key)
            finally:
                engine.dispose()
        name, meta = f"bench_{key}", self.cache / f"pg-{key}.json"
        existing = self._databases()
        if name in existing and (found := _load(meta)) is not None:
            _say(f"PostgreSQL: reusing database {name}")
            found.url = self.cluster.url(name)  # the port is new on every start
            return _refresh(found, meta)
        for stale in [d for d in existing if d.startswith(("bench_", "scratch_"))]:
            _say(f"PostgreSQL: dropping stale database {stale}")
            self._admin(f'DROP DATABASE "{stale}"')
        for stale_meta in self.cache.glob("pg-*.json"):
            stale_meta.unlink()
        self.cluster.create_database(name)
        url = self.cluster.url(name)
        _say(f"PostgreSQL: generating {records:,} records into database {name}")
        engine = _open(url)
        db.migrate(engine)
        try:
            dataset = _fill(engine, records, seed, url, key)
        finally:
            engine.dispose()
        _save(meta, dataset)
        return dataset

    def _databases(self) -> list[str]:
        import psycopg

        with psycopg.connect(self.cluster.dsn(), autocommit=True) as conn:
            return [r[0] for r in conn.execute("SELECT datname FROM pg_database")]

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.cluster.dsn(), autocommit=True) as conn:
            conn.execute(sql)

    def stop(self) -> None:
        if self.cluster is None:
            return
        for name in self._scratch:
            try:
                self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except Exception as err:  # noqa: BLE001 - a left-over one is dropped next run
                _say(f"PostgreSQL: scratch database {name} left: {err}")
        self.cluster.stop()
        self.cluster = None


ENGINES = ("sqlite", "postgresql")


def engines() -> tuple[str, ...]:
    """The databases a console or server benchmark runs on: KIOSK_BENCH_ENGINES, comma-separated
    (default both), e.g. ``postgresql`` while the SQLite dataset of that size is still being
    made (a 10 M one takes hours on a loaded machine)."""
    wanted = tuple(e.strip() for e in os.environ.get("KIOSK_BENCH_ENGINES", ",".join(ENGINES))
                   .split(",") if e.strip())
    unknown = [e for e in wanted if e not in ENGINES]
    if unknown:
        raise ValueError(f"KIOSK_BENCH_ENGINES: unknown {unknown}; known: {', '.join(ENGINES)}")
    return wanted


def skipped(what: str, engine: str) -> dict[str, Any]:
    """The row saying an engine was left out of this run."""
    return {"name": f"{what} on {'SQLite' if engine == 'sqlite' else 'PostgreSQL'}",
            "value": None, "unit": "", "target": "", "met": None,
            "note": f"not run: KIOSK_BENCH_ENGINES={','.join(engines())}"}


def busiest(conn: sa.engine.Connection) -> tuple[int, int]:
    """The territory and the site with the most sessions: the largest "one territory" and "one
    site" reads of the console (its worst cases)."""
    s = t.agg_sessions
    territory = conn.execute(
        sa.select(s.c.territory_id).where(s.c.grain == "T").group_by(s.c.territory_id)
        .order_by(sa.func.sum(s.c.sessions).desc()).limit(1)).scalar_one()
    site = conn.execute(
        sa.select(s.c.site_id).where(s.c.grain == "D").group_by(s.c.site_id)
        .order_by(sa.func.sum(s.c.sessions).desc()).limit(1)).scalar_one()
    return int(territory), int(site)


def _empty(engine: sa.Engine) -> None:
    """A given PostgreSQL (KIOSK_BENCH_PG_URL) may hold an earlier run."""
    with engine.begin() as conn:
        for table in (t.help_requests, t.kiosk_commands, t.kiosk_status, t.users, t.site_uses,
                      t.activities, t.session_records, *t.AGGREGATES, t.kiosk_tokens, t.kiosks,
                      t.sites, t.territories):
            conn.execute(table.delete())
