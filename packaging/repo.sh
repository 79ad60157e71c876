#!/usr/bin/env bash
# A signed apt repository of kiosk packages, for the terminals' kiosk-update (docs/install.md).
#
#   KIOSK_REPO_KEY=<gpg key id> packaging/repo.sh REPO_DIR DEB...
#
# Adds the .deb files to REPO_DIR (a flat repository: keep the previous versions there, so that a
# terminal can always download the version it runs as its way back), then writes its index
# (Packages, Release) with apt-ftparchive (package apt-utils) and signs the Release file with
# gpg (InRelease and Release.gpg) using the key KIOSK_REPO_KEY of $GNUPGHOME. Without a key the
# repository is left unsigned, and terminals refuse it. Serve REPO_DIR over HTTPS (or a file:
# path) and give terminals the public key (`gpg --export KEY > kiosk-archive.gpg`).
set -euo pipefail
repo=$1; shift
mkdir -p "$repo"
[ $# -eq 0 ] || cp -- "$@" "$repo/"
cd "$repo"
rm -f InRelease Release Release.gpg
apt-ftparchive packages . > Packages
gzip -9 -k -f Packages
apt-ftparchive -o APT::FTPArchive::Release::Origin=kiosk \
  -o APT::FTPArchive::Release::Label=kiosk -o APT::FTPArchive::Release::Suite=stable \
  -o APT::FTPArchive::Release::Codename=kiosk release . > Release.new
mv Release.new Release
if [ -n "${KIOSK_REPO_KEY:-}" ]; then
  gpg --batch --yes --local-user "$KIOSK_REPO_KEY" --clearsign -o InRelease Release
  gpg --batch --yes --local-user "$KIOSK_REPO_KEY" --armor --detach-sign -o Release.gpg Release
else
  echo "repo.sh: no KIOSK_REPO_KEY: $repo is unsigned (terminals will refuse it)" >&2
fi
