# A module function: apply, see the new result, undo, see the old; 3 times.
# The target module is not pinned: it can be unloaded while applied, and
# comes back patched.
. "$(dirname "$0")/lib.sh"
load_core
load value2.ko
d=$S/value2
expect $d/stage loaded
expect $d/abort_cause none
load_kstest
expect $d/targets "kstest unpatched"
expect $d/description "loader test update value2"
expect $d/functions "kstest_value kstest"
expect /proc/kstest/value 1
orig=$(cat /proc/kstest/text)
for i in 1 2 3; do
	apply value2
	cat $d/pause_ns >> /tmp/pauses
	expect /proc/kstest/value 2
	text=$(cat /proc/kstest/text)
	# Bytes 0-4 (the ftrace site) unchanged, a jmp rel32 at offset 5.
	case $text in
	$(echo "$orig" | cut -c1-10)e9*) ;;
	*) fail "no jump at kstest_value+5: $text (was $orig)" ;;
	esac
	expect $d/targets "kstest loaded-patched"
	rmmod value2 2>/dev/null && fail "patch module unloaded while applied"
	rmmod kstest || fail "target module pinned while applied"
	expect $d/targets "kstest waiting"
	load_kstest
	expect /proc/kstest/value 2
	case $(cat /proc/kstest/text) in
	$(echo "$orig" | cut -c1-10)e9*) ;;
	*) fail "no jump at kstest_value+5 after the reload" ;;
	esac
	undo value2
	expect $d/targets "kstest unpatched"
	expect /proc/kstest/value 1
	expect /proc/kstest/text "$orig"
done
pause=$(sort -n /tmp/pauses | sed -n 2p)
[ "$pause" -gt 0 ] || fail "pause_ns is $pause"
rmmod value2 || fail "rmmod after undo"
[ -e $d ] && fail "$d still there after rmmod"
echo "pause_ns(1 function, median of 3 applies): $pause"
dmesg | grep "'value2': applied" | tail -n 1
ok module-apply-undo
