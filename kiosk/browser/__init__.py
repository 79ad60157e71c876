"""The kiosk's locked-down browser: official sites only, inside the session, wiped with it.

No Kivy here. ``allowlist`` decides which addresses may be shown (pure, no browser);
``profile`` makes and destroys the session's private Chromium profile; ``guard`` enforces the
allowlist on every document request of every page (DevTools ``Fetch`` and Playwright routes);
``service`` runs Chromium through Playwright's sync API in a worker thread the service owns,
so the Kivy loop never waits on the browser. Playwright is imported lazily by ``service``.
"""
