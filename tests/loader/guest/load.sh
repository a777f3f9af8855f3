# Two threads call kstest_value in a tight loop while the update is applied
# and undone 50 times: every call returns 1 or 2.
. "$(dirname "$0")/lib.sh"
load_core
load_kstest
load value2.ko
loop() { while :; do read v < /proc/kstest/value; echo "$v"; done; }
loop > /tmp/calls1 &
p1=$!
loop > /tmp/calls2 &
p2=$!
i=0
while [ $i -lt 50 ]; do
	apply value2
	cat $S/value2/pause_ns >> /tmp/pauses
	undo value2
	i=$((i + 1))
done
kill $p1 $p2
wait 2>/dev/null
bad=$(cat /tmp/calls1 /tmp/calls2 | grep -v -x -e 1 -e 2 | head -n 3)
[ -z "$bad" ] || fail "unexpected results: $bad"
ones=$(grep -c -x 1 /tmp/calls1)
twos=$(grep -c -x 2 /tmp/calls1)
echo "calls: $(cat /tmp/calls1 /tmp/calls2 | wc -l) ($ones old, $twos new in thread 1)"
[ "$ones" -gt 0 ] && [ "$twos" -gt 0 ] || fail "did not see both results"
echo "pause_ns(1 function, 50 applies under load) min/median/max:" \
	$(sort -n /tmp/pauses | sed -n '1p;25p;50p')
ok load
