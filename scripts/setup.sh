#!/usr/bin/env bash
# Everything a fresh Debian 12 machine needs before the demo or the tests:
# packages, the test kernel (fetched and cached), a prepared kernel tree,
# and a build of this project in build/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
step() { printf '\n== %s\n' "$*" >&2; }

step "packages"
"$root/scripts/install-deps.sh"
step "test kernel"
"$root/scripts/fetch-kernel.sh" >/dev/null
step "kernel tree"
"$root/scripts/prepare-tree.sh" >/dev/null
step "build"
cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$root/build" -j"$(nproc)"
