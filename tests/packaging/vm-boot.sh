#!/usr/bin/env bash
# packaging.vm_boot (label vm): updates survive a reboot.  Two boots of the
# guest share a state directory (the writable out share, bind-mounted as
# /var/lib/ksplice in the Debian root of guest/debian-root.sh).  Boot 1
# installs ksplice-tools, applies and undoes sleeper (not kept), applies
# value2 then value3 (built on value2: the order matters), and finds an
# update kept on another kernel.  Boot 2 ("after the reboot"): kstest_value is
# back to 1; `ksplice-apply --boot` applies value2 and value3 in order and
# lists the other kernel's update, left alone.
#
#   tests/packaging/vm-boot.sh UPDATE_MKPKG BUILD_DIR LOADER_OUT WORK_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$here/../..
[ $# -eq 4 ] || { echo "usage: $0 UPDATE_MKPKG BUILD_DIR LOADER_OUT WORK_DIR" >&2; exit 2; }
mkpkg=$1 build=$2 lo=$(cd "$3" && pwd) work=$4
. "$root/scripts/kernel-env.sh"
rm -rf "$work"
mkdir -p "$work/vm/state"
work=$(cd "$work" && pwd)
tools=$("$root/scripts/build-deb.sh" --build "$build" -o "$work/deb" | grep /ksplice-tools_)
printf -- '--- a/kstest_main.c\n+++ b/kstest_main.c\n' > "$work/patch"
# pkg ID MODULE FUNCTION [RELEASE]
pkg() {
	"$mkpkg" --id "$1" --release "${4:-$KSPLICE_KREL}" \
		--symvers "$KSPLICE_HEADERS/Module.symvers" --core "$lo/core/ksplice.ko" \
		--patch-module "$lo/$2" --patch "$work/patch" \
		--description "boot test $1" --unit kstest kstest_main.o \
		--function kstest_main.o "$3" -o "$work/$1${4:+-$4}.tar.gz"
}
pkg value2 value2.ko kstest_value
pkg value3 value3.ko kstest_value
pkg sleeper sleeper.ko kstest_value
pkg value2 value2.ko kstest_value 0.0.0-other
overlay=$(find "$KSPLICE_MODDIR/kernel/fs/overlayfs" -name overlay.ko)
for stage in 1 2; do
	echo "== boot $stage"
	"$root/scripts/vm-run.sh" --timeout 500 --out "$work/vm" "$here/guest/boot.sh" \
		"$stage" "$tools" "$work" "$lo" "$overlay"
done
echo "ok: the updates kept on boot 1 are applied again on boot 2, in order"
