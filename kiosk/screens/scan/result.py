"""The last step of the scan screen: the document is ready; print it, keep it for a practice
procedure (it is offered to upload fields until the session ends), save it on the resident's
own USB key when the setting offers that, or finish.

A mixin of :class:`kiosk.screens.scan.scan.ScanScreen`, which declares the Kivy properties used
here (``result_image``, ``result_txt``, ``notice``, ``can_practise``, ``usb_ready``).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kiosk.documents.scan_flow import ScanFlow, Step
from kiosk.i18n import N_, _, ngettext
from kiosk.screens.kit import tr

if TYPE_CHECKING:
    from kiosk.runtime import KioskRuntime

KEPT_FOR_PRACTICE = N_("Votre document est gardé pour cette visite : dans une démarche, il vous "
                       "sera proposé quand on vous demandera une pièce jointe.")
# A USB key can take seconds to write (and must not be pulled out meanwhile).
BUSY_USB = N_("Enregistrement sur votre clé USB… Ne la retirez pas.")


class ResultActions:
    # Declared by ScanScreen (Kivy properties, the flow, kv ids, navigation).
    ids: Any
    app: Any
    flow: ScanFlow | None
    if TYPE_CHECKING:  # AppScreen's, after this mixin in ScanScreen's bases
        @property
        def runtime(self) -> KioskRuntime: ...
    result_image: Any
    result_txt: str
    notice: str
    can_practise: bool
    usb_ready: bool
    for_site: bool
    go: Callable[[str], Any]
    _show: Callable[[Step], None]
    _run: Callable[..., None]

    def _built(self, doc: Any) -> None:
        assert self.flow is not None
        self.result_image = self.flow.result_image
        self.result_txt = ngettext("{title} : {n} page", "{title} : {n} pages", doc.pages).format(
            title=tr(doc.title), n=doc.pages)
        if doc.watermarked:
            self.result_txt += "\n" + _("Avec le filigrane « {purpose} ».").format(
                purpose=self.flow.purpose)
        self._show(Step.RESULT)

    def to_print(self) -> None:
        flow = self.flow
        if flow is None or flow.result is None or not self.app.has_screen("print"):
            return
        self.app.sm.get_screen("print").preselect(flow.result.doc_id)
        self.go("print")

    def to_practice(self) -> None:
        self.notice = _(KEPT_FOR_PRACTICE)
        if self.can_practise:
            self.go("practice_catalogue")

    def _storage_changed(self) -> None:
        from kiosk.devices.usb_storage import StorageState

        storage = getattr(self.runtime.devices, "usb_storage", None)
        self.usb_ready = storage is not None and storage.state is StorageState.OFFERED

    def to_usb(self) -> None:
        """Copy the result onto the resident's own USB key (only when the setting offers it)."""
        flow = self.flow
        storage = getattr(self.runtime.devices, "usb_storage", None)
        if flow is None or flow.result is None or storage is None:
            return
        self.ids.fault.clear()
        mounts = storage.mount_points()
        if not mounts:
            self.notice = _("La clé USB n'est pas encore prête. Attendez quelques secondes, "
                            "puis réessayez.")
            return
        source, key = flow.result.path, mounts[0]
        # on the scan's worker, with the busy panel saying what is happening; a fault is
        # shown in plain words by the screen (describe())
        self._run(BUSY_USB, lambda: storage.save(source, key), self._saved_on_usb)

    def _saved_on_usb(self, _target: Any) -> None:
        self.notice = _("Votre document est enregistré sur votre clé USB. Pensez à la reprendre "
                        "en partant.")

    def finish(self) -> None:
        """Done: home, or back to the site the scan was asked for (its upload still to do)."""
        to_site, self.for_site = self.for_site and self.app.has_screen("browser"), False
        self.go("browser" if to_site else "home")
