#!/bin/sh
# Back up the kiosk server's PostgreSQL database to one file (pg_dump custom format, compressed).
#
#   scripts/backup-server-db.sh /var/backups/kiosk-server-$(date +%F).dump
#
# The database is the server's settings' server.database_url (settings file, credentials or
# KIOSK_SERVER_DATABASE_URL, read as `kiosk-server run` reads them), or, when that is empty,
# libpq's own variables (PGHOST, PGDATABASE, PGUSER, ~/.pgpass...). Old periods live in the
# database only as aggregates: this file is the only copy of them. Back up the settings file and
# the secret key (server.secret_key, or data_dir/console-secret) beside it (docs/server.md).
# KIOSK_PYTHON: the server's Python (default /opt/kiosk/.venv/bin/python).
set -eu

if [ $# -ne 1 ]; then
    echo "usage: $0 OUTPUT.dump" >&2
    exit 2
fi
out=$1
here=$(dirname "$0")
url=$("$here/server-db-url.sh")

tmp="$out.partial"
# -Fc: compressed, restorable table by table; written aside then renamed, so a failed backup
# never replaces a good one under the same name.
if [ -n "$url" ]; then
    pg_dump --format=custom --no-owner --file="$tmp" "$url"
else
    pg_dump --format=custom --no-owner --file="$tmp"
fi
mv "$tmp" "$out"
echo "backup written to $out" >&2
