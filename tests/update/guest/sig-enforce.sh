# Guest side of update.vm_sig_enforce (booted with module.sig_enforce=1):
# the kernel loads only signed modules, ours are not signed; ksplice-apply
# says so with its token before loading anything.
#   sig-enforce.sh BIN_DIR PACKAGE_DIR LOADER_OUT   (host paths)
set -u
B=/host$1 P=/host$2 L=/host$3
. "$(dirname "$0")/lib.sh"

[ "$(cat /sys/module/module/parameters/sig_enforce)" = Y ] ||
	fail "the guest does not enforce module signatures"
insmod $L/kstest/kstest.ko 2>/dev/null && fail "the kernel loaded an unsigned module"
run 1 ksplice-apply --raw-errors $P/value2.tar.gz
first $err unsigned_module
has $err "'ksplice.ko' cannot be loaded: module.sig_enforce is set, and it is not signed"
has $err "ksplice-create --module-key KEY --module-cert CERT"
loaded ksplice && fail "core loaded"
[ -d /sys/kernel/ksplice ] && fail "/sys/kernel/ksplice exists"
echo "sig-enforce: PASS"
