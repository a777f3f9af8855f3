# A kprobe on the bytes the jump would overwrite: kprobe_conflict, whether
# the probe is armed (run-pre sees its int3) or not (caught inside
# stop_machine); without the probe, apply works.
. "$(dirname "$0")/lib.sh"
T=/sys/kernel/tracing
load_core
load_kstest
load value2.ko
orig=$(cat /proc/kstest/text)
echo 'p:kstest_probe kstest:kstest_value+5' > $T/kprobe_events ||
	fail "cannot add the kprobe"
refused value2 apply kprobe_conflict loaded
dmesg | grep -q "'value2': kprobe_conflict: a kprobe sits on a jump site" ||
	fail "no kprobe_conflict message from the stop_machine check"
echo 1 > $T/events/kprobes/kstest_probe/enable
expect /proc/kstest/value 1
refused value2 apply kprobe_conflict loaded
echo 0 > $T/events/kprobes/kstest_probe/enable
echo '-:kstest_probe' >> $T/kprobe_events
expect /proc/kstest/text "$orig"
apply value2
expect /proc/kstest/value 2
undo value2
ok kprobe
