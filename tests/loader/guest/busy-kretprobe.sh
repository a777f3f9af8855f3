# With a kretprobe on msleep, the return address into kstest_sleeper() of
# a thread sleeping there is not on its stack but in a rethook node:
# apply must still see it (code_busy).
. "$(dirname "$0")/lib.sh"
T=/sys/kernel/tracing
load_core
load_kstest
load sleeper.ko
d=$S/sleeper
echo 'r:kstest_ret msleep' > $T/kprobe_events || fail "kprobe_events"
echo 1 > $T/events/kprobes/kstest_ret/enable || fail "enable"
echo 1 > /proc/kstest/sleeper
sleep 1
pid=$(ps -o pid,comm | awk '$2 == "kstest_sleeper" { print $1 }')
[ -n "$pid" ] || fail "no kstest_sleeper thread"
echo 1 > $d/retries
refused sleeper apply code_busy loaded
grep -qx "$pid kstest_sleeper kstest_sleeper" $d/conflicts ||
	fail "conflicts: $(cat $d/conflicts)"
echo 0 > /proc/kstest/sleeper
sleep 1
apply sleeper
echo 0 > $T/events/kprobes/kstest_ret/enable
echo '-:kstest_ret' >> $T/kprobe_events
undo sleeper
ok busy-kretprobe
