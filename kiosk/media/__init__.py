"""Paper, PDF and sample images, below every other part of the kiosk: sizes in millimetres and
pixels (:mod:`kiosk.media.paper`), PDF pages in and out (:mod:`kiosk.media.pdf`), the
fictional letter and ID card the demo scanner returns (:mod:`kiosk.media.samples`).

A bottom layer: it imports neither the devices nor the documents (both use it), only Pillow,
pypdf and segno, so a printer or scanner backend never pulls the documents package in.
"""
