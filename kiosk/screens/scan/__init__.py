"""The scan screen (``scan.py`` + ``scan.kv``), its steps as mixins (``watermark.py``,
``result.py``), its drawn widgets and its worker thread. The flow itself has no Kivy:
:mod:`kiosk.documents.scan_flow`."""
