#!/usr/bin/env bash
# The whole test suite from a fresh Debian 12 machine: set up, build, run
# every test (unit, kernel tree, and VM tests on the real Debian kernel).
#   scripts/test.sh [CTEST ARGS...]      e.g. scripts/test.sh -L unit
# Ends with CTest's summary line.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
printf '\n== tests\n' >&2
cd "$root/build"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
rc=0
# One test per CPU: a VM test keeps one host thread busy (TCG, one thread
# for both vCPUs), so two guests run side by side; the host builds that use
# every CPU say so (PROCESSORS 2) and run alone.  pipefail: the status is
# ctest's.
ctest --output-on-failure -j "$(nproc)" "$@" 2>&1 | tee "$log" || rc=$?
echo
grep -E '^[0-9]+% tests passed' "$log" | tail -1
exit "$rc"
