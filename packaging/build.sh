#!/usr/bin/env bash
# Build the two Debian packages, kiosk (the terminal) and kiosk-server, into OUT_DIR.
#
#   packaging/build.sh [OUT_DIR]        (`make package`; OUT_DIR defaults to dist/)
#
# A clean copy of the checkout (tracked and new files, no build products) gets packaging/debian
# as its debian/ and the units of deploy/systemd, then dpkg-buildpackage builds both binary
# packages (see debian/rules). Version: KIOSK_DEB_VERSION, default "<pyproject version>-1".
# pip's cache is kept under /var/tmp/kiosk-packaging (PIP_CACHE_DIR to change it).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$repo/dist}" && cd "${1:-$repo/dist}" && pwd)
upstream=$(python3 -c 'import tomllib,sys; print(tomllib.load(open(sys.argv[1],"rb"))["project"]["version"])' "$repo/pyproject.toml")
version=${KIOSK_DEB_VERSION:-$upstream-1}

work=$repo/build/deb
src=$work/kiosk-$upstream
rm -rf "$work"
mkdir -p "$src"
# (files deleted but not yet committed are listed by git and skipped here)
(cd "$repo" && git ls-files -co --exclude-standard -z \
  | while IFS= read -r -d '' f; do [ -f "$f" ] && printf '%s\0' "$f"; done \
  | xargs -0 cp --parents -t "$src")
rm -rf "$src/debian"
cp -r "$repo/packaging/debian" "$src/debian"
cp "$repo/deploy/systemd/kiosk.service" "$src/debian/kiosk.service"
cp "$repo/deploy/systemd/kiosk-server.service" "$src/debian/kiosk-server.service"
cat > "$src/debian/changelog" <<CHANGELOG
kiosk ($version) bookworm; urgency=medium

  * Built from the kiosk repository (make package).

 -- kiosk maintainers <kiosk@localhost>  $(date -R)
CHANGELOG

mkdir -p "${PIP_CACHE_DIR:=/var/tmp/kiosk-packaging/pip-cache}"
export PIP_CACHE_DIR
(cd "$src" && dpkg-buildpackage -b -us -uc --no-sign) >"$work/build.log" 2>&1 \
  || { tail -40 "$work/build.log" >&2; echo "package: build failed, log: $work/build.log" >&2; exit 1; }
rm -f "$out"/kiosk_*.deb "$out"/kiosk-server_*.deb
mv "$work"/kiosk_"$version"_*.deb "$work"/kiosk-server_"$version"_*.deb "$out/"
ls -1 "$out"/kiosk*_"$version"_*.deb
