# Guest side of update.vm_signed (busybox sh, as root, in the VM): the
# host trusts one key (lib.sh); a package signed by it applies, an
# unsigned, untrusted or changed one is refused before anything is
# loaded, and --allow-unsigned lets an unsigned one through, loudly.
#   signed.sh BIN_DIR PACKAGE_DIR LOADER_OUT   (host paths)
set -u
B=/host$1 P=/host$2 L=/host$3
. "$(dirname "$0")/lib.sh"

insmod $L/kstest/kstest.ko || fail "insmod kstest"
[ "$(cat /proc/kstest/value)" = 1 ] || fail "kstest_value is not 1 before"

# refused PACKAGE TOKEN: nothing of it loaded, the kernel as before.
refused() {
	run 1 ksplice-apply --raw-errors "$P/$1"
	first $err "$2"
	loaded value2 && fail "value2 loaded from $1"
	loaded ksplice && fail "core loaded for $1"
	[ "$(cat /proc/kstest/value)" = 1 ] || fail "kstest_value changed by $1"
	:
}
refused unsigned.tar.gz unsigned_package
has $err "the package is not signed, and trusted keys are installed in '/etc/ksplice/keys'"
has $err "nothing was loaded"
refused untrusted.tar.gz untrusted_package
has $err "which is not one of the 1 trusted keys in '/etc/ksplice/keys'"
refused tampered.tar.gz bad_package
has $err "not a gzip-compressed update package"

run 0 ksplice-apply --dry-run $P/value2.tar.gz
[ -s $err ] && fail "stderr not empty for a signed package"
run 0 ksplice-apply --json $P/value2.tar.gz
has $out '"signature_verified":true'
[ "$(cat /proc/kstest/value)" = 2 ] || fail "kstest_value is not 2 after apply"
run 0 ksplice-undo value2
[ "$(cat /proc/kstest/value)" = 1 ] || fail "kstest_value is not 1 after undo"

run 0 ksplice-apply --allow-unsigned $P/unsigned.tar.gz
has $err "warning: --allow-unsigned: loading an UNSIGNED package"
[ "$(cat /proc/kstest/value)" = 2 ] || fail "kstest_value is not 2 (allowed)"
run 0 ksplice-undo value2
[ "$(cat /proc/kstest/value)" = 1 ] || fail "kstest_value is not 1 after undo"
echo "signed: PASS"
