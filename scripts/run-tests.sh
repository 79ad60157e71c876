#!/usr/bin/env bash
# Run the whole test suite on the real stacks (called by `make test` and CI).
#
#   1. compile the message catalogues (the .mo files are build products);
#   2. pytest -m "not udev": everything else; fixtures start cupsd, pcscd, PostgreSQL... on demand;
#   3. umockdev-wrapper pytest -m udev: the hotplug tests, which need libumockdev-preload loaded
#      into the test process itself.
#
# Exit status is non-zero if either run fails, and "no tests collected" (pytest exit 5) counts as
# a failure: an empty run must never look green. Extra arguments are passed to both pytest runs
# (e.g. `scripts/run-tests.sh -x` or a file name); with explicit arguments an empty udev run is
# accepted, since the selection may simply contain no udev test.
#
# Environment: KIOSK_TEST_PYTHON (default .venv/bin/python), KIOSK_TEST_ARTIFACTS (default
# test-artifacts/), KIOSK_ALLOW_NO_UMOCKDEV=1 to tolerate a machine without umockdev-wrapper.
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

py=${KIOSK_TEST_PYTHON:-$repo/.venv/bin/python}
if [ ! -x "$py" ]; then
  echo "run-tests: $py not found; run \`make install\` first (or set KIOSK_TEST_PYTHON)" >&2
  exit 2
fi
export KIOSK_TEST_ARTIFACTS=${KIOSK_TEST_ARTIFACTS:-$repo/test-artifacts}
mkdir -p "$KIOSK_TEST_ARTIFACTS"
export PYTHONDONTWRITEBYTECODE=1

echo "== run-tests: compiling message catalogues"
"$py" -m kiosk.i18n_build || { echo "run-tests: catalogue compilation failed" >&2; exit 1; }

common=(-q -ra --timeout=600)
main_xml=$KIOSK_TEST_ARTIFACTS/junit-main.xml
udev_xml=$KIOSK_TEST_ARTIFACTS/junit-udev.xml
rm -f "$main_xml" "$udev_xml"

# A name for an exit code, and whether it counts as a failure.
verdict() {  # verdict <code> <empty-run-ok: 0|1>
  case $1 in
    0) echo ok ;;
    5) if [ "$2" = 1 ]; then echo ok; else echo "FAILED (no tests collected)"; fi ;;
    *) echo "FAILED (pytest exit $1)" ;;
  esac
}

echo "== run-tests: main run (pytest -m 'not udev')"
"$py" -m pytest "${common[@]}" -m "not udev" --junitxml="$main_xml" "$@"
main_rc=$?
main_verdict=$(verdict "$main_rc" 0)

echo "== run-tests: udev run (umockdev-wrapper pytest -m udev)"
empty_udev_ok=0
[ $# -gt 0 ] && empty_udev_ok=1
if command -v umockdev-wrapper >/dev/null; then
  umockdev-wrapper "$py" -m pytest "${common[@]}" -m udev --junitxml="$udev_xml" "$@"
  udev_rc=$?
  udev_verdict=$(verdict "$udev_rc" "$empty_udev_ok")
elif [ "${KIOSK_ALLOW_NO_UMOCKDEV:-0}" = 1 ]; then
  udev_rc=0
  udev_verdict="skipped (no umockdev-wrapper, KIOSK_ALLOW_NO_UMOCKDEV=1)"
else
  udev_rc=127
  udev_verdict="FAILED (umockdev-wrapper not found: install the package umockdev)"
fi

# One summary line over both runs, from the JUnit reports.
summary=$("$py" - "$main_xml" "$udev_xml" <<'EOF'
import sys
import xml.etree.ElementTree as ET

totals = dict(tests=0, failures=0, errors=0, skipped=0)
for path in sys.argv[1:]:
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        continue
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    for suite in suites:
        for key in totals:
            totals[key] += int(suite.get(key, 0))
passed = totals["tests"] - totals["failures"] - totals["errors"] - totals["skipped"]
print(f"{passed} passed, {totals['failures'] + totals['errors']} failed, "
      f"{totals['skipped']} skipped")
EOF
)

echo "== run-tests: main run: $main_verdict; udev run: $udev_verdict"
echo "$summary"
case "$main_verdict$udev_verdict" in
  *FAILED*) exit 1 ;;
esac
exit 0
