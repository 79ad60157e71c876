#!/bin/sh
# Print the server's database as a libpq URI (empty when server.database_url is empty), read from
# its settings as `kiosk-server run` reads them (KIOSK_CONFIG, $CREDENTIALS_DIRECTORY, KIOSK_*).
# Used by backup-server-db.sh and restore-server-db.sh.
set -eu
python=${KIOSK_PYTHON:-/opt/kiosk/.venv/bin/python}
url=$("$python" -c 'from kiosk_wire import config; print(config.load().get("server.database_url"))')
case "$url" in
    "") ;;
    postgresql*) ;;
    *) echo "$0: server.database_url is not PostgreSQL ($url is not backed up by these scripts;" \
            "copy the SQLite file with the server stopped)" >&2; exit 2 ;;
esac
# SQLAlchemy's driver suffix (postgresql+psycopg://) is not libpq's.
printf '%s\n' "$url" | sed 's/^postgresql+[a-z0-9_]*:/postgresql:/'
