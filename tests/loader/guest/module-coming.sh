# An apply while the target module is still in its init (MODULE_STATE_COMING,
# after the loader's notifier saw it): the module counts as loaded, and the
# apply patches it in its stop_machine pass.
. "$(dirname "$0")/lib.sh"
load_core
load value2.ko
d=$S/value2
insmod $B/kstest/kstest.ko init_sleep_ms=5000 &
pid=$!
sleep 1
grep -q '^kstest .* Loading ' /proc/modules ||
	fail "kstest is not in its init: $(grep '^kstest ' /proc/modules)"
expect /proc/kstest/value 1
apply value2
expect $d/targets "kstest loaded-patched"
expect /proc/kstest/value 2
grep -q '^kstest .* Loading ' /proc/modules ||
	fail "kstest left its init before the apply was checked"
wait $pid || fail "insmod kstest"
grep -q '^kstest .* Live ' /proc/modules || fail "kstest is not live"
# Its init called kstest_value before the apply.
expect /proc/kstest/init_value 1
expect /proc/kstest/value 2
undo value2
expect /proc/kstest/value 1
rmmod kstest || fail "rmmod kstest"
rmmod value2 || fail "rmmod value2"
ok module-coming
