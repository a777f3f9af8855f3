# after-value2 is built on value2 (its pre object is value2's post object)
# and replaces kstest_sleeper only, a function value2 does not replace; its
# pre code of kstest_value matches only value2's new kstest_value, reached
# by following value2's jump.  So it depends on value2: value2's undo is
# refused while after-value2 is applied, and allowed once it is undone.
. "$(dirname "$0")/lib.sh"
load_core
load_kstest
load value2.ko
load after-value2.ko
apply value2
apply after-value2
dmesg | grep -q "'after-value2': .*'kstest_value' differs" &&
	fail "kstest_value was not matched against value2's code"
expect /proc/kstest/value 2
echo 1 > /proc/kstest/sleeper
echo 0 > /proc/kstest/sleeper
sleep 1
expect /proc/kstest/sleeper 9
refused value2 undo dependent_update applied
dmesg | grep -q "'value2': dependent_update: 'after-value2' builds on this update" ||
	fail "no dependent_update message"
expect /proc/kstest/value 2
rmmod value2 2>/dev/null && fail "value2 unloaded while applied"
undo after-value2
undo value2
expect /proc/kstest/value 1
echo 1 > /proc/kstest/sleeper
echo 0 > /proc/kstest/sleeper
sleep 1
expect /proc/kstest/sleeper 7
# Applied again in order, then undone in order: the dependency is found
# anew on every apply.
apply value2
apply after-value2
refused value2 undo dependent_update applied
undo after-value2
undo value2
rmmod after_value2 || fail "rmmod after-value2"
rmmod value2 || fail "rmmod value2"
ok stacked-matched
