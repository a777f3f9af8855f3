#!/usr/bin/env bash
# The production-host tools on the real kernel (label "vm"): packages made
# with update_mkpkg from the loader tests' prebuilt modules
# (tests/loader/build-tests.sh output), then ksplice-apply/-undo/-view in
# the VM (guest/tools.sh): success, already applied, wrong release,
# a module target loaded after the apply (waiting, then patched),
# no_match, code_busy with the conflicting task,
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

# Packages are signed, and the guests trust the key (lib.sh installs
# keys/ as /etc/ksplice/keys): as on a host that checks signatures.
mkdir -p "$work/keys"
openssl genpkey -algorithm ed25519 -out "$work/signing.pem" 2>/dev/null
openssl pkey -in "$work/signing.pem" -pubout -out "$work/keys/test.pem"

openssl genpkey -algorithm ed25519 -out "$work/other.pem" 2>/dev/null

# pkg ID MODULE.ko [RELEASE [KEY]]  (KEY "-": unsigned)
pkg() {
	sign="--sign $work/signing.pem"
	case ${4:-} in -) sign= ;; ?*) sign="--sign $4" ;; esac
	"$mkpkg" $sign --id "$1" --release "${3:-$KSPLICE_KREL}" \
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
# For guest/signed.sh: value2 unsigned, signed by an untrusted key, and
# with one byte of the signed package changed.
for k in unsigned:- untrusted:$work/other.pem; do
	pkg value2 value2.ko "$KSPLICE_KREL" "${k#*:}"
	mv "$work/value2.tar.gz" "$work/${k%%:*}.tar.gz"
done
pkg value2 value2.ko
python3 - "$work/value2.tar.gz" "$work/tampered.tar.gz" <<'EOF2'
import sys
data = bytearray(open(sys.argv[1], 'rb').read())
data[len(data) // 2] ^= 0x01
open(sys.argv[2], 'wb').write(data)
EOF2

# KSPLICE_VM_APPEND: more kernel parameters (module.sig_enforce=1).
exec "$root/scripts/vm-run.sh" --timeout 500 \
	${KSPLICE_VM_APPEND:+--append "$KSPLICE_VM_APPEND"} "$here/guest/$guest" \
	"$bin" "$work" "$lo"
