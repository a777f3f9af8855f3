# A ten-function update; reports the pause.
. "$(dirname "$0")/lib.sh"
load_core
load_kstest
load many.ko
[ "$(wc -l < $S/many/functions)" -eq 10 ] || fail "expected 10 functions"
expect /proc/kstest/many 55
apply many
expect /proc/kstest/many 1055
echo "pause_ns(10 functions): $(cat $S/many/pause_ns)"
dmesg | grep "'many': applied" | tail -n 1
undo many
expect /proc/kstest/many 55
ok many
