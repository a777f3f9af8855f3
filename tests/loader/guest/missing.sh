# New code needs a symbol the running kernel does not have: failed_to_find
# naming it, nothing changed.
. "$(dirname "$0")/lib.sh"
load_core
load_kstest
load missing.ko
orig=$(cat /proc/kstest/text)
refused missing apply failed_to_find loaded
dmesg | grep -q "'missing': failed_to_find: unit 'kstest_main.o' symbol 'kstest_helper': not found" ||
	fail "no failed_to_find message naming kstest_helper"
expect /proc/kstest/text "$orig"
expect /proc/kstest/value 1
rmmod missing || fail "rmmod missing"
ok missing
