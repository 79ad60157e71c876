"""The kiosks' HTTP API: module-level routers (:mod:`.kiosk_routes`), its errors
(:mod:`.errors`), middleware (:mod:`.middleware`) and what it accepts beyond the schema
(:mod:`.identifiers`). Assembled with the console by :func:`kiosk_server.app.create_app`."""
