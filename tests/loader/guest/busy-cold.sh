# A kernel thread sleeping in a call made from kstest_cold.cold, the part
# GCC split off kstest_cold(): the stack holds a return address into the
# old .cold part only (none into kstest_cold's own section).  apply and
# check fail with code_busy naming it; once it has left, apply succeeds.
# Then undo is refused the same way while a thread sleeps in the new
# .cold part, which is in the patch module.
. "$(dirname "$0")/lib.sh"
load_core
load_kstest
load cold.ko
d=$S/cold
grep -q ' kstest_cold\.cold	\[kstest\]' /proc/kallsyms ||
	fail "no kstest_cold.cold in kallsyms"
echo 1 > /proc/kstest/cold
sleep 1
pid=$(ps -o pid,comm | awk '$2 == "kstest_cold" { print $1 }')
[ -n "$pid" ] || fail "no kstest_cold thread"
echo 2 > $d/retries
refused cold apply code_busy loaded
grep -qx "$pid kstest_cold kstest_cold" $d/conflicts ||
	fail "apply conflicts: $(cat $d/conflicts)"
dmesg | grep -q "'cold': code_busy: apply failed after 2 tries" ||
	fail "no code_busy message"
refused cold check code_busy loaded
grep -qx "$pid kstest_cold kstest_cold" $d/conflicts ||
	fail "check conflicts: $(cat $d/conflicts)"
echo 0 > /proc/kstest/cold
sleep 1
expect /proc/kstest/cold 101
apply cold
[ -n "$(cat $d/conflicts)" ] && fail "conflicts left: $(cat $d/conflicts)"
# The new code's cold part is the patch module's: undo sees a thread there.
echo 1 > /proc/kstest/cold
sleep 1
pid=$(ps -o pid,comm | awk '$2 == "kstest_cold" { print $1 }')
refused cold undo code_busy applied
grep -qx "$pid kstest_cold kstest_cold.cold" $d/conflicts ||
	fail "undo conflicts: $(cat $d/conflicts)"
echo 0 > /proc/kstest/cold
sleep 1
expect /proc/kstest/cold 102
undo cold
echo 1 > /proc/kstest/cold
echo 0 > /proc/kstest/cold
sleep 1
expect /proc/kstest/cold 101
ok busy-cold
