#!/usr/bin/env bash
# The production-host tools on the real kernel (label "vm"): packages made
# with update_mkpkg from the loader tests' prebuilt modules
# (tests/loader/build-tests.sh output), then ksplice-apply/-undo/-view in
# the VM (guest/tools.sh): success, already applied, wrong release,
# target_not_loaded, no_match, code_busy with the conflicting task,
# dependent_update, undo --all newest first, view text and JSON.  With
# GUEST, runs guest/GUEST on the same packages instead (dry-run.sh:
# ksplice-apply --dry-run; json.sh: --json and the loader's detail).
#
#   tests/update/vm-tools.sh UPDATE_MKPKG BIN_DIR LOADER_OUT WORK_DIR [GUEST]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$here/../..
[ $# -eq 4 ] || [ $# -eq 5 ] ||
	{ echo "usage: $0 UPDATE_MKPKG BIN_DIR LOADER_OUT WORK_DIR [GUEST]" >&2; exit 2; }
mkpkg=$1 bin=$2 lo=$3 work=$4 guest=${5:-tools.sh}
. "$root/scripts/kernel-env.sh"
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
printf -- '--- a/kstest_main.c\n+++ b/kstest_main.c\n' > "$work/patch"

# pkg ID MODULE.ko [RELEASE]
pkg() {
	"$mkpkg" --id "$1" --release "${3:-$KSPLICE_KREL}" \
		--symvers "$KSPLICE_HEADERS/Module.symvers" --core "$lo/core/ksplice.ko" \
		--patch-module "$lo/$2" --patch "$work/patch" \
		--description "tools test $1" --unit kstest kstest_main.o \
		--function kstest_main.o kstest_value -o "$work/$1.tar.gz"
}
for u in value2 value3 sleeper mismatch; do
	pkg $u $u.ko
done
pkg cmdline cmdline.ko 0.0.0-not-this-kernel
mv "$work/cmdline.tar.gz" "$work/wrong-release.tar.gz"

exec "$root/scripts/vm-run.sh" --timeout 500 "$here/guest/$guest" \
	"$bin" "$work" "$lo"
