#!/bin/sh
# Restore a backup made by backup-server-db.sh into the server's database (same discovery of the
# database as the backup: server.database_url, else libpq's variables).
#
#   systemctl stop 'kiosk-server*'
#   scripts/restore-server-db.sh /var/backups/kiosk-server-2026-12-01.dump
#   kiosk-server run --migrate-only && systemctl start kiosk-server
#
# The database must exist (createdb, owned by the server's role); what it holds of the server's
# tables is replaced by the backup's (--clean). Stop every server process first.
set -eu

if [ $# -ne 1 ]; then
    echo "usage: $0 BACKUP.dump" >&2
    exit 2
fi
backup=$1
if [ ! -r "$backup" ]; then
    echo "$0: cannot read $backup" >&2
    exit 2
fi
here=$(dirname "$0")
url=$("$here/server-db-url.sh")

# One transaction: a restore that fails leaves the database as it was.
if [ -n "$url" ]; then
    pg_restore --clean --if-exists --no-owner --single-transaction --exit-on-error \
        --dbname="$url" "$backup"
else
    pg_restore --clean --if-exists --no-owner --single-transaction --exit-on-error \
        --dbname="${PGDATABASE:?set server.database_url or PGDATABASE}" "$backup"
fi
echo "restored $backup" >&2
