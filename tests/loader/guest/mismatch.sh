# An update built from a different pre source: no_match, text unchanged.
. "$(dirname "$0")/lib.sh"
load_core
load_kstest
load mismatch.ko
orig=$(cat /proc/kstest/text)
refused mismatch apply no_match loaded
dmesg | grep -q "'mismatch': no_match: unit 'kstest_main.o' function 'kstest_value' offset 0x" ||
	fail "no no_match message naming the function"
expect /proc/kstest/text "$orig"
expect /proc/kstest/value 1
rmmod mismatch || fail "rmmod mismatch"
ok mismatch
