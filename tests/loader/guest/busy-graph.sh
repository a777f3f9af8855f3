# With the function_graph tracer on msleep, the return address into
# kstest_sleeper() of a thread sleeping there is not on its stack but in
# its ftrace return stack: apply must still see it (code_busy).
. "$(dirname "$0")/lib.sh"
T=/sys/kernel/tracing
load_core
load_kstest
load sleeper.ko
d=$S/sleeper
echo msleep > $T/set_ftrace_filter || fail "set_ftrace_filter"
echo function_graph > $T/current_tracer || fail "current_tracer"
echo 1 > /proc/kstest/sleeper
sleep 1
pid=$(ps -o pid,comm | awk '$2 == "kstest_sleeper" { print $1 }')
[ -n "$pid" ] || fail "no kstest_sleeper thread"
grep -q 'msleep' $T/trace || fail "msleep is not being traced"
echo 1 > $d/retries
refused sleeper apply code_busy loaded
grep -qx "$pid kstest_sleeper kstest_sleeper" $d/conflicts ||
	fail "conflicts: $(cat $d/conflicts)"
echo 0 > /proc/kstest/sleeper
sleep 1
apply sleeper
echo nop > $T/current_tracer
echo > $T/set_ftrace_filter
undo sleeper
ok busy-graph
