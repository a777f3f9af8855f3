# Runs in the guest: load the smoke module built on the host, check what it
# shows and what it logs, unload it.
#   smoke-guest.sh MODULE.ko
set -eu
ko=/host$1
fail() { echo "FAIL: $*"; exit 1; }

[ "$(uname -r)" = "$(modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)" ] ||
	echo "note: busybox modinfo could not read vermagic; insmod decides"
insmod "$ko" value=1234 || fail "insmod $ko"
got=$(cat /proc/ksplice_smoke)
[ "$got" = "smoke 1234" ] || fail "/proc/ksplice_smoke says '$got', expected 'smoke 1234'"
dmesg | grep -q 'ksplice_smoke: loaded, value 1234' || fail "no load message in the kernel log"
grep -q '^ksplice_smoke ' /proc/modules || fail "module not listed in /proc/modules"
rmmod ksplice_smoke || fail "rmmod"
[ ! -e /proc/ksplice_smoke ] || fail "/proc/ksplice_smoke still exists after rmmod"
dmesg | grep -q 'ksplice_smoke: unloaded' || fail "no unload message"
echo "smoke: ok"
