# Two updates of kstest_value (value3 is built on value2): undo in the wrong
# order is refused, the right order restores the original.
. "$(dirname "$0")/lib.sh"
load_core
load_kstest
load value2.ko
load value3.ko
orig=$(cat /proc/kstest/text)
refused value3 apply no_match loaded
apply value2
apply value3
expect /proc/kstest/value 3
refused value2 undo dependent_update applied
expect /proc/kstest/value 3
rmmod value2 2>/dev/null && fail "value2 unloaded while applied"
undo value3
expect /proc/kstest/value 2
undo value2
expect /proc/kstest/value 1
expect /proc/kstest/text "$orig"
rmmod value3 || fail "rmmod value3"
rmmod value2 || fail "rmmod value2"
ok stacked
