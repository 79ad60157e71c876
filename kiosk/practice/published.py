"""Procedures published from the console: the site's catalogue bundle on this kiosk.

:class:`BundleKeeper` takes a signed bundle (kiosk.sync.catalogue brings it), and keeps it only
when its signature is the server's (``sync.catalogue_public_key``) AND the practice checker
passes every procedure in it, as it would a file of the shipped catalogue; anything else is
refused whole, with a plain reason logged, and the kiosk keeps the catalogue it has. One
exception: a parcours naming a procedure this kiosk's version does not have (a newer shipped
one the server offers) is dropped alone, logged, and named in the heartbeat
(``parcours_dropped``); the rest of the bundle is taken. That is safe: the bundle's signature
still covers what is used, and a parcours is only a list of exercises. A bundle
taken is written to ``data_dir/catalogue/bundle.json`` (the signed bundle itself, so it is
checked again when read back) and waits as *pending*: the runtime swaps
it in between two sessions, never during one. At start the kept bundle is read back, so a
kiosk offline keeps its last good catalogue.

:func:`compose`: the catalogue residents see, from the shipped one (and the site's folder) and
a bundle: its procedures added, each carrying its version for the session record, then the
site's choice of procedures and order applied; the bundle's parcours ride along
(``Catalogue.published_parcours``), offered like the shipped ones (kiosk.practice.parcours_follow).
"""
from __future__ import annotations

import dataclasses
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk_wire.bundle import (
    EMPTY_VERSION,
    BundleRefused,
    CatalogueBundle,
    SignedBundle,
    open_sealed,
)

if TYPE_CHECKING:
    from kiosk.practice.catalogue import Catalogue
    from kiosk.practice.model import Procedure
    from kiosk.practice.parcours_file import Parcours

# The checker, the YAML reader and the catalogue are imported when a bundle is checked or
# composed, not with the keeper: every kiosk opens its keeper at start (~2 MB resident that a
# kiosk whose residents do not practise, or not yet, would carry for nothing).

log = logging.getLogger(__name__)

KEPT_FILE = "bundle.json"


@dataclass(frozen=True)
class Accepted:
    """A bundle that passed both checks, with its procedures built by the checker."""

    bundle: CatalogueBundle
    procedures: tuple[Procedure, ...]
    drafts: tuple[Procedure, ...] = ()
    parcours: tuple[Parcours, ...] = ()
    dropped: tuple[str, ...] = ()  # parcours ids left out: an exercise this kiosk lacks

    @property
    def version(self) -> str:
        return self.bundle.version


def check_bundle(bundle: CatalogueBundle, directory: Path) -> Accepted:
    """Run the checker on every procedure of the bundle, written as files under ``directory``
    (the checker reads files; the built procedures need them no more). Raises BundleRefused
    with the first finding."""
    from kiosk.practice.catalogue import shipped_ids
    from kiosk.practice.checker import check_paths

    directory.mkdir(parents=True, exist_ok=True)
    for entry in bundle.procedures:
        (directory / f"{entry.id}.yaml").write_text(entry.yaml, encoding="utf-8")
    parcours, dropped = _check_parcours(bundle, directory / "parcours")
    if not bundle.procedures:
        return Accepted(bundle, (), parcours=parcours, dropped=dropped)
    report = check_paths([directory], taken=shipped_ids())
    if report.errors:
        raise BundleRefused(f"bundle refused: the checker finds {len(report.errors)} "
                            f"problem(s), first: {report.errors[0]}")
    versions = {entry.id: entry.version for entry in bundle.procedures}
    built = {p.id for p in [*report.procedures, *report.drafts]}
    if built != set(versions):
        raise BundleRefused("bundle refused: a procedure's file does not declare the id it is "
                            "published under")

    def versioned(procedure: Procedure) -> Procedure:
        return dataclasses.replace(procedure, published_version=versions[procedure.id])
    return Accepted(bundle, tuple(versioned(p) for p in report.procedures),
                    tuple(versioned(p) for p in report.drafts), parcours, dropped)


def _check_parcours(bundle: CatalogueBundle, directory: Path
                    ) -> tuple[tuple[Parcours, ...], tuple[str, ...]]:
    """The parcours checker on every parcours of the bundle, its exercises checked against the
    procedures the kiosk could offer (shipped or in the bundle): the parcours kept, and the ids
    of those dropped because an exercise is not in this kiosk's version (every other problem
    refuses the bundle: BundleRefused at the first)."""
    from kiosk.practice.catalogue import shipped_ids
    from kiosk.practice.parcours_file import check_file as check_parcours_file

    known = {*shipped_ids(), *(entry.id for entry in bundle.procedures)}
    directory.mkdir(parents=True, exist_ok=True)
    checked: list[Parcours] = []
    dropped: list[str] = []
    for entry in bundle.parcours:
        file = directory / f"{entry.id}.yaml"
        file.write_text(entry.yaml, encoding="utf-8")
        parcours, findings = check_parcours_file(file, known)
        if parcours is None and _only_unknown_exercises(file, known | _steps_of(file)):
            log.warning("parcours %s not offered: it names an exercise this kiosk's version "
                        "does not have (%s)", entry.id, findings[0])
            dropped.append(entry.id)
            continue
        if parcours is None:
            raise BundleRefused(f"bundle refused: the parcours checker finds {len(findings)} "
                                f"problem(s), first: {findings[0]}")
        if parcours.id != entry.id:
            raise BundleRefused("bundle refused: a parcours' file does not declare the id it "
                                "is published under")
        checked.append(dataclasses.replace(parcours, source=None))
    return tuple(checked), tuple(dropped)


def _steps_of(file: Path) -> set[str]:
    """The exercise ids a parcours file names (none if it is not readable as one)."""
    from kiosk.practice import yamlines

    try:
        data = yamlines.load_path(file)
    except (yamlines.YamlSyntaxError, OSError, UnicodeDecodeError):
        return set()
    steps = data.get("procedures") if isinstance(data, yamlines.LineDict) else None
    return {str(s) for s in steps} if isinstance(steps, yamlines.LineList) else set()


def _only_unknown_exercises(file: Path, every_step_known: set[str]) -> bool:
    """True when the parcours passes the checker once its unknown exercises are taken as
    known: its only problem is an exercise this kiosk lacks."""
    from kiosk.practice.parcours_file import check_file as check_parcours_file

    return check_parcours_file(file, every_step_known)[0] is not None


def compose(base: Catalogue, accepted: Accepted | None) -> Catalogue:
    """The catalogue with the bundle's procedures and the site's choice applied."""
    from kiosk.practice.catalogue import Catalogue

    if accepted is None:
        return base
    procedures = [*base.procedures, *accepted.procedures]
    order = accepted.bundle.order
    if order is not None:
        by_id = {p.id: p for p in procedures}
        procedures = [by_id[i] for i in order if i in by_id]
    return Catalogue(procedures, list(base.skipped), [*base.drafts, *accepted.drafts],
                     published_parcours=list(accepted.parcours))


class BundleKeeper:
    """The kiosk's bundle: the one in use (``active``), the one waiting for the end of the
    session (``pending``), and the kept copy on disk. ``offer`` runs on the network thread;
    listeners added with :meth:`add_listener` hear of a pending bundle there too."""

    def __init__(self, directory: Path, public_key: bytes) -> None:
        self.directory = directory
        self.public_key = public_key
        self.active: Accepted | None = None
        self.pending: Accepted | None = None
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []
        self._loaded = False

    @classmethod
    def from_settings(cls, data_dir: Path, public_key_hex: str) -> BundleKeeper | None:
        """None when no public key is set (the kiosk then takes no bundle), or it is unusable
        (logged)."""
        if not public_key_hex.strip():
            return None
        try:
            key = bytes.fromhex(public_key_hex.strip())
        except ValueError:
            key = b""
        if len(key) != 32:
            log.error("sync.catalogue_public_key is not a public key (64 hex digits): the kiosk "
                      "takes no published procedure")
            return None
        return cls(data_dir / "catalogue", key)

    def add_listener(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def version(self) -> str:
        """The catalogue version the kiosk has, or will have after this session."""
        with self._lock:
            current = self.pending or self.active
        return current.version if current is not None else EMPTY_VERSION

    def load_kept(self) -> Accepted | None:
        """The bundle kept on disk, checked again (once; later calls return the active one)."""
        with self._lock:
            if self._loaded:
                return self.active
            self._loaded = True
        kept = self.directory / KEPT_FILE
        if not kept.exists():
            return None
        try:
            signed = SignedBundle.model_validate_json(kept.read_bytes())
            accepted = self._check(signed)
        except (BundleRefused, ValueError, OSError) as err:
            log.warning("the kept catalogue bundle is not used (the shipped catalogue is): %s",
                        err)
            return None
        with self._lock:
            if self.active is None:
                self.active = accepted
        return accepted

    def offer(self, signed: SignedBundle) -> str | None:
        """Take a bundle from the server: None when taken (pending until the session ends),
        else why it was refused (the kiosk keeps what it has)."""
        self.load_kept()
        try:
            accepted = self._check(signed)
        except BundleRefused as err:
            return str(err)
        self._keep(signed)
        with self._lock:
            self.pending = accepted
        log.info("catalogue %s taken (%d published procedure(s), %d parcours, %d dropped); in "
                 "use from the next time no session is running", accepted.version,
                 len(accepted.bundle.procedures), len(accepted.parcours),
                 len(accepted.dropped))
        for listener in list(self._listeners):
            try:
                listener()
            except Exception:
                log.exception("catalogue listener failed")
        return None

    def dropped_parcours(self) -> list[str]:
        """The parcours of the bundle the kiosk has (or will have after this session) that it
        does not offer: an exercise its version lacks."""
        with self._lock:
            current = self.pending or self.active
        return list(current.dropped) if current is not None else []

    def take_pending(self) -> Accepted | None:
        """Make the pending bundle the active one (call between sessions only); it, or None."""
        with self._lock:
            if self.pending is None:
                return None
            self.active, self.pending = self.pending, None
            return self.active

    # --- on disk ---------------------------------------------------------------------------
    def _check(self, signed: SignedBundle) -> Accepted:
        bundle = open_sealed(signed, self.public_key)
        self.directory.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix="checking-", dir=self.directory))
        try:
            return check_bundle(bundle, scratch)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def _keep(self, signed: SignedBundle) -> None:
        """Write the signed bundle atomically: a power cut leaves the old one or the new one."""
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = self.directory / (KEPT_FILE + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(signed.model_dump_json())
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.directory / KEPT_FILE)
