# Tracing a patched function: calls show up, tracing on/off and undo while
# tracing break neither ftrace nor the update (vm-run fails on any WARNING).
. "$(dirname "$0")/lib.sh"
T=/sys/kernel/tracing
load_core
load_kstest
load value2.ko
orig=$(cat /proc/kstest/text)
apply value2
echo kstest_value > $T/set_ftrace_filter || fail "set_ftrace_filter"
echo function > $T/current_tracer || fail "current_tracer"
echo > $T/trace
for i in 1 2 3; do expect /proc/kstest/value 2; done
n=$(grep -c 'kstest_value <-value_show' $T/trace)
[ "$n" -ge 3 ] || fail "expected >= 3 traced calls, got $n"
undo value2
expect /proc/kstest/value 1
apply value2
expect /proc/kstest/value 2
echo nop > $T/current_tracer
echo > $T/set_ftrace_filter
expect /proc/kstest/value 2
undo value2
expect /proc/kstest/value 1
expect /proc/kstest/text "$orig"
ok ftrace
