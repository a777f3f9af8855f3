# A kernel thread sleeping inside kstest_sleeper(): apply fails with
# code_busy naming it; once it has left, apply succeeds.  Then the same for
# undo with a thread sleeping in the replacement.
. "$(dirname "$0")/lib.sh"
load_core
load_kstest
load sleeper.ko
d=$S/sleeper
echo 1 > /proc/kstest/sleeper
sleep 1
pid=$(ps -o pid,comm | awk '$2 == "kstest_sleeper" { print $1 }')
[ -n "$pid" ] || fail "no kstest_sleeper thread"
expect $d/retries 5
echo 2 > $d/retries
expect $d/retries 2
refused sleeper apply code_busy loaded
grep -qx "$pid kstest_sleeper kstest_sleeper" $d/conflicts ||
	fail "conflicts: $(cat $d/conflicts)"
dmesg | grep -q "'sleeper': code_busy: apply failed after 2 tries" ||
	fail "no code_busy message"
echo 0 > /proc/kstest/sleeper
sleep 1
expect /proc/kstest/sleeper 7
apply sleeper
[ -n "$(cat $d/conflicts)" ] && fail "conflicts left: $(cat $d/conflicts)"
# Now a thread sleeps in the new code: undo is refused the same way.
echo 1 > /proc/kstest/sleeper
sleep 1
pid=$(ps -o pid,comm | awk '$2 == "kstest_sleeper" { print $1 }')
refused sleeper undo code_busy applied
grep -qx "$pid kstest_sleeper kstest_sleeper" $d/conflicts ||
	fail "undo conflicts: $(cat $d/conflicts)"
echo 0 > /proc/kstest/sleeper
sleep 1
expect /proc/kstest/sleeper 8
undo sleeper
ok busy
