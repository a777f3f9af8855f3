#!/usr/bin/env bash
# Build an external kernel module from SRC_DIR in OUT_DIR (a copy: the
# source tree stays clean) against the cached kernel's headers, or against
# --headers DIR.
#
#   scripts/build-module.sh [--headers DIR] SRC_DIR OUT_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
headers=
if [ "${1:-}" = --headers ]; then headers=$2; shift 2; fi
[ $# -eq 2 ] || { echo "usage: $0 [--headers DIR] SRC_DIR OUT_DIR" >&2; exit 2; }
src=$(readlink -f "$1")
mkdir -p "$2"
out=$(readlink -f "$2")
if [ -z "$headers" ]; then
	. "$here/kernel-env.sh"
	headers=$KSPLICE_HEADERS
fi
cp -a "$src/." "$out/"
rc=0
log=$(make -s -C "$headers" M="$out" modules 2>&1) || rc=$?
# Without a vmlinux in the headers there is no BTF for modules: expected.
printf '%s\n' "$log" | grep -v -e '^Skipping BTF generation' -e '^$' >&2 || true
exit $rc
