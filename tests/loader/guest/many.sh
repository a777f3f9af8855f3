# A ten-function update; reports the pause.
. "$(dirname "$0")/lib.sh"
load_core
load_kstest
load many.ko
[ "$(wc -l < $S/many/functions)" -eq 10 ] || fail "expected 10 functions"
expect /proc/kstest/many 55
for i in 1 2 3 4 5; do
	apply many
	expect /proc/kstest/many 1055
	cat $S/many/pause_ns >> /tmp/pauses
	undo many
	expect /proc/kstest/many 55
done
echo "pause_ns(10 functions, 5 applies) min/median/max:" \
	$(sort -n /tmp/pauses | sed -n '1p;3p;5p')
dmesg | grep "'many': applied" | tail -n 1
ok many
