#!/usr/bin/env bash
# Run the whole test suite on the real stacks (called by `make test` and CI).
#
#   1. compile the message catalogues (the .mo files are build products);
#   2. pytest -m "not udev": everything else, in four lanes run side by side (packages, the
#      screen sweeps, the other screens, the rest; see below); fixtures start cupsd, pcscd,
#      PostgreSQL... on demand;
#   3. umockdev-wrapper pytest -m udev: the hotplug tests, which need libumockdev-preload loaded
#      into the test process itself.
#
# Exit status is non-zero if either run fails, and "no tests collected" (pytest exit 5) counts as
# a failure: an empty run must never look green. Extra arguments are passed to both pytest runs
# (e.g. `scripts/run-tests.sh -x` or a file name), and the main run is then one process; with
# explicit arguments an empty udev run is accepted, since the selection may simply contain no
# udev test. Each lane's log and JUnit report stay in the artifacts directory.
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

common=(-q -ra --timeout=600 --durations=15)
rm -f "$KIOSK_TEST_ARTIFACTS"/junit-*.xml

# A name for an exit code, and whether it counts as a failure.
verdict() {  # verdict <code> <empty-run-ok: 0|1>
  case $1 in
    0) echo ok ;;
    5) if [ "$2" = 1 ]; then echo ok; else echo "FAILED (no tests collected)"; fi ;;
    *) echo "FAILED (pytest exit $1)" ;;
  esac
}

# The main run goes in four lanes at once, each its own pytest process with its own private
# daemons (every harness daemon has a private port, socket and root): the Debian packages
# (dpkg, apt and booted containers: mostly waiting on disk and network), the two long sweeps
# over every screen (the layout audit and the monkey: half of the screens' time), the other Kivy
# screens, and everything else (servers, Chromium, devices). On two cores the lanes overlap their
# waits; one process in a row took twice as long. Each lane's output is kept in a log and printed
# whole when it ends, so the report reads as three plain pytest runs.
main_rc=0
if [ $# -gt 0 ]; then
  echo "== run-tests: main run (pytest -m 'not udev' $*)"
  "$py" -m pytest "${common[@]}" -m "not udev" --junitxml="$KIOSK_TEST_ARTIFACTS/junit-main.xml" "$@"
  main_rc=$?
  main_verdict=$(verdict "$main_rc" 0)
else
  sweeps="tests/ui/test_layout_audit.py tests/ui/test_monkey.py"
  declare -A lane_args=(
    [packages]="tests/packages"
    [sweeps]="$sweeps"
    [screens]="tests/ui ${sweeps//tests\//--ignore=tests/}"
    [rest]="tests --ignore=tests/packages --ignore=tests/ui"
  )
  lanes=(packages sweeps screens rest)
  declare -A lane_pid=()
  for lane in "${lanes[@]}"; do
    echo "== run-tests: main run, lane $lane (pytest -m 'not udev' ${lane_args[$lane]})"
    # shellcheck disable=SC2086  # the lane's arguments are words
    "$py" -m pytest "${common[@]}" -m "not udev" --junitxml="$KIOSK_TEST_ARTIFACTS/junit-$lane.xml" \
      ${lane_args[$lane]} >"$KIOSK_TEST_ARTIFACTS/lane-$lane.log" 2>&1 &
    lane_pid[$lane]=$!
  done
  main_verdict=""
  for lane in "${lanes[@]}"; do
    wait "${lane_pid[$lane]}"
    rc=$?
    echo "== run-tests: lane $lane finished: $(verdict "$rc" 0)"
    cat "$KIOSK_TEST_ARTIFACTS/lane-$lane.log"
    [ "$rc" -ne 0 ] && main_rc=$rc
    main_verdict="$main_verdict $lane $(verdict "$rc" 0);"
  done
fi
[ -z "${main_verdict:-}" ] && main_verdict=$(verdict "$main_rc" 0)

echo "== run-tests: udev run (umockdev-wrapper pytest -m udev)"
empty_udev_ok=0
[ $# -gt 0 ] && empty_udev_ok=1
if command -v umockdev-wrapper >/dev/null; then
  umockdev-wrapper "$py" -m pytest "${common[@]}" -m udev --junitxml="$KIOSK_TEST_ARTIFACTS/junit-udev.xml" "$@"
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
summary=$("$py" - "$KIOSK_TEST_ARTIFACTS"/junit-*.xml <<'EOF'
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
