#!/usr/bin/env bash
# The Python side of the Debian packages (called by debian/rules, from the source tree's top).
#
#   venv.sh wheel PYTHON WHEEL_DIR           build the kiosk wheel (catalogues compiled, setup.py)
#   venv.sh venv PYTHON WHEEL_DIR PACKAGE    debian/PACKAGE/opt/PACKAGE: a venv from the
#                                            package's lock + that wheel, relocated to /opt/PACKAGE
set -euo pipefail

lock_of() {
  case $1 in
    kiosk) echo requirements/terminal.lock ;;        # the terminal: no server library
    kiosk-server) echo requirements/server.lock ;;   # the server: no Kivy, no device binding
    *) echo "venv.sh: unknown package $1" >&2; exit 2 ;;
  esac
}

build_wheel() {  # build_wheel PYTHON WHEEL_DIR
  local py=$1 out=$2 tools=build/deb-tools
  rm -rf "$tools" "$out"
  "$py" -m venv "$tools"
  "$tools/bin/python" -m pip install -q --require-hashes -r requirements/build.lock
  "$tools/bin/python" -m pip wheel -q --no-deps --no-build-isolation -w "$out" .
}

build_venv() {  # build_venv PYTHON WHEEL_DIR PACKAGE
  local py=$1 wheels=$2 pkg=$3
  local final=/opt/$pkg
  local dest
  dest=$(pwd)/debian/$pkg$final
  rm -rf "$dest"
  "$py" -m venv "$dest"
  "$dest/bin/python" -m pip install -q --no-compile --require-hashes -r "$(lock_of "$pkg")"
  "$dest/bin/python" -m pip install -q --no-compile --no-deps "$wheels"/kiosk-*.whl
  # Relocate: pip wrote the staging path into the scripts' #! lines, the activate scripts and
  # pyvenv.cfg; at run time the venv is at /opt/PACKAGE.
  grep -rlI --null -F "$dest" "$dest/bin" "$dest/pyvenv.cfg" | xargs -0 -r sed -i "s|$dest|$final|g"
  rm -f "$dest"/lib/python3*/site-packages/kiosk-*.dist-info/direct_url.json
  # The wheel declares both programs; each package carries its own.
  case $pkg in
    kiosk) rm -f "$dest/bin/kiosk-server" ;;
    kiosk-server) rm -f "$dest/bin/kiosk" ;;
  esac
  # Byte-code compiled now, with the final paths in it: /opt is read-only for the services
  # (ProtectSystem=strict), so Python could not cache it at run time.
  find "$dest" -name __pycache__ -type d -prune -exec rm -rf {} +  # ensurepip's own
  "$dest/bin/python" -m compileall -q -j 0 -s "$dest" -p "$final" "$dest/lib" >/dev/null \
    || { echo "venv.sh: byte-compiling $pkg failed" >&2; exit 1; }
  # The screens' kv rules parsed now, for the same reason (kiosk/screens/kv_cache.py).
  if [ "$pkg" = kiosk ]; then
    local kivy_home
    kivy_home=$(mktemp -d)
    # (from $dest: Python would otherwise import the source tree's kiosk, and cache its files)
    (cd "$dest" && PYTHONDONTWRITEBYTECODE=1 KIVY_HOME=$kivy_home KIVY_NO_ARGS=1 \
      KIVY_NO_CONSOLELOG=1 "$dest/bin/python" -m kiosk.screens.kv_cache >/dev/null) \
      || { echo "venv.sh: caching the kv rules of $pkg failed" >&2; rm -rf "$kivy_home"; exit 1; }
    rm -rf "$kivy_home"
  fi
  if grep -rlI -F "$dest" "$dest/bin" "$dest/pyvenv.cfg"; then
    echo "venv.sh: staging path left in the files above" >&2; exit 1
  fi
}

case ${1:-} in
  wheel) build_wheel "$2" "$3" ;;
  venv) build_venv "$2" "$3" "$4" ;;
  *) echo "usage: venv.sh wheel PYTHON DIR | venv PYTHON DIR PACKAGE" >&2; exit 2 ;;
esac
