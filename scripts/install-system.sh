#!/usr/bin/env bash
# Installs the Debian packages listed in system-packages.txt, only when run as root and only
# those missing (so a second `make` is quick and works offline).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mapfile -t wanted < <(grep -vE '^\s*(#|$)' "$here/system-packages.txt")
if [ "$(id -u)" != 0 ]; then
  echo "install-system: not root, skipping Debian packages (needed: ${wanted[*]})" >&2
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "install-system: no apt-get here; install the equivalent of: ${wanted[*]}" >&2
  exit 0
fi
missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-system: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
