#!/usr/bin/env bash
# A minimal Debian 12 root that boots with systemd, for testing the packages in a container.
#
#   packaging/debian-root.sh TARBALL
#
# Builds TARBALL (debootstrap --variant=minbase + systemd, dbus) unless it already exists: the
# root takes ~1 min to make and is reused between test runs (tests/packages/ keeps it under
# /var/tmp/kiosk-packaging). The mirror is the host's (/etc/apt/sources.list.d/debian.sources).
set -euo pipefail
tarball=$1
[ -s "$tarball" ] && exit 0
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}
work=$(mktemp -d "${tarball%/*}/root.XXXXXX")
trap 'rm -rf "$work"' EXIT
debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,ca-certificates \
  bookworm "$work/root" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
# Same mirror and suites as the host, so that the packages' dependencies resolve.
cp /etc/apt/sources.list.d/debian.sources "$work/root/etc/apt/sources.list.d/" 2>/dev/null \
  && rm -f "$work/root/etc/apt/sources.list"
echo kiosk-test > "$work/root/etc/hostname"
rm -rf "$work/root/var/cache/apt/archives/"*.deb
tar -C "$work/root" -cf "$work/root.tar" .
mv "$work/root.tar" "$tarball"
