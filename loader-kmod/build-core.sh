#!/usr/bin/env bash
# Build ksplice.ko (the core module) in OUT_DIR against the cached kernel's
# headers, or against --headers DIR.
#
#   loader-kmod/build-core.sh [--headers DIR] OUT_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
args=()
if [ "${1:-}" = --headers ]; then args=(--headers "$2"); shift 2; fi
[ $# -eq 1 ] || { echo "usage: $0 [--headers DIR] OUT_DIR" >&2; exit 2; }
export KSPLICE_INCLUDE=$here/include
exec "$here/../scripts/build-module.sh" "${args[@]}" "$here/core" "$1"
