"""Scan, copy and print business logic: card detection and crop, recto/verso at real size on
A4, watermark, PDF building, the print service with its per-session quota. No Kivy here;
images are Pillow images, files go through the session core so they are wiped."""
