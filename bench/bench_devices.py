"""Device-layer benchmarks.

1. ID copy of one A4 300 dpi colour scan: detect and crop the card, straighten, place it at
   real size on A4, watermark (with the detection of the card's QR code and 2D-Doc seal, kept
   clear, and the blurred copy), write the PDF. Compared
   in the same run with the bare Pillow operations on the same image (crop a known box, resize,
   paste on A4, draw + rotate the same text layer, one composite, save the PDF).
   Target: ≤ 1.5 × the bare operations; the absolute time is reported too.
2. Print submission to "completed" on a cups-pdf queue of a private cupsd (started here with
   the test harness's code; needs root and cups-pdf, else reported as not run): median.
3. USB plug / unplug → device state, through udev (a umockdev testbed, in a child process run
   under umockdev-wrapper) with the default debounce: the issue asks for ≤ 2 s.
"""
from __future__ import annotations

import datetime as dt
import math
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw

from kiosk.documents.card import ID1_MM, crop_card, detect_card
from kiosk.documents.idcopy import compose_id_page, layout
from kiosk.documents.watermark import ANGLE_DEG, GREY, Watermark, _font, apply_watermark
from kiosk.media import samples
from kiosk.media.paper import a4_size_px, mm_to_px
from kiosk.media.pdf import images_to_pdf

DPI = 300
ROUNDS = 5
PRINT_JOBS = 5
ROOT = Path(__file__).resolve().parents[1]


def _median_times(*fns, rounds: int = ROUNDS) -> list[float]:
    """Median time of each function, their rounds interleaved so that a load on the machine
    that comes and goes weighs on all of them alike."""
    for fn in fns:
        fn()  # warm caches (fonts, the code reader) out of the measure
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(rounds):
        for fn, spent in zip(fns, times, strict=True):
            t0 = time.perf_counter()
            fn()
            spent.append(time.perf_counter() - t0)
    return [statistics.median(spent) for spent in times]


def card_with_seal_on_bed() -> Image.Image:
    """The sample recto (with its QR code) also carrying a 2D-Doc seal (DataMatrix, 0.3 mm
    modules, as the identity card's "cachet électronique visible"), 2° askew on the bed."""
    import numpy as np
    import zxingcpp

    card = samples.card_face("recto", DPI)
    payload = ("DC04FR00CNI11F2A1F2A0601FR62EXEMPLE\x1d60CAMILLE\x1f"
               + "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" * 3 + "ABCDEFG")
    symbol = zxingcpp.write_barcode_to_image(
        zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.DataMatrix), scale=1)
    seal = Image.fromarray(np.asarray(symbol))
    side = round(seal.width * 0.3 * DPI / 25.4)
    seal = seal.resize((side, side), Image.Resampling.NEAREST).convert("RGB")
    card.paste(seal, (mm_to_px(32, DPI), card.height - side - mm_to_px(3, DPI)))
    tilted = card.convert("RGBA").rotate(2.0, expand=True, resample=Image.Resampling.BICUBIC)
    bed = Image.new("RGB", a4_size_px(DPI), samples.BED_COLOUR)
    bed.paste(tilted, (mm_to_px(25, DPI), mm_to_px(30, DPI)), tilted)
    return bed


def bench_id_copy(out_dir: Path) -> dict:
    scan = card_with_seal_on_bed()
    mark = Watermark("Location d'un logement", dt.date(2026, 3, 2))
    rng = random.Random(1)
    pdf = out_dir / "pipeline.pdf"

    def pipeline() -> None:
        detection = detect_card(scan)
        card = crop_card(scan, detection, DPI)
        page = compose_id_page(card, None, DPI)
        marked = apply_watermark(page.page, mark, rng)
        images_to_pdf([marked], pdf, DPI)

    card_px = (mm_to_px(ID1_MM[0], DPI), mm_to_px(ID1_MM[1], DPI))
    known_box = (mm_to_px(25, DPI), mm_to_px(30, DPI), mm_to_px(25, DPI) + card_px[0],
                 mm_to_px(30, DPI) + card_px[1])
    bare_pdf = out_dir / "bare.pdf"

    def bare() -> None:
        card = scan.rotate(-2.0, resample=Image.Resampling.BICUBIC).crop(known_box)
        card = card.resize(card_px, Image.Resampling.LANCZOS)
        page = Image.new("RGB", a4_size_px(DPI), "white")
        page.paste(card, layout(DPI)[0][:2])
        w, h = page.size
        diag = math.ceil(math.hypot(w, h))
        layer = Image.new("L", (diag, diag), 0)
        draw = ImageDraw.Draw(layer)
        font = _font(round(28 * w / 1240))
        for i in range(10):
            draw.text((0, diag / 10 * (i + 0.5)), mark.text() * 6, fill=140, font=font,
                      anchor="lm")
        layer = layer.rotate(ANGLE_DEG).crop(((diag - w) // 2, (diag - h) // 2,
                                              (diag - w) // 2 + w, (diag - h) // 2 + h))
        page = Image.composite(Image.new("RGB", page.size, GREY), page, layer)
        page.save(bare_pdf, "PDF", resolution=float(DPI), quality=90)

    value, baseline = _median_times(pipeline, bare)
    ratio = value / baseline
    return {"name": "ID copy: scan → crop → watermark → PDF (A4 300 dpi colour)",
            "value": round(value, 3), "unit": "s", "baseline": round(baseline, 3),
            "ratio": round(ratio, 2), "target": "≤ 1.5 × bare Pillow ops", "met": ratio <= 1.5,
            "note": "input: a generated 300 dpi A4 scan of a card lying 2° askew, carrying a QR "
                    "code and a 2D-Doc seal (both found by zxing-cpp and kept clear); pipeline and "
                    "bare rounds interleaved; the scanner's "
                    "own read time is in neither figure (SANE test backend: ~0.1 s); the bare "
                    "ops rotate the whole page where the pipeline rotates the card's region"}


def bench_print(out_dir: Path) -> dict:
    name = "print submission → completed (cups-pdf queue, median of 5)"
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        import os
        import shutil

        from harness.cups import CupsServer

        cupsd = shutil.which("cupsd") or "/usr/sbin/cupsd"
        if os.geteuid() != 0 or not Path(cupsd).exists() or \
                not Path("/usr/lib/cups/backend/cups-pdf").exists():
            return {"name": name, "value": None, "unit": "s", "target": "report the median",
                    "met": None, "note": "not run: needs root, cupsd and cups-pdf"}
        server = CupsServer.start(out_dir, cupsd)
    finally:
        sys.path.remove(str(ROOT / "tests"))
    try:
        from kiosk.devices.cups_printer import CupsPrinter
        from kiosk.devices.printer import JobState, Printer, PrintOptions

        printer = Printer(CupsPrinter(server.queue, server.address))
        pdf = images_to_pdf([samples.letter_page(150)], out_dir / "letter.pdf", 150)
        times = []
        for _ in range(PRINT_JOBS):
            t0 = time.perf_counter()
            job = printer.submit(pdf, PrintOptions())
            status = printer.wait(job, timeout=60, poll_s=0.02)
            times.append(time.perf_counter() - t0)
            if status.state is not JobState.COMPLETED:
                raise RuntimeError(f"job {job} ended {status.state.value}")
        printer.close()
    finally:
        server.stop()
    return {"name": name, "value": round(statistics.median(times), 3), "unit": "s",
            "target": "report the median", "met": None,
            "note": f"min {min(times):.3f} s, max {max(times):.3f} s"}


HOTPLUG_ROUNDS = 5


def hotplug_probe() -> list[float]:
    """Child process (under umockdev-wrapper): seconds from plug/unplug to the printer state."""
    sys.path.insert(0, str(ROOT / "tests"))
    from harness import udev

    from kiosk.devices import open_devices
    from kiosk.devices.scheduling import QueueScheduler
    from kiosk_wire import config

    testbed = udev.new_testbed()
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-udev-") as tmp:
        settings = config.defaults().with_overrides({
            "kiosk.data_dir": tmp, "devices.printer_backend": "demo",
            "devices.scanner_backend": "demo", "devices.reader_backend": "demo",
            "devices.hotplug_backend": "udev"})
        scheduler = QueueScheduler()
        devices = open_devices(settings, scheduler)
        times = []
        try:
            for _ in range(HOTPLUG_ROUNDS):
                t0 = time.perf_counter()
                syspath = udev.add_usb_printer(testbed)
                scheduler.run_until(lambda: devices.printer.state.value == "ready"
                                    and bool(devices.hotplug.plugged()), 10)
                times.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                udev.remove_device(testbed, syspath)
                scheduler.run_until(lambda: devices.printer.state.value == "offline", 10)
                times.append(time.perf_counter() - t0)
        finally:
            devices.close()
    return times


def bench_hotplug() -> dict:
    import json
    import shutil
    import subprocess

    name = "USB plug/unplug → device state (udev, default debounce), worst of 10"
    wrapper = shutil.which("umockdev-wrapper")
    if wrapper is None:
        return {"name": name, "value": None, "unit": "s", "target": "≤ 2 s", "met": None,
                "note": "not run: umockdev-wrapper missing (package umockdev)"}
    out = subprocess.run([wrapper, sys.executable, "-m", "bench.bench_devices",
                          "--hotplug-probe"], cwd=ROOT, capture_output=True, text=True,
                         timeout=300, check=False)
    if out.returncode != 0:
        return {"name": name, "value": None, "unit": "s", "target": "≤ 2 s", "met": False,
                "note": f"probe failed: {out.stderr.strip().splitlines()[-1:]}"}
    times = json.loads(out.stdout.strip().splitlines()[-1])
    worst = max(times)
    return {"name": name, "value": round(worst, 3), "unit": "s", "target": "≤ 2 s",
            "met": worst <= 2.0, "note": f"median {statistics.median(times):.3f} s; "
                                         "debounce devices.hotplug_debounce_ms = 500"}


def run() -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-dev-") as tmp:
        root = Path(tmp)
        os_chmod_traversable(root)
        return [bench_id_copy(root), bench_print(root), bench_hotplug()]


def os_chmod_traversable(path: Path) -> None:
    import os
    os.chmod(path, 0o755)  # cupsd's filters run as lp and must reach the spool


if __name__ == "__main__":
    if sys.argv[1:] == ["--hotplug-probe"]:
        import json
        print(json.dumps(hotplug_probe()))
    else:
        for result in run():
            print(result)
