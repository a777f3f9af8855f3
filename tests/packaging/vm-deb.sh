#!/usr/bin/env bash
# packaging.vm_deb (label vm): the ksplice-tools package on the real kernel.
# Builds the packages (scripts/build-deb.sh), makes an update package from
# the loader tests' prebuilt modules (update_mkpkg), and runs guest/deb.sh:
# dpkg -i in a Debian root in the guest, apply and undo with the installed
# tools, dpkg -r.
#
#   tests/packaging/vm-deb.sh UPDATE_MKPKG BUILD_DIR LOADER_OUT WORK_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$here/../..
[ $# -eq 4 ] || { echo "usage: $0 UPDATE_MKPKG BUILD_DIR LOADER_OUT WORK_DIR" >&2; exit 2; }
mkpkg=$1 build=$2 lo=$(cd "$3" && pwd) work=$4
. "$root/scripts/kernel-env.sh"
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
tools=$("$root/scripts/build-deb.sh" --build "$build" -o "$work/deb" | grep /ksplice-tools_)
printf -- '--- a/kstest_main.c\n+++ b/kstest_main.c\n' > "$work/patch"
"$mkpkg" --id value2 --release "$KSPLICE_KREL" \
	--symvers "$KSPLICE_HEADERS/Module.symvers" --core "$lo/core/ksplice.ko" \
	--patch-module "$lo/value2.ko" --patch "$work/patch" \
	--description "packaging test value2" --unit kstest kstest_main.o \
	--function kstest_main.o kstest_value -o "$work/value2.tar.gz"
overlay=$(find "$KSPLICE_MODDIR/kernel/fs/overlayfs" -name overlay.ko)
exec "$root/scripts/vm-run.sh" --timeout 500 "$here/guest/deb.sh" \
	"$tools" "$work" "$lo" "$overlay"
